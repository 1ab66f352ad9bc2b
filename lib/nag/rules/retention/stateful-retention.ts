/**
 * TI-RETAIN1: a stateful resource that CloudFormation destroys on stack deletion or replacement.
 *
 * CloudFormation deletes a resource whose DeletionPolicy is `Delete` or absent (CloudFormation
 * User Guide, aws-attribute-deletionpolicy; RDS clusters default to Snapshot, but the rule asks
 * for the policy to be written down). Every store of this kind is treated as holding tenant
 * data: in a multi-tenant platform the shared stores hold pooled tenants, so the rule does not
 * try to tell shared from tenant-owned. A store that truly holds no tenant data is acknowledged
 * with that reason.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { render } from '../../inspect/template';
import { UnresolvableValueError } from '../../inspect/values';
import { TenantIsolationRule } from '../../rule';

/** Stateful types, and whether CloudFormation can snapshot them on deletion. */
export const STATEFUL_TYPES: Readonly<Record<string, { readonly snapshot: boolean }>> = {
  'AWS::S3::Bucket': { snapshot: false },
  'AWS::SQS::Queue': { snapshot: false },
  'AWS::KMS::Key': { snapshot: false },
  'AWS::SecretsManager::Secret': { snapshot: false },
  'AWS::RDS::DBCluster': { snapshot: true },
  'AWS::RDS::DBInstance': { snapshot: true },
  'AWS::DynamoDB::Table': { snapshot: false },
  'AWS::DynamoDB::GlobalTable': { snapshot: false },
  'AWS::Logs::LogGroup': { snapshot: false },
  'AWS::OpenSearchService::Domain': { snapshot: false },
  'AWS::EFS::FileSystem': { snapshot: false },
};

function check(node: CfnResource): NagRuleResult {
  const kind = STATEFUL_TYPES[node.cfnResourceType];
  if (!kind) return NagRuleCompliance.NOT_APPLICABLE;
  const r = render(node);
  // An Aurora cluster member has no storage of its own: the data (and its DeletionPolicy) lives
  // in the AWS::RDS::DBCluster (Aurora User Guide, Aurora storage / cluster volume).
  if (node.cfnResourceType === 'AWS::RDS::DBInstance' && r.properties?.DBClusterIdentifier !== undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const keeps = ['Retain', 'RetainExceptOnCreate', ...(kind.snapshot ? ['Snapshot'] : [])];
  const findings: string[] = [];
  for (const [attribute, value] of [
    ['DeletionPolicy', r.deletionPolicy],
    ['UpdateReplacePolicy', r.updateReplacePolicy],
  ] as const) {
    // With the AWS::LanguageExtensions transform these may be intrinsics (Ref, Fn::If).
    if (value !== undefined && typeof value !== 'string') throw new UnresolvableValueError(node, attribute, value);
    if (value === undefined || !keeps.includes(value)) findings.push(`${attribute}::${value ?? 'absent'}`);
  }
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const StatefulRetention: TenantIsolationRule = {
  id: 'RETAIN1',
  area: 'retention',
  info: 'A stateful resource (bucket, queue, key, secret, DB cluster or instance, table, log group, search domain, file system) is destroyed on stack deletion or replacement (DeletionPolicy/UpdateReplacePolicy Delete or absent).',
  explanation:
    'Deleting or re-creating a stack must never lose tenant data: offboarding retires a tenant, it does not purge it. Use RemovalPolicy.RETAIN (or SNAPSHOT for databases); purging is a separate, explicit operation. Findings: DeletionPolicy::<value>, UpdateReplacePolicy::<value>.',
  check,
};
