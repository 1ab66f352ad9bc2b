/**
 * TenantAccessRole's policies must not grow with the number of tenants (ABAC): measured on the
 * synthesized platform template at 3 and at 1,000 tenants.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { PlatformStack } from '../../lib/blueprint/platform-stack';
import { rolePolicySizes } from '../../lib/blueprint/policy-size';
import { newTestApp, testRegistry } from '../helpers/app';

function platformSizes(tenantCount: number) {
  const ids = Array.from({ length: tenantCount }, (_, i) => `tenant-${String(i).padStart(4, '0')}${i % 10 === 0 ? ':silo' : ''}`);
  // 1,000 tenants (100 of them silo, each with a dedicated cache cell) need 1,110 ElastiCache users and
  // 110 user groups: more than the default quotas (1,000 / 100), which the cache construct enforces.
  const app = newTestApp({ context: { elasticacheQuotas: { users: 2000, userGroups: 200 } } });
  const stack = new PlatformStack(app, 'Platform', { qualifier: 'tib', tenants: testRegistry(ids).tenants });
  const template = Template.fromStack(stack).toJSON();
  const roleId = Object.keys(template.Resources).find((id) => template.Resources[id].Properties?.RoleName === 'tib-TenantAccessRole')!;
  const sizes = rolePolicySizes(template as Parameters<typeof rolePolicySizes>[0], roleId);
  // The DynamoDB statements (pooled table and silo tables) as text: ABAC, so identical at any tenant count.
  const dynamodb = Object.values(template.Resources as Record<string, { Type: string; Properties?: { Roles?: unknown; PolicyDocument?: { Statement: unknown[] } } }>)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(roleId))
    .flatMap((r) => r.Properties!.PolicyDocument!.Statement)
    .filter((st) => JSON.stringify(st).includes('dynamodb:'));
  // The email (SES) policy as text: ABAC on the session tag, identical at any tenant count (docs/email.md).
  const email = Object.entries(template.Resources as Record<string, { Type: string; Properties?: { PolicyDocument?: unknown } }>)
    .filter(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && id.startsWith('EmailAccessPolicy'))
    .map(([, r]) => r.Properties!.PolicyDocument);
  return { ...sizes, dynamodb: JSON.stringify(dynamodb), email: JSON.stringify(email) };
}

test('TenantAccessRole policy size is the same at 3 and at 1,000 tenants, and within IAM quotas', () => {
  const small = platformSizes(3);
  const large = platformSizes(1000);
  // eslint-disable-next-line no-console
  console.log(
    `TenantAccessRole policy characters: 3 tenants ${JSON.stringify({ ...small, dynamodb: small.dynamodb.length, email: small.email.length })}; 1,000 tenants ${JSON.stringify({ ...large, dynamodb: large.dynamodb.length, email: large.email.length })}`,
  );
  expect(large).toEqual(small);
  expect(small.dynamodb).toContain('dynamodb:LeadingKeys');
  expect(small.email).toContain('"ses:TenantName":"tib-tenant-${aws:PrincipalTag/TenantId}"');
  expect(small.trust).toBeLessThanOrEqual(2048); // IAM: trust policy 2,048 characters by default
  expect(small.inline).toBeLessThanOrEqual(10240); // IAM: inline policies per role, total
  for (const n of Object.values(small.managed)) expect(n).toBeLessThanOrEqual(6144); // IAM: managed policy
});
