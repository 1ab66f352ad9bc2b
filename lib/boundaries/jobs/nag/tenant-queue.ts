/** Which SQS queues are tenant queues: tagged TenantId, in a tenant stack, or named `tenant-<id>-<purpose>`. */
import { CfnResource } from 'aws-cdk-lib';
import { NagRules } from 'cdk-nag';
import { render, RenderedResource, stackTenant, tagsOf } from '../../../nag/inspect/template';
import { TENANT_TAG_KEY } from '../../../core/namespace';

export function queueName(node: CfnResource, r: RenderedResource): string | undefined {
  if (r.properties.QueueName === undefined) return undefined;
  return String(NagRules.resolveIfPrimitive(node, r.properties.QueueName));
}

export function isTenantQueue(node: CfnResource): boolean {
  const r = render(node);
  if (tagsOf(r).has(TENANT_TAG_KEY) || stackTenant(node) !== undefined) return true;
  return queueName(node, r)?.startsWith('tenant-') ?? false;
}
