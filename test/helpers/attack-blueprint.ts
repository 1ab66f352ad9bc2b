/**
 * The blueprint the boundary attack tests act against: tenants whose ids share leading letters
 * (acm, acme, acme-corp), a silo tenant (globex) and a retired one (initech), built with the
 * test app, plus TenantAccessRole as the platform template names it.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildBlueprint } from '../../lib/blueprint/app';
import { newTestApp, placedRegistry } from './app';
import { arnOf, identityPoliciesOf } from './iam-attack';
import { logicalIdsOfType, TemplateJson } from './template-resolver';

export const ACTIVE = ['acm', 'acme', 'acme-corp', 'globex'];
export const RETIRED = 'initech';

export function attackBlueprint(label: string) {
  const registry = placedRegistry([...ACTIVE.map((id) => ({ id, tier: id === 'globex' ? 'silo' : 'pool' })), { id: RETIRED, tier: 'pool', status: 'retired' }], label);
  const blueprint = buildBlueprint(newTestApp(), { registry });
  const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
  const accessRoleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('TenantAccessRole'))!;
  return { blueprint, platform, accessRoleId, accessRoleArn: arnOf(platform, accessRoleId), accessIdentity: identityPoliciesOf(platform, accessRoleId) };
}
