/**
 * The audit knows the blueprint's pooled DynamoDB table (tagged tenant-isolation:partition) as
 * pooled, probes every tenant partition and the keyless requests, finds nothing on the app as
 * built, and finds the leak when the LeadingKeys confinement is loosened in the template.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runAudit } from '../../lib/audit/audit';
import type { TenantResource } from '../../lib/audit/inventory';
import { abacRole, NULL_TAG_DENY, TAG, tmpDir, writeAssembly } from './fixtures/assembly-builder';
import { BLUEPRINT_CONFIG, prefixPairAndSiloRegistry, synthBlueprint } from './fixtures/synth-blueprint';

const REGISTRY = prefixPairAndSiloRegistry();
const TABLE_ARN = 'table/tib-tenant-items';
const CONFIG = BLUEPRINT_CONFIG;
/** A store the tenant model classified as pooled, partitioned by its partition key. */
const pooledByPartitionKey = (x: TenantResource) => x.classification === 'pooled' && x.partition?.kind === 'partitionKey';

let outdir: string;
beforeAll(() => {
  outdir = synthBlueprint(REGISTRY, tmpDir('ddb-app'));
});

type Statement = { Sid?: string; Condition?: Record<string, unknown> };
function loosened(edit: (statements: Statement[]) => Statement[]): string {
  const copy = tmpDir('ddb-leak');
  fs.cpSync(outdir, copy, { recursive: true });
  const file = path.join(copy, 'Platform.template.json');
  const t = JSON.parse(fs.readFileSync(file, 'utf8'));
  const id = Object.keys(t.Resources).find((k) => k.startsWith('TenantAccessRoleDefaultPolicy'))!;
  const doc = t.Resources[id].Properties.PolicyDocument;
  doc.Statement = edit(doc.Statement);
  fs.writeFileSync(file, JSON.stringify(t));
  return copy;
}

test('the pooled table is in the inventory as pooled, probed, and clean; the silo table as owned', async () => {
  const r = await runAudit(outdir, { config: CONFIG });
  const pooled = r.inventory.resources.filter((x) => pooledByPartitionKey(x));
  expect(pooled.map((x) => x.arn.split(':').pop())).toEqual(['table/tib-tenant-items']);
  expect(r.inventory.resources.filter((x) => x.type === 'AWS::DynamoDB::Table' && x.owner).map((x) => `${x.owner} ${x.arn.split(':').pop()}`)).toEqual([
    'globex table/tib-tenant-globex-items',
  ]);
  const cells = [...r.matrix.cells.entries()].filter(([k]) => k.endsWith(TABLE_ARN));
  const requests = cells.reduce((n, [, [req]]) => n + req, 0);
  expect(requests).toBeGreaterThan(100);
  expect(r.matrix.leaks.filter((l) => l.probe.resource.arn.endsWith(TABLE_ARN))).toEqual([]);
  expect(r.findings.filter((f) => f.severity !== 'note')).toEqual([]);
});

test('attack: ForAllValues without the Null guard and without the Denies lets a keyless Scan through (the empty-set trap)', async () => {
  const dir = loosened((sts) =>
    sts
      .filter((st) => !['DenyPooledItemsWithoutLeadingKeys', 'DenyPooledTableUnconfined'].includes(st.Sid ?? ''))
      .map((st) => {
        if (st.Sid === 'PooledItemsOwnPartitions') {
          delete (st.Condition as Record<string, unknown>).Null;
          // A Scan carries no dynamodb:LeadingKeys: ForAllValues over the empty set is true.
          (st as { Action: string[] }).Action = [...(st as { Action: string[] }).Action, 'dynamodb:Scan'];
        }
        return st;
      }),
  );
  const r = await runAudit(dir, { config: CONFIG });
  const leaks = r.matrix.leaks.filter((l) => l.probe.resource.arn.endsWith(TABLE_ARN));
  expect(leaks.length).toBeGreaterThan(0);
  expect(leaks.every((l) => l.probe.victim === '*')).toBe(true);
  expect(new Set(leaks.map((l) => l.probe.action))).toContain('dynamodb:Scan');
  expect(r.findings.some((f) => f.severity === 'error' && f.logicalId.startsWith('TenantAccessRoleDefaultPolicy'))).toBe(true);
});

test("attack: a pattern without the # delimiter reaches tenants whose id extends the caller's", async () => {
  const dir = loosened((sts) =>
    sts
      .filter((st) => st.Sid !== 'DenyPooledItemsOfOtherTenants')
      .map((st) => {
        if (st.Sid === 'PooledItemsOwnPartitions')
          (st.Condition as Record<string, Record<string, unknown>>)['ForAllValues:StringLike']['dynamodb:LeadingKeys'] = ['${aws:PrincipalTag/TenantId}*'];
        return st;
      }),
  );
  const r = await runAudit(dir, { config: CONFIG });
  const leaks = r.matrix.leaks.filter((l) => l.probe.resource.arn.endsWith(TABLE_ARN) && l.probe.victim !== '*');
  expect(leaks.length).toBeGreaterThan(0);
  expect(leaks.every((l) => l.probe.actingAs !== null && l.probe.victim.startsWith(l.probe.actingAs))).toBe(true);
});

describe('a hand-made app with a pooled global table (tags on the replica)', () => {
  const table = (type: 'AWS::DynamoDB::GlobalTable' | 'AWS::DynamoDB::Table') => ({
    Type: type,
    Properties: {
      TableName: 'items',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      Replicas: [{ Region: 'eu-west-1', Tags: [{ Key: 'tenant-isolation:partition', Value: 'tenant-leading-key' }] }],
    },
  });
  const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':table/items']] };
  const app = (condition: Record<string, unknown>, extraActions: string[] = []) =>
    writeAssembly(tmpDir('ddb-global'), {
      App: {
        resources: {
          Items: table('AWS::DynamoDB::GlobalTable'),
          TenantRole: abacRole([
            NULL_TAG_DENY,
            {
              Effect: 'Allow',
              Action: ['dynamodb:GetItem', 'dynamodb:Query', ...extraActions],
              Resource: arn,
              ...(Object.keys(condition).length ? { Condition: condition } : {}),
            },
          ]),
        },
      },
    });

  test('sound confinement: pooled, probed, no leak', async () => {
    const r = await runAudit(app({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [TAG, `${TAG}#*`] }, Null: { 'dynamodb:LeadingKeys': 'false' } }));
    expect(r.inventory.resources.filter((x) => pooledByPartitionKey(x))).toHaveLength(1);
    expect(r.matrix.requests).toBeGreaterThan(0);
    expect(r.matrix.leaks).toEqual([]);
  });
  test('no condition at all: every partition leaks (the clean case above is not vacuous)', async () => {
    const r = await runAudit(app({}));
    expect(r.matrix.leaks.some((l) => l.probe.victim !== '*' && l.probe.action === 'dynamodb:GetItem')).toBe(true);
  });
  test('IfExists instead of the Null guard: a keyless Scan reaches every partition', async () => {
    const r = await runAudit(app({ 'ForAllValues:StringLikeIfExists': { 'dynamodb:LeadingKeys': [TAG, `${TAG}#*`] } }, ['dynamodb:Scan']));
    expect(r.matrix.leaks.some((l) => l.probe.victim === '*' && l.probe.action === 'dynamodb:Scan')).toBe(true);
  });
});
