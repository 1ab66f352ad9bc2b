/**
 * Proof that the audit finds real leaks: each case is a small hand-made assembly with one kind
 * of leak, and the audit must report it with the right rule at the right logical id; each clean
 * counterpart must produce no failing finding.
 */
import { runAudit } from '../../lib/audit/audit';
import { Finding } from '../../lib/audit/findings';
import {
  abacRole,
  FixtureStack,
  LOOSE_TRUST,
  NULL_TAG_DENY,
  poolBucket,
  poolBucketArn,
  poolObjects,
  SCOPED_POOL_STATEMENTS,
  siloBucket,
  siloObjects,
  TAG,
  tenantRoleArn,
  tmpDir,
  writeAssembly,
} from './fixtures/assembly-builder';

interface Case {
  readonly name: string;
  readonly stacks: Record<string, FixtureStack>;
  /** [rule, logical id of the statement/resource to fix] pairs that must be reported. */
  readonly expected: ReadonlyArray<readonly [string, string]>;
}

const platform = (resources: FixtureStack['resources']): Record<string, FixtureStack> => ({ Platform: { resources } });

const SILO_CLEAN = [
  { Effect: 'Deny', Principal: { AWS: tenantRoleArn }, Action: 's3:*', Resource: siloObjects, Condition: { StringNotEquals: { 'aws:PrincipalTag/TenantId': 'globex' } } },
  {
    Effect: 'Allow',
    Principal: { AWS: tenantRoleArn },
    Action: 's3:GetObject',
    Resource: siloObjects,
    Condition: { StringEquals: { 'aws:PrincipalTag/TenantId': 'globex' } },
  },
];

const LEAKS: Case[] = [
  {
    name: 'unscoped grant on the pool bucket',
    stacks: platform({ ...poolBucket(), TenantRole: abacRole([{ Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects('*') }, NULL_TAG_DENY]) }),
    expected: [['TI-UNSCOPED-GRANT', 'TenantRole']],
  },
  {
    name: 'missing delimiter tenants/${tag}*',
    stacks: platform({ ...poolBucket(), TenantRole: abacRole([{ Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects(`tenants/${TAG}*`) }, NULL_TAG_DENY]) }),
    expected: [['TI-MISSING-DELIMITER', 'TenantRole']],
  },
  {
    name: 'suffix pattern tenants/*${tag}/* lets cme reach acme',
    stacks: platform({ ...poolBucket(), TenantRole: abacRole([{ Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects(`tenants/*${TAG}/*`) }, NULL_TAG_DENY]) }),
    expected: [['TI-CROSS-TENANT', 'TenantRole']],
  },
  {
    name: 'single-character wildcard tenants/${tag}?/* lets acme reach acmeq',
    stacks: platform({ ...poolBucket(), TenantRole: abacRole([{ Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects(`tenants/${TAG}?/*`) }, NULL_TAG_DENY]) }),
    expected: [['TI-MISSING-DELIMITER', 'TenantRole']],
  },
  {
    name: 'fail-open StringEqualsIfExists on a tag the pool objects lack',
    stacks: platform({
      ...poolBucket(),
      TenantRole: abacRole([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects('*'), Condition: { StringEqualsIfExists: { 'aws:ResourceTag/TenantId': TAG } } },
        NULL_TAG_DENY,
      ]),
    }),
    expected: [['TI-FAIL-OPEN-CONDITION', 'TenantRole']],
  },
  {
    name: 'fail-open ForAllValues without a Null guard',
    stacks: platform({
      ...poolBucket(),
      TenantRole: abacRole([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects('*'), Condition: { 'ForAllValues:StringEquals': { 'aws:ResourceTag/TenantId': [TAG] } } },
        NULL_TAG_DENY,
      ]),
    }),
    expected: [['TI-FAIL-OPEN-CONDITION', 'TenantRole']],
  },
  {
    name: 'wide bucket policy on a silo bucket (Principal *)',
    stacks: platform({
      TenantRole: abacRole(SCOPED_POOL_STATEMENTS),
      ...siloBucket('globex', [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: siloObjects }]),
    }),
    expected: [['TI-WIDE-RESOURCE-POLICY', 'SiloBucketPolicy']],
  },
  {
    name: 'silo bucket policy names the shared role without a tenant condition',
    stacks: platform({
      TenantRole: abacRole(SCOPED_POOL_STATEMENTS),
      ...siloBucket('globex', [{ Effect: 'Allow', Principal: { AWS: tenantRoleArn }, Action: 's3:GetObject', Resource: siloObjects }]),
    }),
    expected: [['TI-WIDE-RESOURCE-POLICY', 'SiloBucketPolicy']],
  },
  {
    name: 'session without tag reaches data (IfExists on the principal tag, no Null deny)',
    stacks: platform({
      ...poolBucket(),
      TenantRole: abacRole(
        [
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: poolObjects('tenants/*'),
            Condition: { StringEqualsIfExists: { 'aws:PrincipalTag/TenantId': 'nobody-x' } },
          },
        ],
        { Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Principal: { AWS: 'arn:aws:iam::111111111111:role/broker' } }] },
      ),
    }),
    expected: [['TI-UNTAGGED-SESSION', 'TenantRole']],
  },
  {
    name: 'bucket root listing without s3:prefix',
    stacks: platform({ ...poolBucket(), TenantRole: abacRole([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: poolBucketArn }, NULL_TAG_DENY]) }),
    expected: [['TI-CROSS-TENANT-LISTING', 'TenantRole']],
  },
  {
    name: 'pool key policy lets the role decrypt any encryption context',
    stacks: platform({
      ...poolBucket(),
      PoolKey: {
        Type: 'AWS::KMS::Key',
        Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: tenantRoleArn }, Action: 'kms:Decrypt', Resource: '*' }] } },
      },
      TenantRole: abacRole(SCOPED_POOL_STATEMENTS),
    }),
    expected: [['TI-WIDE-RESOURCE-POLICY', 'PoolKey']],
  },
  {
    name: 'trust policy accepts tag values that are not tenant ids',
    stacks: platform({ ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS, LOOSE_TRUST) }),
    expected: [['TI-TRUST-TAG-VALUE', 'TenantRole']],
  },
  {
    name: "a tenant-owned role reaches another tenant's silo bucket",
    stacks: {
      'Tenant-acme': {
        tags: { TenantId: 'acme' },
        resources: {
          AcmeWorker: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] },
              Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::*' }] } }],
            },
          },
        },
      },
      'Tenant-globex': { tags: { TenantId: 'globex' }, resources: { GlobexBucket: { Type: 'AWS::S3::Bucket', Properties: {} } } },
    },
    expected: [['TI-UNSCOPED-GRANT', 'AcmeWorker']],
  },
  {
    name: 'grant through a managed policy attached by ManagedPolicyArns, queue of another tenant',
    stacks: {
      Platform: {
        resources: {
          TenantRole: { ...abacRole([NULL_TAG_DENY], undefined, { ManagedPolicyArns: [{ Ref: 'Queues' }] }) },
          Queues: {
            Type: 'AWS::IAM::ManagedPolicy',
            Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: 'arn:aws:sqs:*:*:tenant-*' }] } },
          },
        },
      },
      'Tenant-globex': { tags: { TenantId: 'globex' }, resources: { Jobs: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'tenant-globex-jobs' } } } },
    },
    expected: [['TI-UNSCOPED-GRANT', 'Queues']],
  },
  {
    name: 'a literal tenant id in the shared role: every session reaches tenant acme',
    stacks: platform({ ...poolBucket(), TenantRole: abacRole([{ Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects('tenants/acme/*') }, NULL_TAG_DENY]) }),
    expected: [['TI-CROSS-TENANT', 'TenantRole']],
  },
  {
    name: 'role chaining: a tenant session may re-assume its ABAC role with another tag',
    stacks: platform({
      ...poolBucket(),
      TenantRole: abacRole([...SCOPED_POOL_STATEMENTS, { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' }], {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { AWS: 'arn:aws:iam::111111111111:root' },
            Condition: { StringLike: { 'aws:RequestTag/TenantId': '???*' } },
          },
        ],
      }),
    }),
    expected: [['TI-ROLE-CHAIN', 'TenantRole']],
  },
  {
    name: "role chaining: tenant acme's role may assume tenant globex's role",
    stacks: {
      'Tenant-acme': {
        tags: { TenantId: 'acme' },
        resources: {
          AcmeWorker: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] },
              Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/*' }] } }],
            },
          },
        },
      },
      'Tenant-globex': {
        tags: { TenantId: 'globex' },
        resources: {
          GlobexWorker: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111111111111:root' } }] },
            },
          },
        },
      },
    },
    expected: [['TI-ROLE-CHAIN', 'AcmeWorker']],
  },
  {
    name: 'cache user reaching all keys with +@all',
    stacks: platform({
      AcmeUser: {
        Type: 'AWS::ElastiCache::User',
        Properties: { UserId: 'acme', UserName: 'acme', Engine: 'redis', AccessString: 'on ~* &* +@all', Tags: [{ Key: 'TenantId', Value: 'acme' }] },
      },
    }),
    expected: [
      ['TI-CACHE-KEYS', 'AcmeUser'],
      ['TI-CACHE-CHANNELS', 'AcmeUser'],
      ['TI-CACHE-KEYLESS', 'AcmeUser'],
    ],
  },
  {
    name: 'cache key pattern without delimiter (tenant:acme*)',
    stacks: platform({
      AcmeUser: { Type: 'AWS::ElastiCache::User', Properties: { UserId: 'acme', UserName: 'acme', AccessString: 'on ~tenant:acme* -@all +get +set' } },
    }),
    expected: [['TI-CACHE-KEYS', 'AcmeUser']],
  },
  {
    name: 'cache user allowed keyless @read commands (SCAN, RANDOMKEY, DBSIZE)',
    stacks: platform({ AcmeUser: { Type: 'AWS::ElastiCache::User', Properties: { UserId: 'acme', UserName: 'acme', AccessString: 'on ~tenant:acme:* -@all +@read' } } }),
    expected: [['TI-CACHE-KEYLESS', 'AcmeUser']],
  },
  {
    name: 'default cache user left enabled',
    // With a tenant role: an app without any tenant model is refused (exit 2), not audited.
    stacks: platform({
      ...poolBucket(),
      TenantRole: abacRole(SCOPED_POOL_STATEMENTS),
      DefaultUser: { Type: 'AWS::ElastiCache::User', Properties: { UserId: 'tib-default', UserName: 'default', AccessString: 'on ~* +@all' } },
    }),
    expected: [['TI-CACHE-DEFAULT-USER', 'DefaultUser']],
  },
  {
    name: 'search domain allowing explicit indexes in multi-requests',
    stacks: platform({
      ...poolBucket(),
      TenantRole: abacRole(SCOPED_POOL_STATEMENTS),
      Search: { Type: 'AWS::OpenSearchService::Domain', Properties: { DomainName: 'search', AdvancedOptions: { 'rest.action.multi.allow_explicit_index': 'true' } } },
    }),
    expected: [['TI-SEARCH-EXPLICIT-INDEX', 'Search']],
  },
  {
    name: 'search: identity grant on every index (_all reachable)',
    stacks: platform({
      Search: { Type: 'AWS::OpenSearchService::Domain', Properties: { DomainName: 'search', AdvancedOptions: { 'rest.action.multi.allow_explicit_index': 'false' } } },
      TenantRole: abacRole([{ Effect: 'Allow', Action: 'es:ESHttpGet', Resource: 'arn:aws:es:us-east-1:111111111111:domain/search/*' }, NULL_TAG_DENY]),
    }),
    expected: [
      ['TI-CROSS-TENANT-LISTING', 'TenantRole'],
      ['TI-UNSCOPED-GRANT', 'TenantRole'],
    ],
  },
  {
    name: 'search: index prefix without delimiter (tenant-${tag}*)',
    stacks: platform({
      Search: { Type: 'AWS::OpenSearchService::Domain', Properties: { DomainName: 'search', AdvancedOptions: { 'rest.action.multi.allow_explicit_index': 'false' } } },
      TenantRole: abacRole([{ Effect: 'Allow', Action: 'es:ESHttpGet', Resource: `arn:aws:es:us-east-1:111111111111:domain/search/tenant-${TAG}*` }, NULL_TAG_DENY]),
    }),
    expected: [['TI-MISSING-DELIMITER', 'TenantRole']],
  },
  {
    name: 'policy value that cannot be resolved (parameter without default)',
    stacks: {
      Platform: {
        parameters: { BucketName: { Type: 'String' } },
        resources: {
          ...poolBucket(),
          TenantRole: abacRole([...SCOPED_POOL_STATEMENTS, { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': 'arn:aws:s3:::${BucketName}/*' } }]),
        },
      },
    },
    expected: [['TI-UNRESOLVED', 'TenantRole']],
  },
];

const CLEAN: Case[] = [
  { name: 'scoped pool grant with Null deny', stacks: platform({ ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS) }), expected: [] },
  { name: 'silo bucket scoped to its tenant', stacks: platform({ TenantRole: abacRole(SCOPED_POOL_STATEMENTS), ...siloBucket('globex', SILO_CLEAN) }), expected: [] },
  {
    name: 'clean cache users',
    stacks: platform({
      AcmeUser: {
        Type: 'AWS::ElastiCache::User',
        Properties: { UserId: 'acme', UserName: 'acme', AccessString: 'on ~tenant:acme:* &tenant:acme:* -@all +get +set +del' },
      },
      AcmeCorpUser: {
        Type: 'AWS::ElastiCache::User',
        Properties: { UserId: 'acme-corp', UserName: 'acme-corp', AccessString: 'on ~tenant:acme-corp:* resetchannels -@all +@read -@keyspace -@pubsub -@dangerous' },
      },
      DefaultUser: { Type: 'AWS::ElastiCache::User', Properties: { UserId: 'tib-default', UserName: 'default', AccessString: 'off -@all' } },
    }),
    expected: [],
  },
  {
    name: 'search domain with explicit index off and per-tenant index grant',
    stacks: platform({
      Search: { Type: 'AWS::OpenSearchService::Domain', Properties: { DomainName: 'search', AdvancedOptions: { 'rest.action.multi.allow_explicit_index': 'false' } } },
      TenantRole: abacRole([{ Effect: 'Allow', Action: 'es:ESHttpGet', Resource: `arn:aws:es:us-east-1:111111111111:domain/search/tenant-${TAG}.*` }, NULL_TAG_DENY]),
    }),
    expected: [],
  },
];

const failing = (fs: readonly Finding[]) => fs.filter((f) => f.severity !== 'note');

describe('audit finds every kind of leak it claims', () => {
  test.each(LEAKS.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const dir = writeAssembly(tmpDir('leak'), c.stacks);
    const r = await runAudit(dir);
    const reported = failing(r.findings).map((f) => `${f.rule} @ ${f.logicalId}`);
    for (const [rule, logicalId] of c.expected) expect(reported).toContain(`${rule} @ ${logicalId}`);
  });
});

describe('clean counterparts produce no failing finding', () => {
  test.each(CLEAN.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const dir = writeAssembly(tmpDir('clean'), c.stacks);
    const r = await runAudit(dir);
    expect(failing(r.findings)).toEqual([]);
    expect(r.matrix.requests + r.inventory.cacheUsers.length + r.inventory.searchDomains.length).toBeGreaterThan(0);
  });
});

describe('attack details', () => {
  test('missing delimiter: acting as a prefix id reaches the longer id (acme -> acme-q)', async () => {
    const dir = writeAssembly(tmpDir('delim'), LEAKS[1].stacks);
    const r = await runAudit(dir);
    const pairs = r.matrix.leaks.map((l) => `${l.probe.actingAs}->${l.probe.victim}`);
    expect(pairs).toContain('acme->acme-q');
    // ... and never the reverse: the longer id does not reach the shorter one.
    expect(pairs).not.toContain('acme-q->acme');
  });

  test('scoped pool grant: tenant acme against acme-q is ImplicitlyDenied or ExplicitlyDenied for every probe', async () => {
    const dir = writeAssembly(tmpDir('scoped'), CLEAN[0].stacks);
    const r = await runAudit(dir);
    expect(r.matrix.leaks).toEqual([]);
    expect(r.matrix.actingIds).toEqual(expect.objectContaining(new Set(['acme', 'acme-q', 'acm', 'zz-unrelated'])));
    expect(r.matrix.cells.get(`acme\u0000arn:aws:s3:::pool-bucket`)?.[1]).toBe(0);
    expect(r.matrix.cells.get(`acme\u0000arn:aws:s3:::pool-bucket`)?.[0]).toBeGreaterThan(0);
  });
});
