/**
 * The blueprint the boundary attack tests act against: tenants whose ids share leading letters
 * (acm, acme, acme-corp), a silo tenant (globex) and a retired one (initech), built with the
 * test app, plus TenantAccessRole as the platform template names it.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildBlueprint } from '../../lib/blueprint/app';
import { placeTenantsInCacheCells } from '../../lib/core/placement';
import { parseRegistry } from '../../lib/core/registry';
import { newTestApp } from './app';
import { arnOf, identityPoliciesOf } from './iam-attack';
import { logicalIdsOfType, TemplateJson } from './template-resolver';

export const ACTIVE = ['acm', 'acme', 'acme-corp', 'globex'];
export const RETIRED = 'initech';

export function attackBlueprint(label: string) {
  const parsed = parseRegistry(
    JSON.stringify({
      version: 1,
      tenants: [...ACTIVE.map((id) => ({ id, tier: id === 'globex' ? 'silo' : 'pool' })), { id: RETIRED, tier: 'pool', status: 'retired' }],
    }),
    label,
  );
  const registry = { ...parsed, tenants: placeTenantsInCacheCells(parsed.tenants) };
  const blueprint = buildBlueprint(newTestApp(), { registry });
  const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
  const accessRoleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('TenantAccessRole'))!;
  return { blueprint, platform, accessRoleId, accessRoleArn: arnOf(platform, accessRoleId), accessIdentity: identityPoliciesOf(platform, accessRoleId) };
}
