/**
 * The tenant model's remaining patterns (issue #18), each built here from scratch and asserting
 * the exact rule and target, with a clean control: a pooled database declared RLS-partitioned,
 * stores pooled by NAME (a queue / parameter / secret per tenant the app creates at run time),
 * and a platform role reaching the silo stores of several tenants.
 */
import { runAudit } from '../../lib/audit/audit';
import { AuditConfig, EMPTY_CONFIG, parseConfig } from '../../lib/audit/config';
import { Finding } from '../../lib/audit/findings';
import { abacRole, FixtureStack, NULL_TAG_DENY, TAG, tmpDir, writeAssembly } from './fixtures/assembly-builder';
import { serviceRole } from './fixtures/patterns';

const audit = (stacks: Record<string, FixtureStack>, config: AuditConfig = EMPTY_CONFIG) => runAudit(writeAssembly(tmpDir('remainder'), stacks), { config });
const failing = (fs: readonly Finding[]) => fs.filter((f) => f.severity !== 'note');
const ruleAt = (fs: readonly Finding[]) => fs.map((f) => `${f.severity} ${f.rule} @ ${f.logicalId}`);
const config = (o: object) => parseConfig(JSON.stringify(o), 'test-config.json');

const CLUSTER_ARN = 'arn:aws:rds:us-east-1:111111111111:cluster:pool-db';
const SECRET_ARN = { Ref: 'MasterSecret' };

/** An Aurora cluster with its master secret (attached as CDK writes it) and an ABAC role using the Data API. */
function rlsApp(roleStatements: unknown[], extra: Record<string, unknown> = {}): Record<string, FixtureStack> {
  return {
    Platform: {
      resources: {
        MasterSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'pool-db-master' } },
        Cluster: {
          Type: 'AWS::RDS::DBCluster',
          Properties: { DBClusterIdentifier: 'pool-db', Engine: 'aurora-postgresql', EnableHttpEndpoint: true, MasterUsername: 'postgres' },
        },
        Attachment: {
          Type: 'AWS::SecretsManager::SecretTargetAttachment',
          Properties: { SecretId: { Ref: 'MasterSecret' }, TargetId: { Ref: 'Cluster' }, TargetType: 'AWS::RDS::DBCluster' },
        },
        TenantRole: abacRole(roleStatements),
        ...extra,
      },
    },
  };
}
const DATA_API = { Sid: 'DataApi', Effect: 'Allow', Action: ['rds-data:ExecuteStatement', 'rds-data:BatchExecuteStatement'], Resource: CLUSTER_ARN };
const RLS_CONFIG = { partitions: { Cluster: { rls: { tenantSetting: 'app.tenant_id' } } } };

describe('a pooled Aurora cluster declared RLS-partitioned', () => {
  test('1. without the declaration the Data API grant is an unclassified store (the control)', async () => {
    const r = await audit(rlsApp([DATA_API, NULL_TAG_DENY]));
    expect(ruleAt(failing(r.findings))).toEqual(['warning TI-UNCLASSIFIED-STORE @ Cluster', 'warning TI-VACUOUS-PROOF @ TenantRole']);
    expect(r.inventory.stores.find((s) => s.source.logicalId === 'Cluster')!.classification).toBe('unclassified');
  });

  test('2. with partitions.Cluster.rls: pooled (partition: RLS), a note naming where the proof ends, no failing finding', async () => {
    const r = await audit(rlsApp([DATA_API, NULL_TAG_DENY]), config(RLS_CONFIG));
    const cluster = r.inventory.stores.find((s) => s.source.logicalId === 'Cluster')!;
    expect(cluster.classification).toBe('pooled');
    expect(cluster.reason).toMatch(/^partition: RLS on app\.tenant_id \(config partitions\["Cluster"\]\.rls\); isolation rests on row-level security/);
    expect(r.model.evidence).toContainEqual({ part: 'pooled', detail: expect.stringContaining('Cluster (AWS::RDS::DBCluster): partition: RLS on app.tenant_id') });
    expect(failing(r.findings)).toEqual([]);
    const notes = r.findings.filter((f) => f.rule === 'TI-RLS-PARTITION');
    expect(notes).toEqual([
      expect.objectContaining({
        severity: 'note',
        principal: 'arn:aws:iam::111111111111:role/TenantRole',
        resource: CLUSTER_ARN,
        logicalId: 'TenantRole',
        why: expect.stringMatching(
          /TenantRole reaches Cluster \(rds-data:ExecuteStatement, rds-data:BatchExecuteStatement\): pooled, partition: RLS on app\.tenant_id .*outside the templates' proof/,
        ),
      }),
    ]);
  });

  test('3. the master secret stays an every-tenant error with RLS declared (the master bypasses RLS)', async () => {
    const r = await audit(
      rlsApp([DATA_API, { Sid: 'Master', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN }, NULL_TAG_DENY]),
      config(RLS_CONFIG),
    );
    const all = r.findings.filter((f) => f.rule === 'TI-ALL-TENANTS');
    // With the secret readable, the Data API statement runs as the master too (probes/database-master.ts).
    expect(all).toEqual([
      expect.objectContaining({
        severity: 'error',
        action: 'rds-data:ExecuteStatement',
        why: expect.stringMatching(/through the Data API with its master secret MasterSecret \(the master user bypasses row-level security/),
      }),
      expect.objectContaining({
        severity: 'error',
        action: 'secretsmanager:GetSecretValue',
        why: expect.stringMatching(/master credentials of pool-db .*bypasses row-level security/),
      }),
    ]);
    expect(r.findings.some((f) => f.rule === 'TI-RLS-PARTITION')).toBe(true);
  });

  test("3b. rds-db:connect as the role's own DB user (GetAtt DBClusterResourceId) is the same note; undeclared, an unclassified store", async () => {
    const connect = {
      Sid: 'ConnectAsAppUser',
      Effect: 'Allow',
      Action: 'rds-db:connect',
      Resource: { 'Fn::Join': ['', ['arn:aws:rds-db:us-east-1:111111111111:dbuser:', { 'Fn::GetAtt': ['Cluster', 'DBClusterResourceId'] }, '/app_user']] },
    };
    const r = await audit(rlsApp([connect, NULL_TAG_DENY]), config(RLS_CONFIG));
    expect(failing(r.findings)).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'TI-RLS-PARTITION').map((f) => f.why)).toEqual([
      expect.stringMatching(/^TenantRole reaches Cluster \(rds-db:connect\): pooled, partition: RLS/),
    ]);
    const undeclared = await audit(rlsApp([connect, NULL_TAG_DENY]));
    expect(undeclared.findings.find((f) => f.rule === 'TI-UNCLASSIFIED-STORE')).toMatchObject({
      logicalId: 'Cluster',
      why: expect.stringContaining(
        'declare partitions["Platform/Cluster"] in the config (a pooled database protected by row-level security: {"rls": {"tenantSetting": "app.tenant_id"}})',
      ),
    });
  });

  test('4. an rls partition that is not a setting is exit-2 material naming the key', () => {
    expect(() => config({ partitions: { Cluster: { rls: { tenantSetting: 'tenant id' } } } })).toThrow(
      /test-config\.json: partitions\["Cluster"\]\.rls\.tenantSetting: must be the PostgreSQL setting/,
    );
    expect(() => config({ partitions: { Cluster: { rls: { setting: 'app.tenant_id' } } } })).toThrow(/partitions\["Cluster"\]\.rls\.setting: unknown key/);
    expect(() => config({ partitions: { Cluster: { rls: 'app.tenant_id' } } })).toThrow(/partitions\["Cluster"\]\.rls: must be an object/);
  });
});

const QUEUE = (name: string) => `arn:aws:sqs:us-east-1:111111111111:${name}`;
const PARAM = (name: string) => `arn:aws:ssm:us-east-1:111111111111:parameter/${name}`;
const queueRole = (resource: string) =>
  abacRole([{ Sid: 'OwnQueue', Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: resource }, NULL_TAG_DENY]);
/** A pooled-marker-free app whose only store is one queue per tenant created at run time (none in the template). */
const queueApp = (resource: string): Record<string, FixtureStack> => ({ Platform: { resources: { TenantRole: queueRole(resource) } } });

describe('stores pooled by name: every tenant name is probed', () => {
  test('5. app-${tag}-jobs: inferred family, own queue allowed, no failing finding (the control)', async () => {
    const r = await audit(queueApp(QUEUE(`app-${TAG}-jobs`)));
    expect(failing(r.findings)).toEqual([]);
    const fam = r.inventory.resources.find((x) => x.partition?.kind === 'name')!;
    expect(fam).toMatchObject({ type: 'AWS::SQS::Queue', classification: 'pooled', arn: QUEUE('app-{{tenant}}-jobs') });
    expect(r.model.evidence.map((e) => e.detail)).toContainEqual(expect.stringContaining('AWS::SQS::Queue app-{{tenant}}-jobs: a resource per tenant'));
    expect(r.matrix.coverage.find((c) => c.principal.name === 'TenantRole')!.ownAllowed).toBeGreaterThan(0);
    // The victims' names were generated, the prefix-colliding one among them.
    expect(r.matrix.cells.get(`acme\u0000${QUEUE('app-{{tenant}}-jobs')}`)).toEqual([expect.any(Number), 0]);
  });

  test("6. app-${tag}* (no delimiter): tenant acme reaches acme-q's queue: TI-MISSING-DELIMITER at the exact name", async () => {
    const r = await audit(queueApp(QUEUE(`app-${TAG}*`)));
    // One finding per rule, principal, store family and action (the first leak names it)...
    const f = r.findings.filter((x) => x.rule === 'TI-MISSING-DELIMITER' && x.action === 'sqs:SendMessage');
    expect(f).toEqual([expect.objectContaining({ severity: 'error', logicalId: 'TenantRole', statementSid: 'OwnQueue', resource: QUEUE('app-acme') })]);
    expect(f[0].tenants).toEqual({ actingAs: 'acm', victim: 'acme' });
    // ...and the matrix generated the prefix-colliding victim's name: acme reaches acme-q's queue.
    const leak = r.matrix.leaks.find((l) => l.probe.actingAs === 'acme' && l.probe.victim === 'acme-q' && l.probe.action === 'sqs:SendMessage');
    expect(leak?.probe.resourceArn).toBe(QUEUE('app-acme-q'));
  });

  test("7. a type-keyed name template from the config and a grant on app-*: TI-UNSCOPED-GRANT on another tenant's queue", async () => {
    const r = await audit(
      {
        Platform: {
          resources: {
            TenantRole: abacRole([
              { Sid: 'OwnQueue', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE(`app-${TAG}-jobs`) },
              { Sid: 'AllQueues', Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: QUEUE('app-*') },
              NULL_TAG_DENY,
            ]),
          },
        },
      },
      config({ partitions: { 'AWS::SQS::Queue': { name: 'app-{{tenant}}-jobs' } } }),
    );
    const f = r.findings.find((x) => x.rule === 'TI-UNSCOPED-GRANT' && x.action === 'sqs:ReceiveMessage')!;
    expect(f).toMatchObject({ severity: 'error', logicalId: 'TenantRole', statementSid: 'AllQueues' });
    expect(f.resource).toMatch(/^arn:aws:sqs:us-east-1:111111111111:app-[a-z0-9-]+-jobs$/);
    expect(f.resource).not.toBe(QUEUE(`app-${f.tenants!.actingAs}-jobs`));
    expect(r.model.evidence.map((e) => e.detail)).toContainEqual(expect.stringContaining('config partitions["AWS::SQS::Queue"].name app-{{tenant}}-jobs'));
  });

  test('8. SSM /app/${tag}/* is exact; /app/${tag}* leaks to the prefix-colliding tenant', async () => {
    const ssmApp = (res: string): Record<string, FixtureStack> => ({
      Platform: { resources: { TenantRole: abacRole([{ Sid: 'OwnParams', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: res }, NULL_TAG_DENY]) } },
    });
    const ok = await audit(ssmApp(PARAM(`app/${TAG}/*`)));
    expect(failing(ok.findings)).toEqual([]);
    const bad = await audit(ssmApp(PARAM(`app/${TAG}*`)));
    expect(ruleAt(failing(bad.findings))).toEqual(['error TI-MISSING-DELIMITER @ TenantRole']);
    const leak = bad.matrix.leaks.find((l) => l.probe.actingAs === 'acme' && l.probe.victim === 'acme-q');
    expect(leak?.probe).toMatchObject({ action: 'ssm:GetParameter', resourceArn: PARAM('app/acme-q') });
  });

  test("9. a platform role reading every tenant's queue (app-*) reaches every tenant; declared, it is a note", async () => {
    const stacks: Record<string, FixtureStack> = {
      Platform: {
        resources: {
          TenantRole: queueRole(QUEUE(`app-${TAG}-jobs`)),
          Drainer: serviceRole('Drainer', [{ Sid: 'Drain', Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: QUEUE('app-*-jobs') }]),
        },
      },
    };
    const r = await audit(stacks);
    expect(ruleAt(failing(r.findings))).toEqual(['error TI-ALL-TENANTS @ Drainer']);
    const declared = await audit(stacks, config({ platformPrincipals: { Drainer: 'drains every tenant queue into the archive' } }));
    expect(failing(declared.findings)).toEqual([]);
    expect(declared.findings.find((f) => f.rule === 'TI-PLATFORM-PRINCIPAL')!.why).toMatch(/drains every tenant queue/);
  });
});

/** Two tenant stacks with a silo bucket each, and a platform stack with `platformStatements`. */
function siloApp(platformStatements: unknown[]): Record<string, FixtureStack> {
  const tenant = (id: string): FixtureStack => ({
    tags: { TenantId: id },
    resources: {
      Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: `data-${id}` } },
      Worker: serviceRole(`worker-${id}`, [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::data-${id}/*` }]),
    },
  });
  return {
    'Tenant-acme': tenant('acme'),
    'Tenant-globex': tenant('globex'),
    Platform: { resources: { Reporter: serviceRole('Reporter', platformStatements) } },
  };
}

describe('a platform role reaching the silo stores of several tenants', () => {
  test("10. reads one tenant's bucket only: nothing (the control)", async () => {
    const r = await audit(siloApp([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data-acme/*' }]));
    expect(failing(r.findings)).toEqual([]);
  });

  test("11. reads data-* (both tenants' buckets): TI-ALL-TENANTS naming both tenants and stores", async () => {
    const r = await audit(siloApp([{ Sid: 'AllData', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data-*/*' }]));
    expect(ruleAt(failing(r.findings))).toEqual(['error TI-ALL-TENANTS @ Reporter']);
    const f = r.findings.find((x) => x.rule === 'TI-ALL-TENANTS')!;
    expect(f).toMatchObject({
      principal: 'arn:aws:iam::111111111111:role/Reporter',
      action: 's3:GetObject',
      statementSid: 'AllData',
      tenants: { actingAs: null, victim: '*' },
    });
    expect(f.why).toBe(
      'Reporter reaches the tenant-owned stores of 2 tenants with its own credentials ("acme": s3:GetObject on Tenant-acme/Data, "globex": s3:GetObject on Tenant-globex/Data); give it tenant sessions or declare platformPrincipals["Platform/Reporter"] with a reason',
    );
  });

  test('12. declared in platformPrincipals: a note with the reason', async () => {
    const r = await audit(
      siloApp([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data-*/*' }]),
      config({ platformPrincipals: { 'Platform/Reporter': 'monthly usage report over every tenant (SEC-42)' } }),
    );
    expect(failing(r.findings)).toEqual([]);
    expect(r.findings.find((f) => f.rule === 'TI-PLATFORM-PRINCIPAL')!.why).toMatch(
      /tenant-owned stores of 2 tenants .*monthly usage report over every tenant \(SEC-42\)$/,
    );
  });
});
