/**
 * The cache construct as synthesized: cells, users, encryption, placement errors, the template
 * copy of the access string, cdk-nag, and the IAM side (secrets / elasticache:Connect) attacked
 * with the policy evaluator: tenant `acme` against `acme-corp`.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fs from 'fs';
import * as path from 'path';
import { buildBlueprint } from '../../../lib/blueprint/app';
import { TenantCache } from '../../../lib/boundaries/cache/cache';
import { PlatformNetwork } from '../../../lib/blueprint/network';
import { cacheTenants } from '../../../lib/blueprint/platform-stack';
import { DISABLED_DEFAULT_USER_ACCESS_STRING, tenantAccessString } from '../../../lib/core/cache-acl';
import { placeTenantsInCacheCells } from '../../../lib/core/placement';
import { parseRegistry, TenantEntry } from '../../../lib/core/registry';
import { TenantId } from '../../../lib/core/tenant-id';
import { newTestApp, testBlueprint } from '../../helpers/app';
import { CELL_REGISTRY } from '../../helpers/cache-cell-server';
import { synthesizeCache } from '../../helpers/cache-users';
import { Decision, evaluate, identityPoliciesOf, arnOf } from '../../helpers/iam-attack';
import { logicalIdsOfType, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const { account, region } = TEST_ENV;
const synth = synthesizeCache(CELL_REGISTRY);
const nested = (cell: string) => {
  const group = synth.groups.find((g) => g.userGroupId === cell)!;
  return Template.fromJSON(synth.templates[group.template]);
};

function registry(tenants: object[]) {
  return parseRegistry(JSON.stringify({ version: 1, tenants }), 'test');
}

describe('cells and users', () => {
  test('pool tenants share cell 0; the silo tenant has a dedicated cell with no tenant name in its DNS-visible name', () => {
    expect(synth.groups).toHaveLength(2);
    const shared = synth.groups.find((g) => g.userGroupId === 'tib-cache-0')!;
    // The retired tenant (initech) keeps its user (off) but is not a member: removal from the
    // group is what drops its open connections (offboard-connections.test.ts).
    expect([...shared.userIds].sort()).toEqual(['tib-acme', 'tib-acme-corp', 'tib-cache-0-default']);
    const silo = synth.groups.find((g) => g.userGroupId !== 'tib-cache-0')!;
    expect([...silo.userIds].sort()).toEqual([`${silo.userGroupId}-default`, 'tib-globex']);
    expect(silo.userGroupId).toMatch(/^tib-cache-s[0-9a-f]{10}$/);
  });

  test('each tenant user: id == name, tagged TenantId, access string from cache-acl.ts; retired tenants off', () => {
    const tenants = synth.users.filter((u) => u.userName !== 'default');
    expect(tenants.map((u) => [u.userId, u.userName, u.tenantTag, u.authenticationType])).toEqual(
      expect.arrayContaining([
        ['tib-acme', 'tib-acme', 'acme', 'password'],
        ['tib-acme-corp', 'tib-acme-corp', 'acme-corp', 'password'],
        ['tib-globex', 'tib-globex', 'globex', 'password'],
        ['tib-initech', 'tib-initech', 'initech', 'password'],
      ]),
    );
    expect(tenants).toHaveLength(4);
    for (const u of tenants) {
      const id = TenantId.parse(u.tenantTag);
      expect(u.accessString).toBe(tenantAccessString(id, { enabled: u.userName !== 'tib-initech' }));
    }
    expect(synth.users.find((u) => u.userName === 'tib-initech')!.accessString.startsWith('off ')).toBe(true);
  });

  test('every cell has a user named default, disabled with no commands, keys or channels', () => {
    const defaults = synth.users.filter((u) => u.userName === 'default');
    expect(defaults).toHaveLength(2);
    for (const d of defaults) {
      expect(d.accessString).toBe(DISABLED_DEFAULT_USER_ACCESS_STRING);
      expect(d.accessString).toBe('off resetchannels -@all');
      expect(d.userId).not.toBe('default'); // AWS's own default user (on, nopass, ~* +@all) is never used
    }
  });

  test('serverless Valkey, customer-managed key, isolated subnets, its security group, the cell user group, retained', () => {
    nested('tib-cache-0').hasResource('AWS::ElastiCache::ServerlessCache', {
      DeletionPolicy: 'Retain',
      Properties: {
        Engine: 'valkey',
        MajorEngineVersion: '8',
        ServerlessCacheName: 'tib-cache-0',
        UserGroupId: 'tib-cache-0',
        KmsKeyId: { Ref: Match.stringLikeRegexp('^referencetoPlatformCacheKey') },
        SubnetIds: [{ Ref: Match.stringLikeRegexp('NetworkVpcdataSubnet1') }, { Ref: Match.stringLikeRegexp('NetworkVpcdataSubnet2') }],
        SecurityGroupIds: [{ Ref: Match.stringLikeRegexp('CacheSecurityGroup') }],
      },
      DependsOn: ['UserGroup'],
    });
    nested('tib-cache-0').hasResourceProperties('AWS::ElastiCache::User', {
      UserName: 'tib-acme',
      AuthenticationMode: { Type: 'password', Passwords: [Match.objectLike({ 'Fn::Join': Match.anyValue() })] },
    });
  });

  test('the security group admits nobody until allowFrom, and the key rotates and is retained', () => {
    const { blueprint } = testBlueprint(['acme']);
    const t = Template.fromStack(blueprint.platform);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Tenant cache cells'),
      SecurityGroupIngress: Match.absent(),
    });
    t.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { Description: Match.stringLikeRegexp('^Tenant cache cells'), EnableKeyRotation: true },
    });
  });

  test('the reviewed template under policies/cache is the access string the module builds', () => {
    const template = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'policies', 'cache', 'tenant-access-string.txt'), 'utf8');
    const line = template.split('\n').find((l) => l.startsWith('on '))!;
    for (const id of ['acme', 'acme-corp']) {
      expect(line.split('{{TENANT_ID}}').join(id)).toBe(tenantAccessString(TenantId.parse(id)));
    }
    expect(template).toContain(DISABLED_DEFAULT_USER_ACCESS_STRING);
  });
});

describe('scale', () => {
  test("a full cell (99 tenants) is one nested template of 301 resources, below CloudFormation's 500", () => {
    const app = newTestApp();
    const stack = new Stack(app, 'CacheOnly');
    const ids = Array.from({ length: 199 }, (_, i) => ({ id: `t${String(i).padStart(3, '0')}` }));
    const tenants = placeTenantsInCacheCells(registry(ids).tenants as TenantEntry[]);
    const cache = new TenantCache(stack, 'Cache', { qualifier: 'tib', tenants: cacheTenants(tenants), vpc: new PlatformNetwork(stack, 'Network').vpc });
    const counts = [...cache.cells.values()].map((cell) => Object.keys(Template.fromStack(cell).toJSON().Resources).length);
    // per tenant: user + secret + endpoint parameter; per cell: cache, user group, default user and its secret
    expect(counts).toEqual([99 * 3 + 4, 99 * 3 + 4, 1 * 3 + 4]);
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::CloudFormation::Stack'))).toHaveLength(3);
  });
});

describe('placement is enforced at synth', () => {
  const build =
    (tenants: object[], context: Record<string, unknown> = {}) =>
    () =>
      buildBlueprint(newTestApp({ context }), { registry: registry(tenants) });

  test('a pool tenant without a cell fails, naming the tenant and the fix', () => {
    expect(build([{ id: 'acme', placement: { cacheCell: 0 } }, { id: 'acme-corp' }])).toThrow(
      /^Platform\/Cache: invalid props \(1\):\n {2}- tenants: invalid cache placement: pool tenants without a cache cell: acme-corp\. Place them with placeTenantsInCacheCells/,
    );
  });

  test('a cell with 100 tenants fails, naming the cell and its tenants', () => {
    const tenants = Array.from({ length: 100 }, (_, i) => ({ id: `t${String(i).padStart(3, '0')}`, placement: { cacheCell: 2 } }));
    expect(build(tenants)).toThrow(/cache cell 2 holds 100 tenants, more than 99 .*: t000, t001, .*t099\./);
  });

  test('account quotas are enforced at synth, and a raised quota passed as context is honoured', () => {
    // The default figures (100 user groups, 1,000 users) are tested on the pure function in
    // placement.test.ts; here a small quota keeps the app small.
    const silos = ['s-one', 's-two', 's-three'].map((id) => ({ id, tier: 'silo' }));
    expect(build(silos, { elasticacheQuotas: '{"users":1000,"userGroups":2}' })).toThrow(
      /3 cache cells \(0 shared \+ 3 silo\) exceed the ElastiCache quota of 2 user groups per account and Region/,
    );
    expect(build(silos, { elasticacheQuotas: { users: 5, userGroups: 3 } })).toThrow(
      /6 cache users \(3 tenants \+ 3 default users\) exceed the ElastiCache quota of 5 users/,
    );
    expect(build(silos, { elasticacheQuotas: '{"users":6,"userGroups":3}' })).not.toThrow();
    expect(build(silos, { elasticacheQuotas: { users: '6' } })).toThrow(
      /quotas\.users: "6" — must be a positive integer\n {2}- quotas\.userGroups: undefined — must be a positive integer/,
    );
  });
});

describe('cdk-nag AwsSolutions', () => {
  function cacheApp(authentication: 'password' | 'iam') {
    const app = newTestApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'CacheOnly');
    const role = new iam.Role(stack, 'TenantRole', { assumedBy: new iam.AccountRootPrincipal() });
    const tenants = placeTenantsInCacheCells(CELL_REGISTRY.tenants as TenantEntry[]);
    const cache = new TenantCache(stack, 'Cache', { qualifier: 'tib', tenants: cacheTenants(tenants), vpc: new PlatformNetwork(stack, 'Network').vpc, authentication });
    cache.grantTenantAccess(role);
    return { app, cache };
  }

  test.each(['password', 'iam'] as const)('the cache boundary (%s authentication) synthesizes with zero unacknowledged findings', (auth) => {
    const { app } = cacheApp(auth);
    expect(() => app.synth()).not.toThrow();
  });

  test('control: the pack does inspect resources inside the nested cell stacks', () => {
    const { app, cache } = cacheApp('password');
    new secretsmanager.Secret(cache.cells.get('tib-cache-0')!, 'UnrotatedProbe');
    expect(() => app.synth()).toThrow(/Cell0\/UnrotatedProbe\/Resource[\s\S]*AwsSolutions-SMG4/);
  });

  test('every acknowledgement in the cache boundary carries a reason', () => {
    const { cache } = cacheApp('iam');
    const acks = cache.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) {
      expect(id).toMatch(
        /^(Annotation::)?(AwsSolutions-(SMG4|IAM5)|TI-RETAIN1\[(DeletionPolicy|UpdateReplacePolicy)::Delete\]|TI-IAM3\[DenyAllTenantSessions::Null:aws:PrincipalTag\/TenantId\])/,
      );
      expect(String(reason).length).toBeGreaterThan(40);
    }
  });
});

describe('IAM: a TenantAccessRole session reaches only its own cache credentials and user', () => {
  function platformPolicies(auth: 'password' | 'iam') {
    const app = newTestApp({ context: { cacheAuthentication: auth } });
    const blueprint = buildBlueprint(app, { registry: CELL_REGISTRY });
    const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
    const roleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('TenantAccessRole'))!;
    return { roleArn: arnOf(platform, roleId), identity: identityPoliciesOf(platform, roleId) };
  }
  const secretArn = (tenant: string) => `arn:aws:secretsmanager:${region}:${account}:secret:tib/cache/tenant/${tenant}/credentials-AbCdEf`;
  const userArn = (name: string) => `arn:aws:elasticache:${region}:${account}:user:${name}`;

  const passwordCases: Array<[string, string | undefined, string, string, string, Decision]> = [
    ['own secret', 'acme', 'secretsmanager:GetSecretValue', secretArn('acme'), 'acme', 'Allowed'],
    ["acme-corp's secret", 'acme', 'secretsmanager:GetSecretValue', secretArn('acme-corp'), 'acme-corp', 'ImplicitlyDenied'],
    ["acme's secret from acme-corp", 'acme-corp', 'secretsmanager:GetSecretValue', secretArn('acme'), 'acme', 'ImplicitlyDenied'],
    ['a secret named for acme but tagged acme-corp', 'acme', 'secretsmanager:GetSecretValue', secretArn('acme'), 'acme-corp', 'ImplicitlyDenied'],
    [
      "a cell default user's secret",
      'acme',
      'secretsmanager:GetSecretValue',
      `arn:aws:secretsmanager:${region}:${account}:secret:tib-cache-0/default-user-AbCdEf`,
      'acme',
      'ImplicitlyDenied',
    ],
    ['own secret without a tenant tag on the session', undefined, 'secretsmanager:GetSecretValue', secretArn('acme'), 'acme', 'ExplicitlyDenied'],
    ['own endpoint parameter', 'acme', 'ssm:GetParameter', `arn:aws:ssm:${region}:${account}:parameter/tib/cache/tenants/acme`, 'acme', 'Allowed'],
    [
      "acme-corp's endpoint parameter",
      'acme',
      'ssm:GetParameter',
      `arn:aws:ssm:${region}:${account}:parameter/tib/cache/tenants/acme-corp`,
      'acme-corp',
      'ImplicitlyDenied',
    ],
  ];
  const { roleArn, identity } = platformPolicies('password');
  test.each(passwordCases)('password mode: %s', async (_name, tenant, action, resource, resourceTenant, expected) => {
    expect(await evaluate({ roleArn, tenant, action, resource, identityPolicies: identity, context: { 'aws:ResourceTag/TenantId': resourceTenant } })).toBe(expected);
  });

  const iamCases: Array<[string, string, string, Decision]> = [
    ['connect as its own user', 'acme', userArn('tib-acme'), 'Allowed'],
    ["connect as acme-corp's user", 'acme', userArn('tib-acme-corp'), 'ImplicitlyDenied'],
    ['connect as a cell default user', 'acme', userArn('tib-cache-0-default'), 'ImplicitlyDenied'],
    ['connect to a blueprint cache', 'acme', `arn:aws:elasticache:${region}:${account}:serverlesscache:tib-cache-0`, 'Allowed'],
    ['connect to a cache outside the blueprint', 'acme', `arn:aws:elasticache:${region}:${account}:serverlesscache:other-cache`, 'ImplicitlyDenied'],
  ];
  const iamMode = platformPolicies('iam');
  test.each(iamCases)('iam mode: %s', async (_name, tenant, resource, expected) => {
    expect(await evaluate({ roleArn: iamMode.roleArn, tenant, action: 'elasticache:Connect', resource, identityPolicies: iamMode.identity })).toBe(expected);
  });
});
