/**
 * The symbols of the tenant access surface (lib/audit/surface.ts), one case per symbol, on the
 * smallest hand-written assemblies: `{tenant}` for the session's own tenant (variable, session
 * policy placeholder, the literal id of the role's own tenant), `{any-tenant}` for a wildcard in
 * the tenant position, `{other-tenant:<id>}` for another tenant's literal id, `{account}` /
 * `{region}` for the assembly's own, and construct-path-less names as `<stack>/<logical id>`.
 */
import { runAudit } from '../../lib/audit/audit';
import { parseConfig } from '../../lib/audit/config';
import { renderSurface } from '../../lib/audit/report/surface';
import { abacRole, NULL_TAG_DENY, poolBucket, poolObjects, SCOPED_POOL_STATEMENTS, tmpDir, writeAssembly } from './fixtures/assembly-builder';

const queue = (name: string) => ({ Type: 'AWS::SQS::Queue', Properties: { QueueName: name } });
const queueArn = (name: string) => ({ 'Fn::Join': ['', ['arn:aws:sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${name}`]] });

async function surfaceOf(stacks: Parameters<typeof writeAssembly>[1], configText = '{}'): Promise<string> {
  const dir = writeAssembly(tmpDir('surface-symbols'), stacks);
  return renderSurface(await runAudit(dir, { config: parseConfig(configText, 'test config') }));
}

test('1. {tenant}, {any-tenant} and {other-tenant:<id>} in an ABAC role grants; the pool bucket by name', async () => {
  const s = await surfaceOf({
    Platform: {
      resources: {
        ...poolBucket(),
        TenantRole: abacRole([
          ...SCOPED_POOL_STATEMENTS,
          { Sid: 'Reports', Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects('tenants/*/reports/*') },
          { Sid: 'Globex', Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects('tenants/globex/*') },
        ]),
      },
    },
  });
  expect(s).toContain('principal <Platform/TenantRole> (role TenantRole)\n  acts as: every tenant, one session per tenant (session tag TenantId)\n');
  expect(s).toContain('    Allow s3:DeleteObject, s3:GetObject, s3:PutObject\n      on <Platform/PoolBucket>/tenants/{tenant}/*\n');
  expect(s).toContain('    Allow s3:ListBucket\n      on <Platform/PoolBucket>\n      when StringLike s3:prefix tenants/{tenant}/*\n');
  expect(s).toContain('    Allow s3:GetObject\n      on <Platform/PoolBucket>/tenants/{any-tenant}/reports/*\n');
  expect(s).toContain('    Allow s3:GetObject\n      on <Platform/PoolBucket>/tenants/{other-tenant:globex}/*\n');
  expect(s).toContain('  *:\n    Deny *\n      on *\n      when Null aws:PrincipalTag/TenantId true\n');
});

test('2. a role that belongs to a tenant: its own id is {tenant}, another tenant is named; account and Region are symbolic', async () => {
  const worker = (tenant: string, extra: unknown[] = []) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: `worker-${tenant}`,
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] },
      Policies: [
        {
          PolicyName: 'jobs',
          PolicyDocument: {
            Statement: [{ Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: queueArn(`tenant-${tenant}-jobs`) }, ...extra],
          },
        },
      ],
    },
  });
  const s = await surfaceOf({
    'Tenant-acme': { tags: { TenantId: 'acme' }, resources: { Queue: queue('tenant-acme-jobs'), Worker: worker('acme') } },
    'Tenant-initech': { tags: { TenantId: 'initech' }, resources: { Queue: queue('tenant-initech-jobs'), Worker: worker('initech') } },
    'Tenant-globex': {
      tags: { TenantId: 'globex' },
      resources: {
        Queue: queue('tenant-globex-jobs'),
        Worker: worker('globex', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn('tenant-acme-jobs') }]),
      },
    },
  });
  // acme and initech have one shape: one entry listing both. globex differs: its own entry names acme as another tenant.
  expect(s).toContain(
    'principal <Tenant-{tenant}/Worker> (role worker-{tenant})\n  acts as: belongs to its tenant (TenantId tag on the role or its stack)\n  tenants: acme, initech\n  sqs queue:\n    Allow sqs:DeleteMessage, sqs:ReceiveMessage\n      on <Tenant-{tenant}/Queue>\n    no fence: <Tenant-{owner}/Queue>\n',
  );
  expect(s).toContain('  tenants: globex\n');
  expect(s).toContain('    Allow sqs:SendMessage\n      on <Tenant-{other-tenant:acme}/Queue>\n');
  expect(s).not.toMatch(/111111111111|us-east-1/);
});

test('3. a declared session policy: its statements with {{tenant}} as {tenant}, beside the role policy', async () => {
  const s = await surfaceOf(
    {
      Platform: {
        resources: {
          ...poolBucket(),
          VendedRole: {
            Type: 'AWS::IAM::Role',
            Properties: {
              RoleName: 'VendedRole',
              AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111111111111:role/app' } }] },
              Policies: [{ PolicyName: 'all', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects('*') }, NULL_TAG_DENY] } }],
            },
          },
        },
      },
    },
    JSON.stringify({
      sessionPolicies: { VendedRole: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::pool-bucket/tenants/{{tenant}}/*` }] } },
    }),
  );
  expect(s).toContain('  acts as: every tenant, narrowed at run time by the declared session policy\n');
  expect(s).toContain('    Allow s3:GetObject\n      on <Platform/PoolBucket>/*\n');
  expect(s).toContain('    Allow s3:GetObject (session policy)\n      on <Platform/PoolBucket>/tenants/{tenant}/*\n');
});
