/**
 * TenantTable against a real DynamoDB-compatible engine (dynalite, started here on loopback):
 * keys are built from the TenantContext, cross-tenant keys and injected expressions are refused
 * with a specific code, prefix-colliding ids (acme, acme-corp) stay apart under the engine's real
 * key-condition semantics, an item another tenant planted in this tenant's index partition is
 * dropped, and every request is signed with the tenant's own vended session.
 * The engine does not evaluate IAM: that is dynamodb-attack.test.ts. It has no
 * TransactWriteItems, so transactWrite is checked for the request it builds only.
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { TenantContextRequiredError } from '../../../../lib/boundaries/identity/runtime/errors';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { TenantCredentialVendor } from '../../../../lib/boundaries/identity/runtime/tenant-credentials';
import { TenantTableError, TenantTableErrorCode } from '../../../../lib/boundaries/dynamodb/runtime/errors';
import { TenantTable, TenantTableSchema } from '../../../../lib/boundaries/dynamodb/runtime/tenant-table';
import { DOUBLE_ROLE_ARN, RecordingStsDouble } from '../../../helpers/recording-sts-double';
import { DynaliteServer, startDynalite } from '../../../helpers/dynalite-server';
import { newTestIssuer } from '../../../helpers/token-issuer';

const SCHEMA: TenantTableSchema = { tableName: 'tib-tenant-items', indexes: { byType: { partitionKeyName: 'gsi1pk', sortKeyName: 'gsi1sk' } } };

let engine: DynaliteServer;
let admin: DynamoDBClient;
let sts: RecordingStsDouble;
let vendor: TenantCredentialVendor;
const signedTokens: string[] = [];
const ctx: Record<string, TenantContext> = {};
const table = (tenant: string) => new TenantTable(ctx[tenant], SCHEMA, { dynamodb: (c) => client(c) });

/** The vendor's client for the context, pointed at the engine, recording the session token of every request. */
function client(c: TenantContext): DynamoDBClient {
  const dynamo = vendor.dynamodb(c, { endpoint: engine.endpoint });
  dynamo.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      signedTokens.push(headers['x-amz-security-token']);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'recordSessionToken' },
  );
  return dynamo;
}

async function refused(fn: () => Promise<unknown> | unknown, code: TenantTableErrorCode): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TenantTableError);
  expect((thrown as TenantTableError).code).toBe(code);
}

async function rawItems(): Promise<Array<Record<string, string>>> {
  const out = await admin.send(new ScanCommand({ TableName: SCHEMA.tableName }));
  return (out.Items ?? []).map((i) => Object.fromEntries(Object.entries(i).map(([k, v]) => [k, String(v.S ?? v.N)])));
}

beforeAll(async () => {
  engine = await startDynalite();
  admin = engine.admin();
  await admin.send(
    new CreateTableCommand({
      TableName: SCHEMA.tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((n) => ({ AttributeName: n, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byType',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  const idp = await newTestIssuer();
  for (const t of ['acme', 'acme-corp', 'globex']) ctx[t] = await idp.context(t);
  sts = new RecordingStsDouble();
  vendor = new TenantCredentialVendor({ roleArn: DOUBLE_ROLE_ARN, sts, region: 'eu-west-1' });

  for (const t of ['acme', 'acme-corp']) {
    await table(t).put({ partition: 'orders', sort: 'o-1' }, { total: 10, owner: t }, { indexKeys: { byType: { partition: 'invoice', sort: '2026-01' } } });
    await table(t).put({ partition: 'orders', sort: 'o-2' }, { total: 20, owner: t });
    await table(t).put({ sort: 'profile' }, { owner: t });
  }
});
afterAll(async () => engine?.stop());

describe('keys are built from the TenantContext', () => {
  test('partition keys on the engine are <tenant> and <tenant>#<parts>, index keys too', async () => {
    const acmeRows = (await rawItems()).filter((i) => i.owner === 'acme');
    expect(acmeRows.map((i) => `${i.pk}|${i.sk}|${i.gsi1pk ?? ''}`).sort()).toEqual(['acme#orders|o-1|acme#invoice', 'acme#orders|o-2|', 'acme|profile|']);
  });
  test("get reads only the caller tenant's item with the same relative key", async () => {
    expect(await table('acme').get({ partition: 'orders', sort: 'o-1' })).toMatchObject({ owner: 'acme', pk: 'acme#orders' });
    expect(await table('acme-corp').get({ partition: 'orders', sort: 'o-1' })).toMatchObject({ owner: 'acme-corp', pk: 'acme-corp#orders' });
    expect(await table('globex').get({ partition: 'orders', sort: 'o-1' })).toBeUndefined();
  });
  test("a relative key that spells another tenant's key stays inside the caller's partition", async () => {
    expect(table('acme').key({ partition: ['..', 'acme-corp#orders'], sort: 'o-1' })).toEqual({ pk: 'acme#..#acme-corp#orders', sk: 'o-1' });
    expect(await table('acme').get({ partition: 'acme-corp#orders', sort: 'o-1' })).toBeUndefined();
  });
  test("every request is signed with the tenant's own vended session (TenantId session tag)", async () => {
    signedTokens.length = 0;
    await table('acme-corp').query({ partition: 'orders' });
    await table('acme').get({ sort: 'profile' });
    expect(signedTokens.map((t) => RecordingStsDouble.tenantOfToken(t))).toEqual(['acme-corp', 'acme']);
    expect(sts.requests.every((r) => r.Tags?.length === 1 && r.Tags[0].Key === 'TenantId')).toBe(true);
  });
});

describe("prefix-colliding ids (acme, acme-corp) under the engine's real semantics", () => {
  test("acme's queries return only acme's items", async () => {
    const page = await table('acme').query({ partition: 'orders' });
    expect(page.items.map((i) => i.owner)).toEqual(['acme', 'acme']);
    const index = await table('acme').query({ index: 'byType', partition: 'invoice' });
    expect(index.items.map((i) => `${i.owner}:${i.sk}`)).toEqual(['acme:o-1']);
  });
  test('begins_with on "acme" also matches acme-corp; on "acme#" it does not (why the delimiter exists)', async () => {
    const scan = async (prefix: string) =>
      (await admin.send(new ScanCommand({ TableName: SCHEMA.tableName, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': { S: prefix } } })))
        .Items!.map((i) => i.owner.S)
        .sort();
    expect(await scan('acme')).toEqual(['acme', 'acme', 'acme', 'acme-corp', 'acme-corp', 'acme-corp']);
    expect(await scan('acme#')).toEqual(['acme', 'acme']);
  });
  test('sort-key conditions run inside the tenant partition only', async () => {
    const page = await table('acme').query({ partition: 'orders', sort: { beginsWith: 'o-' } });
    expect(page.items.map((i) => `${i.pk}/${i.sk}`)).toEqual(['acme#orders/o-1', 'acme#orders/o-2']);
    const between = await table('acme-corp').query({ partition: 'orders', sort: { between: ['o-2', 'o-9'] } });
    expect(between.items.map((i) => `${i.pk}/${i.sk}`)).toEqual(['acme-corp#orders/o-2']);
  });
});

describe('refusals', () => {
  test('attributes that name a key attribute', async () => {
    await refused(() => table('acme').put({ sort: 'x' }, { pk: 'acme-corp#orders' }), 'attribute-is-a-key');
    await refused(() => table('acme').put({ sort: 'x' }, { gsi1pk: 'acme-corp#invoice' }), 'attribute-is-a-key');
    await refused(() => table('acme').update({ partition: 'orders', sort: 'o-1' }, { set: { pk: 'globex' } }), 'attribute-is-a-key');
  });
  test('raw API options (TableName, KeyConditionExpression, ExclusiveStartKey)', async () => {
    const q = table('acme').query.bind(table('acme')) as (o: unknown) => Promise<unknown>;
    await refused(() => q({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'acme-corp' } }), 'option-not-allowed');
    await refused(() => q({ TableName: 'other-table' }), 'option-not-allowed');
    await refused(() => q({ ExclusiveStartKey: { pk: 'acme-corp#orders', sk: 'o-1' } }), 'option-not-allowed');
  });
  test('a filter that names the partition key, inline or through a placeholder', async () => {
    await refused(() => table('acme').query({ filter: { expression: 'pk = :v', values: { ':v': 'acme' } } }), 'expression-names-partition-key');
    await refused(
      () => table('acme').query({ filter: { expression: '#a = :v', names: { '#a': 'gsi1pk' }, values: { ':v': 'acme#x' } } }),
      'expression-names-partition-key',
    );
  });
  test("a filter or condition value shaped like another tenant's key", async () => {
    await refused(() => table('acme').query({ filter: { expression: 'ref = :v', values: { ':v': 'acme-corp#orders' } } }), 'expression-value-other-tenant');
    await refused(
      () => table('acme').delete({ sort: 'profile' }, { condition: { expression: 'contains(refs, :v)', values: { ':v': ['acme#1', 'globex#2'] } } }),
      'expression-value-other-tenant',
    );
  });
  test("a caller placeholder that would overwrite the helper's own key value", async () => {
    await refused(() => table('acme').query({ filter: { expression: 'total > :tt_pk', values: { ':tt_pk': 'acme-corp#orders' } } }), 'expression-reserved-placeholder');
    await refused(() => table('acme').query({ filter: { expression: '#tt_pk = :v', values: { ':v': 1 } } }), 'expression-reserved-placeholder');
  });
  test('a pagination start key of another tenant', async () => {
    await refused(() => table('acme').query({ partition: 'orders', startKey: { pk: 'acme-corp#orders', sk: 'o-1' } }), 'start-key-other-tenant');
    await refused(
      () => table('acme').query({ index: 'byType', partition: 'invoice', startKey: { pk: 'acme#orders', sk: 'o-1', gsi1pk: 'acme-corp#invoice', gsi1sk: 'x' } }),
      'start-key-other-tenant',
    );
  });
  test('an update that changes nothing', async () => {
    await refused(() => table('acme').update({ partition: 'orders', sort: 'o-1' }, {}), 'option-not-allowed');
  });
  test('unknown index, empty parts and sort keys', async () => {
    await refused(() => table('acme').query({ index: 'byOwner' }), 'unknown-index');
    await refused(() => table('acme').get({ partition: '', sort: 'x' }), 'partition-part-invalid');
    await refused(() => table('acme').get({ sort: '' }), 'sort-key-invalid');
  });
  test('no Scan and no PartiQL on the helper', () => {
    for (const m of ['scan', 'executeStatement', 'batchExecuteStatement']) expect((table('acme') as unknown as Record<string, unknown>)[m]).toBeUndefined();
  });
  test('only a verified TenantContext', () => {
    expect(() => new TenantTable({ tenant: ctx.acme.tenant } as TenantContext, SCHEMA, { dynamodb: () => admin })).toThrow(TenantContextRequiredError);
  });
});

describe('legitimate use', () => {
  test("a filter on a non-key attribute, with the tenant's own key shape as a value", async () => {
    const page = await table('acme').query({
      partition: 'orders',
      filter: { expression: '#t > :min AND #o <> :other', names: { '#t': 'total', '#o': 'owner' }, values: { ':min': 15, ':other': 'acme#nobody' } },
    });
    expect(page.items.map((i) => i.sk)).toEqual(['o-2']);
  });
  test("pagination with the tenant's own lastEvaluatedKey", async () => {
    const first = await table('acme').query({ partition: 'orders', limit: 1 });
    expect(first.items).toHaveLength(1);
    const second = await table('acme').query({ partition: 'orders', limit: 1, startKey: first.lastEvaluatedKey });
    expect([first.items[0].sk, second.items[0].sk]).toEqual(['o-1', 'o-2']);
  });
  test('batchGet and batchWrite stay in the tenant partition', async () => {
    await table('globex').batchWrite({
      put: [
        { key: { partition: 'p', sort: '1' }, attributes: { owner: 'globex' } },
        { key: { partition: 'p', sort: '2' }, attributes: { owner: 'globex' } },
      ],
    });
    const got = await table('globex').batchGet([
      { partition: 'p', sort: '1' },
      { partition: 'p', sort: '2' },
      { partition: 'orders', sort: 'o-1' },
    ]);
    expect(got.items.map((i) => `${i.pk}/${i.sk}`).sort()).toEqual(['globex#p/1', 'globex#p/2']);
    await table('globex').batchWrite({ delete: [{ partition: 'p', sort: '1' }] });
    expect(await table('globex').get({ partition: 'p', sort: '1' })).toBeUndefined();
  });
  test('update never creates an item (attribute_exists on the key) and ifNotExists never overwrites', async () => {
    await expect(table('acme').update({ partition: 'orders', sort: 'missing' }, { set: { total: 1 } })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect(await table('acme').update({ partition: 'orders', sort: 'o-1' }, { set: { total: 11 } })).toMatchObject({ total: 11, owner: 'acme' });
    await expect(table('acme').put({ partition: 'orders', sort: 'o-1' }, { total: 0 }, { ifNotExists: true })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
  });
  test('transactWrite builds every item from the context (the engine lacks TransactWriteItems)', async () => {
    const sent: unknown[] = [];
    const recording = engine.admin();
    recording.middlewareStack.add((next) => async (args) => (sent.push(args.input), next(args)), { step: 'initialize', name: 'recordInput' });
    const t = new TenantTable(ctx.acme, SCHEMA, { dynamodb: () => recording });
    const attempt = t.transactWrite([
      { put: { key: { partition: 'orders', sort: 'o-3' }, attributes: { total: 3 } } },
      { conditionCheck: { key: { sort: 'profile' }, condition: { expression: 'attribute_exists(#o)', names: { '#o': 'owner' } } } },
    ]);
    await expect(attempt).rejects.toMatchObject({ name: 'UnknownOperationException' });
    const items = (sent[0] as { TransactItems: Array<Record<string, { Item?: Record<string, unknown>; Key?: Record<string, unknown> }>> }).TransactItems;
    expect(items[0].Put.Item).toMatchObject({ pk: 'acme#orders', sk: 'o-3' });
    expect(items[1].ConditionCheck.Key).toEqual({ pk: 'acme', sk: 'profile' });
  });
});

test("an item another tenant planted in this tenant's index partition is dropped, not shown", async () => {
  // acme-corp writes with its own session: its table key is its own, so IAM allows the PutItem,
  // but it sets the index key to acme's partition (IAM does not confine non-key attribute values).
  await admin.send(
    new PutItemCommand({
      TableName: SCHEMA.tableName,
      Item: { pk: { S: 'acme-corp#planted' }, sk: { S: 'p-1' }, gsi1pk: { S: 'acme#invoice' }, gsi1sk: { S: '2026-02' }, owner: { S: 'acme-corp' } },
    }),
  );
  const page = await table('acme').query({ index: 'byType', partition: 'invoice' });
  expect(page.items.map((i) => i.owner)).toEqual(['acme']);
  expect(page.foreignItemsDropped).toBe(1);
});

describe('TenantCredentialVendor.dynamodb', () => {
  test('one client per tenant, each resolving to its own tenant session', async () => {
    const v = new TenantCredentialVendor({ roleArn: DOUBLE_ROLE_ARN, sts: new RecordingStsDouble(), region: 'eu-west-1' });
    const a1 = v.dynamodb(ctx.acme);
    expect(v.dynamodb(ctx.acme)).toBe(a1);
    const b = v.dynamodb(ctx['acme-corp']);
    expect(b).not.toBe(a1);
    const creds = async (c: DynamoDBClient) => RecordingStsDouble.tenantOfToken((await c.config.credentials()).sessionToken!);
    expect([await creds(a1), await creds(b)]).toEqual(['acme', 'acme-corp']);
  });
  test('refuses anything but a verified TenantContext', () => {
    const v = new TenantCredentialVendor({ roleArn: DOUBLE_ROLE_ARN, sts: new RecordingStsDouble(), region: 'eu-west-1' });
    expect(() => v.dynamodb({ tenant: ctx.acme.tenant } as TenantContext)).toThrow(TenantContextRequiredError);
  });
});
