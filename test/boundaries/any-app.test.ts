/**
 * The boundary constructs in an app that is not the blueprint: a plain stack with its own VPC,
 * tenants as plain strings, no registry and no PlatformNetwork. Bad props fail with one
 * aws-cdk-lib ValidationError naming the construct path, every prop and its value; tokens are
 * never judged.
 */
import { App, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TenantAnalyticsWorkgroup } from '../../lib/boundaries/analytics/analytics-workgroup';
import { TenantCache } from '../../lib/boundaries/cache/cache';
import { TenantAccessRole } from '../../lib/boundaries/identity/tenant-access-role';
import { RetiredTenantsDeny } from '../../lib/boundaries/identity/retired-tenants';
import { TenantJobsAccess } from '../../lib/boundaries/jobs/jobs-access';
import { TenantQueues } from '../../lib/boundaries/jobs/tenant-queues';
import { TenantSearch } from '../../lib/boundaries/search/search';
import { SiloStorage } from '../../lib/boundaries/storage/silo-storage';
import { SupportAccessRole } from '../../lib/boundaries/support/support-access';

function userApp() {
  const app = new App();
  const stack = new Stack(app, 'UserApp');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const role = new iam.Role(stack, 'AppTenantRole', { assumedBy: new iam.AccountRootPrincipal() });
  return { app, stack, vpc, role };
}

/** The error a construct throws, with its type checked. */
function errorOf(build: () => unknown): Error {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).constructor.name).toBe('ValidationError');
    return e as Error;
  }
  throw new Error('expected the construct to refuse its props');
}

describe('constructs in a user app: own VPC, plain tenant ids', () => {
  test('cache, search, queues, silo storage, workgroup and grants build from plain settings', () => {
    const { stack, vpc, role } = userApp();
    const cache = new TenantCache(stack, 'Cache', {
      qualifier: 'app',
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      tenants: [
        { id: 'acme', cacheCell: 0 },
        { id: 'acme-corp', cacheCell: 0, retired: true },
        { id: 'globex', tier: 'silo' },
      ],
    });
    cache.grantTenantAccess(role);
    const search = new TenantSearch(stack, 'Search', { domainName: 'app-search', vpc, tenantCount: 3 });
    search.grantTenantAccess(role);
    new TenantJobsAccess(stack, 'Jobs', { qualifier: 'app' }).grantTenantAccess(role);
    new TenantQueues(stack, 'AcmeJobs', { tenant: 'acme', qualifier: 'app', tenantAccessRoleArn: role.roleArn });
    new SiloStorage(stack, 'GlobexData', { tenant: 'globex', tenantAccessRoleArn: role.roleArn, accessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'logs') });
    new TenantAnalyticsWorkgroup(stack, 'AcmeWorkgroup', { tenant: 'acme', qualifier: 'app' });

    // One shared cell and one silo cell, placed in the user's VPC isolated subnets.
    const cells = [...cache.cells.keys()].sort();
    expect(cells).toHaveLength(2);
    expect(cells[0]).toBe('app-cache-0');
    expect(cells[1]).toMatch(/^app-cache-s[0-9a-f]{10}$/);
    const cell0 = Template.fromStack(cache.cells.get('app-cache-0')!);
    const users = Object.values(cell0.findResources('AWS::ElastiCache::User')).map((u) => u.Properties);
    const acme = users.find((u) => u.UserName === 'app-acme')?.AccessString as string;
    expect(acme).toMatch(/^on .* ~tenant:acme:\* &tenant:acme:\*$/);
    // The retired tenant keeps its user, switched off.
    expect(users.find((u) => u.UserName === 'app-acme-corp')?.AccessString).toMatch(/^off .* ~tenant:acme-corp:\*/);
    const t = Template.fromStack(stack);
    const isolated = vpc.isolatedSubnets.map((s) => stack.resolve(s.subnetId));
    const domain = Object.values(t.findResources('AWS::OpenSearchService::Domain'))[0];
    expect(domain.Properties.VPCOptions.SubnetIds.every((id: unknown) => isolated.some((i) => JSON.stringify(i) === JSON.stringify(id)))).toBe(true);
    // grantTenantAccess fenced the user's own role in the domain policy.
    expect(JSON.stringify(domain.Properties.AccessPolicies)).toContain('AppTenantRole');
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'app-tenant-acme-jobs' });
    t.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'tenant-acme-analytics' });
    // The role got each boundary's managed policy.
    const attached = JSON.stringify(t.findResources('AWS::IAM::Role')[stack.getLogicalId(role.node.defaultChild as iam.CfnRole)].Properties.ManagedPolicyArns);
    for (const id of ['TenantCacheAccess', 'TenantSearchAccess', 'JobsPolicy']) expect(attached).toContain(id);
  });
});

describe('an app without @aws-cdk/aws-iam:minimizePolicies', () => {
  test('the support trust keeps AssumeRole and SetSourceIdentity in one statement, within the 2,048 quota', () => {
    const app = new App({ context: { '@aws-cdk/aws-iam:minimizePolicies': false } });
    const stack = new Stack(app, 'UserApp');
    const engineer = new iam.Role(stack, 'Engineer', { assumedBy: new iam.AccountRootPrincipal() });
    new SupportAccessRole(stack, 'Support', { roleName: 'user-app-support', supportPrincipals: [engineer] });
    // Synthesizes: the trust-size validation would throw here if the statements were split.
    const assembly = app.synth();
    const template = assembly.getStackByName('UserApp').template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const trust = Object.values(template.Resources).find((r) => r.Type === 'AWS::IAM::Role' && (r.Properties.RoleName as string) === 'user-app-support')!.Properties
      .AssumeRolePolicyDocument as { Statement: Array<{ Effect: string; Action: string | string[] }> };
    const allows = trust.Statement.filter((st) => st.Effect === 'Allow').map((st) => st.Action);
    expect(allows).toEqual([['sts:AssumeRole', 'sts:SetSourceIdentity'], 'sts:TagSession']);
    expect(JSON.stringify(trust).length).toBeLessThanOrEqual(2048);
  });
});

describe('bad props: one ValidationError naming the path, each prop and its value', () => {
  test('every bad cache tenant is reported together, by index', () => {
    const { stack, vpc } = userApp();
    const e = errorOf(
      () =>
        new TenantCache(stack, 'Cache', {
          qualifier: 'app',
          vpc,
          tenants: [
            { id: 'Acme', cacheCell: 0 },
            { id: 'globex', tier: 'gold' as never },
            { id: 'initech', cacheCell: -1 },
          ],
        }),
    );
    expect(e.message).toBe(
      [
        'UserApp/Cache: invalid props (3):',
        '  - tenants[0].id: "Acme" — must be a valid tenant id: only lowercase letters a-z, digits and hyphens are allowed; found "A" (rule: charset)',
        '  - tenants[1].tier: "gold" — must be "pool" or "silo"',
        '  - tenants[2].cacheCell: -1 — must be a non-negative integer',
      ].join('\n'),
    );
  });

  test('a pool tenant without a cell names the fix; a bad tenant id of a single-tenant construct names the rule', () => {
    const { stack, vpc, role } = userApp();
    expect(errorOf(() => new TenantCache(stack, 'Cache', { qualifier: 'app', vpc, tenants: [{ id: 'acme' }] })).message).toMatch(
      /^UserApp\/Cache: invalid props \(1\):\n {2}- tenants: invalid cache placement: pool tenants without a cache cell: acme\. Place them with placeTenantsInCacheCells/,
    );
    expect(errorOf(() => new TenantQueues(stack, 'Jobs', { tenant: 'admin', qualifier: 'app', tenantAccessRoleArn: role.roleArn })).message).toBe(
      'UserApp/Jobs: invalid props (1):\n  - tenant: "admin" — must be a valid tenant id: "admin" is a reserved word (rule: reserved)',
    );
    expect(errorOf(() => new RetiredTenantsDeny(stack, 'Retired', { role, tenants: ['acme', 'acme--x'] })).message).toBe(
      'UserApp/Retired: invalid props (1):\n  - tenants[1]: "acme--x" — must be a valid tenant id: must not contain two consecutive hyphens (rule: double-hyphen)',
    );
  });

  test('a tenant id that is a token is refused: it names resources and policies at synth', () => {
    const { stack, role } = userApp();
    const tokenId = Lazy.string({ produce: () => 'acme' });
    expect(errorOf(() => new TenantAnalyticsWorkgroup(stack, 'Wg', { tenant: tokenId, qualifier: 'app' })).message).toMatch(
      /^UserApp\/Wg: invalid props \(1\):\n {2}- tenant: "\$\{Token\[TOKEN\.\d+\]\}" — must be known at synth, not a token/,
    );
    expect(
      () => new SiloStorage(stack, 'S', { tenant: tokenId, tenantAccessRoleArn: role.roleArn, accessLogsBucket: s3.Bucket.fromBucketName(stack, 'L', 'logs-bucket') }),
    ).toThrow(/- tenant: .* — must be known at synth, not a token/);
  });

  test('other token values are not judged: a role name or count known only at deploy passes validation', () => {
    const { stack, role } = userApp();
    const name = Lazy.string({ produce: () => 'not a valid name at all' });
    expect(Token.isUnresolved(name)).toBe(true);
    expect(() => new TenantAccessRole(stack, 'Tar', { broker: role, roleName: name })).not.toThrow();
    expect(
      () =>
        new TenantQueues(stack, 'Jobs', {
          tenant: 'acme',
          qualifier: 'app',
          tenantAccessRoleArn: role.roleArn,
          maxReceiveCount: Token.asNumber(Lazy.number({ produce: () => 0 })),
        }),
    ).not.toThrow();
    // The same values, resolved, are refused.
    expect(errorOf(() => new TenantAccessRole(stack, 'Tar2', { broker: role, roleName: 'not a valid name at all' })).message).toMatch(
      /- roleName: "not a valid name at all" — must be a valid IAM role name/,
    );
    expect(errorOf(() => new SupportAccessRole(stack, 'Support', { roleName: 'ok', supportPrincipals: [new iam.AnyPrincipal()] })).message).toMatch(
      /- supportPrincipals\[0\]: AnyPrincipal: name people, not the whole account/,
    );
  });
});
