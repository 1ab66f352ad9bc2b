/**
 * TI-BUCKET1: a tenant bucket without TLS enforcement or customer-managed-key encryption.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult, NagRules } from 'cdk-nag';
import { render, tenantOf } from '../../../nag/inspect/template';
import { deniesInsecureTransport } from '../../../nag/inspect/tls';
import { asList, flattener, requireData } from '../../../nag/inspect/values';
import { TenantIsolationRule } from '../../../nag/rule';

function usesCustomerKey(node: CfnResource, encryption: unknown): boolean {
  if (encryption === undefined) return false;
  const enc = requireData(node, encryption, 'BucketEncryption') as Record<string, unknown>;
  const rules = asList(requireData(node, enc.ServerSideEncryptionConfiguration, 'ServerSideEncryptionConfiguration') as unknown[]);
  const flat = flattener(node);
  return rules.some((rule) => {
    const byDefault = requireData(node, (rule as Record<string, unknown>).ServerSideEncryptionByDefault, 'ServerSideEncryptionByDefault') as
      Record<string, unknown> | undefined;
    if (!byDefault) return false;
    const algorithm = NagRules.resolveIfPrimitive(node, byDefault.SSEAlgorithm);
    if (algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse') return false;
    if (byDefault.KMSMasterKeyID === undefined) return false; // the AWS managed key aws/s3
    return !flat(byDefault.KMSMasterKeyID, 'KMSMasterKeyID').includes('alias/aws/s3');
  });
}

function check(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
  const r = render(node);
  if (tenantOf(node, r) === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  if (!deniesInsecureTransport(node, 'AWS::S3::BucketPolicy', 'Bucket', r.logicalId)) findings.push('NoTlsEnforcement');
  if (!usesCustomerKey(node, r.properties.BucketEncryption)) findings.push('NoCustomerManagedKey');
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const TenantBucketProtection: TenantIsolationRule = {
  id: 'BUCKET1',
  area: 'storage',
  info: 'A tenant bucket (tagged TenantId, or in a tenant stack) does not deny non-TLS requests or is not encrypted with a customer managed KMS key.',
  explanation:
    'A customer managed key puts a second, tenant-aware policy (the key policy) in front of every object, and lets a tenant be cut off or crypto-shredded; SSE-S3 and aws/s3 cannot. The bucket policy must Deny s3:* when aws:SecureTransport is false. Findings: NoTlsEnforcement, NoCustomerManagedKey.',
  check,
};
