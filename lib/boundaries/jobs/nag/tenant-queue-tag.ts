/**
 * TI-QUEUE2: a tenant queue must carry its `TenantId` tag, and the tag must name its tenant.
 * Identity policies for SQS can test `aws:ResourceTag/TenantId` (SQS Developer Guide,
 * sqs-abac-condition-keys), and workers check a job's tenant against the queue's tag.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult, NagRules } from 'cdk-nag';
import { render, stackTenant, tagsOf } from '../../../nag/inspect/template';
import { TENANT_TAG_KEY } from '../../../core/namespace';
import { TenantIsolationRule } from '../../../nag/rule';
import { isTenantQueue, queueName } from './tenant-queue';

function check(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SQS::Queue' || !isTenantQueue(node)) return NagRuleCompliance.NOT_APPLICABLE;
  const r = render(node);
  const raw = tagsOf(r).get(TENANT_TAG_KEY);
  if (raw === undefined) return ['MissingTenantIdTag'];
  const tag = String(NagRules.resolveIfPrimitive(node, raw));
  const findings: string[] = [];
  const expected = stackTenant(node);
  if (expected !== undefined && String(NagRules.resolveIfPrimitive(node, expected)) !== tag) findings.push(`TagIsNotStackTenant::${tag}`);
  const name = queueName(node, r);
  if (name?.startsWith('tenant-') && !name.startsWith(`tenant-${tag}-`)) findings.push(`TagIsNotNameTenant::${tag}`);
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const TenantQueueTag: TenantIsolationRule = {
  id: 'QUEUE2',
  area: 'storage',
  info: "A tenant queue has no TenantId tag, or the tag does not name the queue's tenant (its stack's tenant, or the <id> of its tenant-<id>-... name).",
  explanation:
    "The TenantId tag is what aws:ResourceTag/TenantId conditions and job workers compare with the caller's tenant; a missing or wrong tag either blocks the tenant or hands its queue to another. Findings: MissingTenantIdTag, TagIsNotStackTenant::<tag>, TagIsNotNameTenant::<tag>.",
  check,
};
