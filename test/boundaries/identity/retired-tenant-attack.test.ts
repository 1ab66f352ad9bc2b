/**
 * Offboarding: a session tagged with a retired or purged tenant's id is refused everywhere, even
 * on the prefix that used to be its own; active tenants are unaffected.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildBlueprint } from '../../../lib/blueprint/app';
import { packTenantIds, RETIRED_POLICY_BUDGET } from '../../../lib/boundaries/identity/retired-tenants';
import { parseRegistry } from '../../../lib/core/registry';
import { newTestApp, placedRegistry } from '../../helpers/app';
import { arnOf, evaluate, identityPoliciesOf, resourcePolicyFor } from '../../helpers/iam-attack';
import { logicalIdsOfType, TemplateJson } from '../../helpers/template-resolver';

const registry = placedRegistry([
  { id: 'acme', status: 'active' },
  { id: 'acme-corp', status: 'retired' },
  { id: 'initech', status: 'purged' },
]);
const blueprint = buildBlueprint(newTestApp(), { registry });
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const roleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('TenantAccessRole'))!;
const bucketId = logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('PoolStorageBucket'))!;
const bucketArn = arnOf(platform, bucketId);
const request = (tenant: string, action: string, resource: string, context = {}) =>
  evaluate({
    roleArn: arnOf(platform, roleId),
    tenant,
    action,
    resource,
    identityPolicies: identityPoliciesOf(platform, roleId),
    resourcePolicy: resourcePolicyFor(platform, 'AWS::S3::BucketPolicy', 'Bucket', bucketId),
    context,
  });

test('purged tenants have no stack; retired tenants keep theirs', () => {
  expect(blueprint.tenants.map((t) => t.tenant.id.value)).toEqual(['acme', 'acme-corp']);
});

test.each(['acme-corp', 'initech'])('a session tagged %s (offboarded) cannot read, write or list its old prefix', async (tenant) => {
  expect(await request(tenant, 's3:GetObject', `${bucketArn}/tenants/${tenant}/x`)).toBe('ExplicitlyDenied');
  expect(await request(tenant, 's3:PutObject', `${bucketArn}/tenants/${tenant}/x`)).toBe('ExplicitlyDenied');
  expect(await request(tenant, 's3:ListBucket', bucketArn, { 's3:prefix': `tenants/${tenant}/` })).toBe('ExplicitlyDenied');
});

test('an active tenant whose id is a prefix of a retired one is unaffected', async () => {
  expect(await request('acme', 's3:GetObject', `${bucketArn}/tenants/acme/x`)).toBe('Allowed');
});

test('retired ids are packed into managed policies within the IAM size quota', () => {
  const ids = Array.from({ length: 500 }, (_, i) => `retired-tenant-number-${i}`);
  const groups = packTenantIds(ids);
  expect(groups.flat()).toEqual(ids);
  for (const g of groups) expect(JSON.stringify(g).length).toBeLessThanOrEqual(RETIRED_POLICY_BUDGET + 2);
});

test('too many offboarded tenants fail synth with the fix named', () => {
  const many = Array.from({ length: 800 }, (_, i) => ({ id: `retired-tenant-with-a-long-name-${i}`, status: 'purged' }));
  expect(() => buildBlueprint(newTestApp(), { registry: parseRegistry(JSON.stringify({ version: 1, tenants: many })) })).toThrow(
    /800 retired\/purged tenants need \d+ deny policies on TenantAccessRole.*managed policies per role/,
  );
});
