/**
 * The audit on apps built the way AWS's SaaS guidance builds them, one pattern per case, each
 * written from scratch here: pooled DynamoDB with and without LeadingKeys, vended roles with and
 * without a declared session policy, a Lambda role reading a pooled table, a pooled-marker
 * stack, UUID tenant ids, a shared table written by two tenants, a CI bucket, and no tenant
 * model at all. Each asserts the exact rule and target.
 */
import { runAudit } from '../../lib/audit/audit';
import { AuditConfig, EMPTY_CONFIG, parseConfig } from '../../lib/audit/config';
import { Finding } from '../../lib/audit/findings';
import { NoTenantModelError } from '../../lib/audit/tenant-model';
import { abacRole, FixtureStack, NULL_TAG_DENY, poolBucket, SCOPED_POOL_STATEMENTS, TAG, tmpDir, writeAssembly } from './fixtures/assembly-builder';
import { ITEM_ACTIONS, LEADING_KEYS_STATEMENTS, pooledTable, serviceRole, TABLE_ARN, tenantTableRole, VENDED_SESSION_POLICY, vendedPattern } from './fixtures/patterns';

const audit = (stacks: Record<string, FixtureStack>, config: AuditConfig = EMPTY_CONFIG) => runAudit(writeAssembly(tmpDir('model'), stacks), { config });
const failing = (fs: readonly Finding[]) => fs.filter((f) => f.severity !== 'note');
const ruleAt = (fs: readonly Finding[]) => fs.map((f) => `${f.severity} ${f.rule} @ ${f.logicalId}`);
const config = (o: object) => parseConfig(JSON.stringify(o), 'test-config.json');

describe('pooled DynamoDB table', () => {
  test('1. LeadingKeys on the session tag, empty-set trap closed: clean, classified pooled, own partition allowed', async () => {
    const r = await audit({ Platform: { resources: { ...pooledTable(), ...tenantTableRole(LEADING_KEYS_STATEMENTS) } } });
    expect(failing(r.findings)).toEqual([]);
    const table = r.inventory.stores.find((s) => s.source.logicalId === 'Items')!;
    expect(table.classification).toBe('pooled');
    expect(table.partition).toMatchObject({ kind: 'partitionKey', template: '{{tenant}}' });
    expect(table.partition!.evidence).toMatch(/ForAllValues:StringEquals dynamodb:LeadingKeys/);
    // Not vacuous: the role's own partition is allowed, every other one denied.
    const cov = r.matrix.coverage.find((c) => c.principal.name === 'TenantRole')!;
    expect(cov.ownAllowed).toBeGreaterThan(0);
    expect(r.matrix.cells.get(`acme\u0000${TABLE_ARN}`)).toEqual([expect.any(Number), 0]);
    // Index entries were probed too.
    expect(r.model.evidence.map((e) => e.detail).join('\n')).toContain('Items (AWS::DynamoDB::Table): partitionKey {{tenant}}');
  });

  test('2. dynamodb:* with no condition: a different report, an error naming the principal and the table', async () => {
    const clean = await audit({ Platform: { resources: { ...pooledTable(), ...tenantTableRole(LEADING_KEYS_STATEMENTS) } } });
    const r = await audit({
      Platform: { resources: { ...pooledTable(), ...tenantTableRole([{ Effect: 'Allow', Action: 'dynamodb:*', Resource: TABLE_ARN }, NULL_TAG_DENY]) } },
    });
    const get = r.findings.find((f) => f.rule === 'TI-UNSCOPED-GRANT' && f.action === 'dynamodb:GetItem');
    expect(get).toMatchObject({ severity: 'error', principal: 'arn:aws:iam::111111111111:role/TenantRole', resource: TABLE_ARN, logicalId: 'TenantRole' });
    expect(r.findings.find((f) => f.rule === 'TI-CROSS-TENANT-LISTING' && f.action === 'dynamodb:Scan')).toMatchObject({ resource: TABLE_ARN });
    expect(JSON.stringify(r.findings)).not.toEqual(JSON.stringify(clean.findings));
    // Without LeadingKeys anywhere, the key schema is the evidence.
    expect(r.inventory.stores.find((s) => s.source.logicalId === 'Items')!.partition!.evidence).toBe('key schema: partition key "tenantId" names a tenant');
  });

  test('3. ForAllValues without the Null guard: Scan (no LeadingKeys at all) reaches every tenant', async () => {
    const [allow] = LEADING_KEYS_STATEMENTS;
    const r = await audit({
      Platform: { resources: { ...pooledTable(), ...tenantTableRole([{ ...allow, Action: [...ITEM_ACTIONS, 'dynamodb:Scan'] }, NULL_TAG_DENY]) } },
    });
    const scan = r.findings.filter((f) => f.action === 'dynamodb:Scan').map((f) => `${f.severity} ${f.rule} ${f.resource} ${f.statementSid}`);
    expect(scan).toEqual([`error TI-CROSS-TENANT-LISTING ${TABLE_ARN} OwnPartition`]);
    // The table and its index entries both.
    const scanned = r.matrix.leaks.filter((l) => l.probe.action === 'dynamodb:Scan').map((l) => l.probe.resourceArn);
    expect([...new Set(scanned)].sort()).toEqual([TABLE_ARN, `${TABLE_ARN}/index/byStatus`]);
  });

  test('4. ForAnyValue instead of ForAllValues: a batch mixing the own and the victim partition passes', async () => {
    const [allow] = LEADING_KEYS_STATEMENTS;
    const anyValue = { ...allow, Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [TAG] } } };
    const r = await audit({ Platform: { resources: { ...pooledTable(), ...tenantTableRole([anyValue, LEADING_KEYS_STATEMENTS[1], NULL_TAG_DENY]) } } });
    const batch = r.findings.find((f) => f.action === 'dynamodb:BatchGetItem' && f.rule === 'TI-CROSS-TENANT');
    expect(batch).toMatchObject({ severity: 'error', resource: TABLE_ARN, statementSid: 'OwnPartition' });
    expect(r.findings.some((f) => f.action === 'dynamodb:GetItem' && f.severity === 'error')).toBe(false);
  });

  test('5. a partition key template from the config (TENANT#{{tenant}}) is what the probes use', async () => {
    const [allow, ...rest] = LEADING_KEYS_STATEMENTS;
    const prefixed = { ...allow, Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`TENANT#${TAG}`] } } };
    const stacks = { Platform: { resources: { ...pooledTable('pk'), ...tenantTableRole([prefixed, ...rest]) } } };
    const inferred = await audit(stacks);
    expect(inferred.inventory.stores.find((s) => s.source.logicalId === 'Items')!.partition!.template).toBe('TENANT#{{tenant}}');
    expect(failing(inferred.findings)).toEqual([]);
    // Declaring a different template is believed, and the own partition is then refused: vacuous.
    const wrong = await audit(stacks, config({ partitions: { Items: { partitionKey: 'T-{{tenant}}' } } }));
    expect(ruleAt(failing(wrong.findings))).toEqual(['warning TI-VACUOUS-PROOF @ TenantRole']);
  });
});

describe('vended credentials', () => {
  test('6. a role the app assumes, whole-table access, no declared session policy: warning naming the config key', async () => {
    const r = await audit({ Platform: { resources: { ...pooledTable(), ...vendedPattern() } } });
    const f = r.findings.filter((x) => x.rule === 'TI-VENDED-SESSION-POLICY');
    expect(f.map((x) => [x.severity, x.principal, x.resource?.split('/')[1]])).toEqual([['warning', 'arn:aws:iam::111111111111:role/VendedRole', 'items']]);
    expect(f[0].why).toContain('sessionPolicies["Platform/VendedRole"]');
    expect(r.findings.some((x) => x.rule === 'TI-ALL-TENANTS')).toBe(false);
  });

  test('7. with the session policy declared: role ∩ session policy is proven for every adversarial id', async () => {
    const r = await audit({ Platform: { resources: { ...pooledTable(), ...vendedPattern() } } }, config({ sessionPolicies: { VendedRole: VENDED_SESSION_POLICY } }));
    expect(failing(r.findings)).toEqual([]);
    const cov = r.matrix.coverage.find((c) => c.principal.name === 'VendedRole')!;
    expect(cov.ownAllowed).toBeGreaterThan(0);
    expect(r.matrix.cells.get(`acme-q\u0000${TABLE_ARN}`)?.[0]).toBeGreaterThan(0);
    expect(r.matrix.cells.get(`acme-q\u0000${TABLE_ARN}`)?.[1]).toBe(0);
  });

  test('8. a declared session policy that does not narrow: the cross-tenant reads are named', async () => {
    const loose = { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE_ARN }] };
    const r = await audit({ Platform: { resources: { ...pooledTable(), ...vendedPattern() } } }, config({ sessionPolicies: { 'Platform/VendedRole': loose } }));
    expect(r.findings.find((f) => f.rule === 'TI-UNSCOPED-GRANT' && f.action === 'dynamodb:GetItem')).toMatchObject({
      principal: 'arn:aws:iam::111111111111:role/VendedRole',
      resource: TABLE_ARN,
    });
  });
});

describe('principals that reach every tenant with their own credentials', () => {
  const fn = serviceRole('ReaderFn', [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: TABLE_ARN }]);
  const stacks = { Platform: { resources: { ...pooledTable(), ...tenantTableRole(LEADING_KEYS_STATEMENTS), ReaderFn: fn } } };

  test('9. a Lambda role reading the pooled table with a tenant id from the request: error', async () => {
    const r = await audit(stacks);
    const f = r.findings.filter((x) => x.rule === 'TI-ALL-TENANTS');
    expect(f.map((x) => [x.severity, x.principal, x.resource, x.action])).toEqual([['error', 'arn:aws:iam::111111111111:role/ReaderFn', TABLE_ARN, 'dynamodb:GetItem']]);
    expect(f[0].why).toContain('platformPrincipals["Platform/ReaderFn"]');
  });

  test('10. the same role declared in platformPrincipals: a note with the reason', async () => {
    const r = await audit(stacks, config({ platformPrincipals: { ReaderFn: 'reports job: reads every tenant by design' } }));
    expect(failing(r.findings)).toEqual([]);
    expect(r.findings.find((x) => x.rule === 'TI-PLATFORM-PRINCIPAL')).toMatchObject({ severity: 'note', principal: 'arn:aws:iam::111111111111:role/ReaderFn' });
    expect(r.findings.find((x) => x.rule === 'TI-PLATFORM-PRINCIPAL')!.why).toContain('reports job: reads every tenant by design');
  });

  test('11. reading the database master secret reaches every tenant (the master user bypasses RLS)', async () => {
    const db = {
      Db: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql', DBClusterIdentifier: 'db' } },
      DbSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'db-master' } },
      DbSecretAttachment: {
        Type: 'AWS::SecretsManager::SecretTargetAttachment',
        Properties: { SecretId: { Ref: 'DbSecret' }, TargetId: { Ref: 'Db' }, TargetType: 'AWS::RDS::DBCluster' },
      },
      Migrator: serviceRole('Migrator', [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }]),
      // What CDK grants: Ref of the attachment, which returns the secret's ARN.
      Bootstrap: serviceRole('Bootstrap', [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'DbSecretAttachment' } }]),
    };
    const r = await audit({ Platform: { resources: { ...pooledTable(), ...tenantTableRole(LEADING_KEYS_STATEMENTS), ...db } } });
    expect(r.inventory.stores.find((s) => s.source.logicalId === 'DbSecret')!.reason).toMatch(/master credentials of db/);
    expect(r.findings.find((f) => f.rule === 'TI-ALL-TENANTS' && f.principal?.endsWith('/Migrator'))).toMatchObject({
      action: 'secretsmanager:GetSecretValue',
      severity: 'error',
    });
    expect(r.findings.find((f) => f.rule === 'TI-ALL-TENANTS' && f.principal?.endsWith('/Bootstrap'))).toMatchObject({
      resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-master-AUDIT0',
    });
  });
});

describe('what is a tenant', () => {
  test('12. a stack tagged TenantId=pooled holds pooled tables: probed per partition, not owned by "pooled"', async () => {
    const stacks = (statements: unknown[]) => ({
      Pooled: { tags: { TenantId: 'pooled' }, resources: pooledTable() },
      Platform: { resources: tenantTableRole(statements) },
    });
    const r = await audit(stacks(LEADING_KEYS_STATEMENTS));
    const table = r.inventory.stores.find((s) => s.source.logicalId === 'Items')!;
    expect([table.owner, table.classification, table.pooledMarker]).toEqual([undefined, 'pooled', 'pooled']);
    expect(r.model.evidence).toContainEqual({ part: 'pooled', detail: 'stack Pooled is tagged TenantId=pooled, not a tenant id: a pooled marker' });
    expect(failing(r.findings)).toEqual([]);
    const leaky = await audit(stacks([{ Effect: 'Allow', Action: 'dynamodb:*', Resource: TABLE_ARN }, NULL_TAG_DENY]));
    expect(leaky.findings.find((f) => f.rule === 'TI-UNSCOPED-GRANT' && f.action === 'dynamodb:GetItem')).toMatchObject({ resource: TABLE_ARN, logicalId: 'TenantRole' });
  });

  test('13. a CI artifacts bucket no tenant principal reaches is platform and never probed as tenants/<id>/', async () => {
    const ci = {
      CiArtifacts: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'ci-artifacts' } },
      CiRole: serviceRole(
        'CiRole',
        [{ Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::ci-artifacts', 'arn:aws:s3:::ci-artifacts/*'] }],
        'codebuild.amazonaws.com',
      ),
    };
    const r = await audit({ Platform: { resources: { ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS), ...ci } } });
    expect(failing(r.findings)).toEqual([]);
    const bucket = r.inventory.stores.find((s) => s.source.logicalId === 'CiArtifacts')!;
    expect([bucket.classification, bucket.reason]).toEqual(['platform', 'no tenant-facing principal reaches it']);
    expect(r.inventory.resources).not.toContain(bucket);
    expect([...r.matrix.cells.keys()].some((k) => k.includes('ci-artifacts'))).toBe(false);
    // The pool bucket's partition comes from the grant that addresses it.
    expect(r.inventory.stores.find((s) => s.source.logicalId === 'PoolBucket')!.partition).toMatchObject({ kind: 'objectKey', template: 'tenants/{{tenant}}/' });
  });

  const A = '3f2a9c1e-8b7d-4c6e-9a5f-0123456789ab';
  const B = '7d4e2b10-1c3a-4f5e-8d9c-abcdef012345';
  const uuidStacks = (resource: (id: string) => unknown) =>
    Object.fromEntries(
      [A, B].map((id) => [
        `Tenant-${id.slice(0, 8)}`,
        {
          tags: { TenantId: id },
          resources: {
            Jobs: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `jobs-${id}` } },
            Worker: serviceRole(`worker-${id.slice(0, 8)}`, [{ Effect: 'Allow', Action: 'sqs:*', Resource: resource(id) }]),
          },
        },
      ]),
    );

  test('14. UUID tenant ids: inferred from the tags, scoped workers clean', async () => {
    const r = await audit(uuidStacks((id) => `arn:aws:sqs:us-east-1:111111111111:jobs-${id}`));
    expect(r.model.grammar.name).toBe('uuid');
    expect(failing(r.findings)).toEqual([]);
    expect(new Set(r.inventory.stores.map((s) => s.owner))).toEqual(new Set([A, B]));
    expect(r.matrix.coverage.every((c) => c.ownAllowed > 0)).toBe(true);
  });

  test('15. UUID tenant ids (preset): a worker on every queue reaches the other tenant', async () => {
    const r = await audit(
      uuidStacks(() => 'arn:aws:sqs:*:*:*'),
      config({ tenantIdPattern: 'uuid' }),
    );
    const f = r.findings.filter((x) => x.rule === 'TI-UNSCOPED-GRANT' && x.action === 'sqs:ReceiveMessage');
    expect(f.map((x) => [x.tenants?.actingAs, x.tenants?.victim]).sort()).toEqual([
      [A, B],
      [B, A],
    ]);
  });

  test('16. a shared table written by the roles of two tenants without a partition condition: cross-tenant error', async () => {
    const worker = (t: string) => ({
      tags: { TenantId: t },
      resources: {
        Worker: serviceRole(`worker-${t}`, [
          { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/shared' },
        ]),
      },
    });
    const shared = { Shared: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'shared', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] } } };
    const r = await audit({ Platform: { resources: shared }, 'Tenant-acme': worker('acme'), 'Tenant-globex': worker('globex') });
    const f = r.findings.filter((x) => x.rule === 'TI-CROSS-TENANT');
    expect(f.map((x) => [x.severity, x.logicalId, x.resource])).toEqual([['error', 'Shared', 'arn:aws:dynamodb:us-east-1:111111111111:table/shared']]);
    expect(f[0].why).toMatch(/written by roles of tenants "acme" and "globex"/);
  });

  test('17. a store tenant sessions reach without a visible partition: a finding that says what to declare', async () => {
    const queue = { Events: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'events' } } };
    const r = await audit({
      Platform: {
        resources: {
          ...poolBucket(),
          ...queue,
          TenantRole: abacRole([...SCOPED_POOL_STATEMENTS, { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:111111111111:events' }]),
        },
      },
    });
    const f = r.findings.find((x) => x.rule === 'TI-UNCLASSIFIED-STORE')!;
    expect([f.severity, f.logicalId]).toEqual(['warning', 'Events']);
    expect(f.why).toContain('declare partitions["Platform/Events"]');
    // Declared by name, the queue belongs to one tenant.
    const declared = await audit(
      {
        Platform: {
          resources: {
            ...poolBucket(),
            Events: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'tenant-acme-events' } },
            TenantRole: abacRole(SCOPED_POOL_STATEMENTS),
          },
        },
      },
      config({ partitions: { 'AWS::SQS::Queue': { name: 'tenant-{{tenant}}-events' } } }),
    );
    expect(declared.inventory.stores.find((s) => s.source.logicalId === 'Events')).toMatchObject({ owner: 'acme', classification: 'tenant-owned' });
  });

  test('18. no tenant model at all: refused, with how to declare one', async () => {
    const stacks = {
      App: { resources: { Data: { Type: 'AWS::S3::Bucket', Properties: {} }, Fn: serviceRole('Fn', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]) } },
    };
    await expect(audit(stacks)).rejects.toThrow(NoTenantModelError);
    await expect(audit(stacks)).rejects.toThrow(/no tenant model found[\s\S]*tenant-isolation\.json[\s\S]*"partitions"/);
  });

  test('19. a principal refused everything on its own tenant: vacuous-proof warning', async () => {
    const denyAll = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Null: { 'aws:PrincipalTag/CostCenter': 'true' } } };
    const r = await audit({ Platform: { resources: { ...poolBucket(), TenantRole: abacRole([...SCOPED_POOL_STATEMENTS, denyAll]) } } });
    expect(ruleAt(failing(r.findings))).toEqual(['warning TI-VACUOUS-PROOF @ TenantRole']);
    expect(r.findings[0].why).toMatch(/0 of \d+ own-tenant requests allowed/);
  });
});

test('22. a declared cache key prefix (keyPrefix) is what the access strings are checked against', async () => {
  const user = (access: string) => ({
    Platform: {
      resources: {
        ...poolBucket(),
        TenantRole: abacRole(SCOPED_POOL_STATEMENTS),
        AcmeUser: { Type: 'AWS::ElastiCache::User', Properties: { UserId: 'acme', UserName: 'acme', AccessString: access, Tags: [{ Key: 'TenantId', Value: 'acme' }] } },
      },
    },
  });
  const cfg = config({ partitions: { 'AWS::ElastiCache::User': { keyPrefix: 't/{{tenant}}/' } } });
  const clean = await audit(user('on ~t/acme/* &t/acme/* -@all +get +set'), cfg);
  expect(failing(clean.findings)).toEqual([]);
  const leaky = await audit(user('on ~t/acme* -@all +get'), cfg);
  expect(ruleAt(failing(leaky.findings))).toEqual(['error TI-CACHE-KEYS @ AcmeUser']);
  expect(leaky.findings.find((f) => f.rule === 'TI-CACHE-KEYS')!.why).toMatch(/matches t\/acme-q\/audit-probe of tenant "acme-q"/);
});

describe('less noise', () => {
  test('20. AWS managed policies are evaluated from the dataset, not reported as external', async () => {
    const managed = (arn: string) => abacRole(SCOPED_POOL_STATEMENTS, undefined, { ManagedPolicyArns: [arn] });
    const basic = await audit({ Platform: { resources: { ...poolBucket(), TenantRole: managed('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole') } } });
    expect(failing(basic.findings)).toEqual([]);
    expect(basic.inventory.principals[0].awsManagedPolicies).toEqual(['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
    expect(basic.inventory.principals[0].identity.some((st) => st.actions?.includes('logs:PutLogEvents'))).toBe(true);
    // ... and evaluated: AmazonS3ReadOnlyAccess on a tenant role reads every tenant's objects.
    const s3 = await audit({ Platform: { resources: { ...poolBucket(), TenantRole: managed('arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess') } } });
    expect(s3.findings.find((f) => f.rule === 'TI-UNSCOPED-GRANT' && f.action === 's3:GetObject')).toMatchObject({ logicalId: 'TenantRole' });
    // A policy the dataset does not know stays external.
    const unknown = await audit({ Platform: { resources: { ...poolBucket(), TenantRole: managed('arn:aws:iam::aws:policy/NoSuchPolicyForTheAudit') } } });
    expect(ruleAt(failing(unknown.findings))).toEqual(['warning TI-EXTERNAL-POLICY @ TenantRole']);
  });

  test('21. a trust that only compares the tag with StringEquals widens nothing: TI-TRUST-TAG-VALUE is a note', async () => {
    const anyTag = {
      Statement: [
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Principal: { AWS: 'arn:aws:iam::111111111111:role/broker' },
          Condition: { StringLike: { 'aws:RequestTag/TenantId': '*' } },
        },
      ],
    };
    const exact = [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/TenantId': TAG } } }, NULL_TAG_DENY];
    const r = await audit({
      Platform: { resources: { TenantRole: abacRole(exact, anyTag) } },
      'Tenant-acme': { tags: { TenantId: 'acme' }, resources: { Jobs: { Type: 'AWS::SQS::Queue', Properties: {} } } },
    });
    expect(failing(r.findings)).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'TI-TRUST-TAG-VALUE').every((f) => f.severity === 'note')).toBe(true);
    expect(r.findings.some((f) => f.rule === 'TI-TRUST-TAG-VALUE')).toBe(true);
  });
});
