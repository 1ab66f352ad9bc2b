/**
 * TI-QUEUE1: a tenant queue without TLS enforcement or customer-managed-key encryption.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { render } from '../../../nag/inspect/template';
import { deniesInsecureTransport } from '../../../nag/inspect/tls';
import { flattener } from '../../../nag/inspect/values';
import { TenantIsolationRule } from '../../../nag/rule';
import { isTenantQueue } from './tenant-queue';

function check(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SQS::Queue' || !isTenantQueue(node)) return NagRuleCompliance.NOT_APPLICABLE;
  const r = render(node);
  const findings: string[] = [];
  if (!deniesInsecureTransport(node, 'AWS::SQS::QueuePolicy', 'Queues', r.logicalId)) findings.push('NoTlsEnforcement');
  const key = r.properties.KmsMasterKeyId;
  // SqsManagedSseEnabled and alias/aws/sqs are AWS managed keys: no tenant-aware key policy.
  if (key === undefined || flattener(node)(key, 'KmsMasterKeyId').includes('alias/aws/sqs')) findings.push('NoCustomerManagedKey');
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const TenantQueueProtection: TenantIsolationRule = {
  id: 'QUEUE1',
  area: 'storage',
  info: 'A tenant queue (tagged TenantId, in a tenant stack, or named tenant-<id>-...) does not deny non-TLS requests or is not encrypted with a customer managed KMS key.',
  explanation:
    'Messages carry tenant data. The queue policy must Deny sqs:* when aws:SecureTransport is false, and a customer managed key (KmsMasterKeyId, not alias/aws/sqs or SQS-managed SSE) puts a key policy in front of every message. Findings: NoTlsEnforcement, NoCustomerManagedKey.',
  check,
};
