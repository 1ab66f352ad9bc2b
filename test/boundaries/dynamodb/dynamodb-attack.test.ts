/**
 * Attack tests for the DynamoDB boundary: a TenantAccessRole session tagged as tenant A against
 * tenant B's items, index entries and silo table, evaluated on the synthesized identity policies
 * with the iam-simulate oracle. Tenant ids share leading letters (acme, acme-corp).
 *
 * How requests are modelled (DynamoDB Developer Guide, specifying-conditions; transaction-apis-iam;
 * ql-iam): `dynamodb:LeadingKeys` holds the partition-key values of the request (for a query on
 * a GSI, the index partition key); BatchGetItem/BatchWriteItem carry every key of the batch;
 * TransactGetItems/TransactWriteItems are authorized item by item as GetItem/PutItem/UpdateItem/
 * DeleteItem/ConditionCheckItem, and the transaction fails when any item is denied; the PartiQL
 * APIs (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) are authorized as
 * PartiQLSelect/Insert/Update/Delete. A request that names no partition key (Scan, a PartiQL
 * statement without one) carries NO LeadingKeys key.
 *
 * Oracle gap (pinned below): iam-simulate treats an EMPTY LeadingKeys list as a present key, so
 * `Null: false` is true for it. IAM documents the opposite ("You can prevent missing context keys
 * or context keys with empty values from evaluating to true by including a Null condition
 * operator ... with a value of false", IAM User Guide, reference_policies_condition_examples-
 * multi-valued-context-keys), so keyless requests are modelled with the key absent.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import { POOLED_TABLE_UNCONFINED_ACTIONS, TENANT_ITEM_ACTIONS } from '../../../lib/core/dynamodb-actions';
import { testBlueprint } from '../../helpers/app';
import { arnOf, Decision, evaluate, identityPoliciesOf } from '../../helpers/iam-attack';
import { logicalIdsOfType, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const POOL = ['acme', 'acme-corp', 'globex-eu'];
const SILO = 'globex';
const { blueprint } = testBlueprint([...POOL, `${SILO}:silo`]);
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const roleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('TenantAccessRole'))!;
const roleArn = arnOf(platform, roleId);
const identity = identityPoliciesOf(platform, roleId);

const ARN = `arn:${TEST_ENV.partition}:dynamodb:${TEST_ENV.region}:${TEST_ENV.account}`;
const TABLE = `${ARN}:table/tib-tenant-items`;
const INDEX = `${TABLE}/index/byType`;
const STREAM = `${TABLE}/stream/2026-01-01T00:00:00.000`;
/** The resource types each action takes (Service Authorization Reference): streams, indexes, tables. */
const resourcesFor = (action: string) =>
  /GetRecords|GetShardIterator/.test(action) ? [STREAM] : /Scan|PartiQLSelect|SearchVectors/.test(action) ? [TABLE, INDEX] : [TABLE];
const siloTable = (tenant: string) => `${ARN}:table/tib-tenant-${tenant}-items`;

function ask(tenant: string | undefined, action: string, resource: string, leadingKeys?: string[]): Promise<Decision> {
  return evaluate({
    roleArn,
    tenant,
    action,
    resource,
    identityPolicies: identity,
    context: leadingKeys === undefined ? {} : { 'dynamodb:LeadingKeys': leadingKeys },
  });
}

/** A transaction: each item is authorized as its own action; one denial fails the whole request. */
async function transaction(tenant: string, items: Array<[string, string]>): Promise<Decision[]> {
  return Promise.all(items.map(([action, key]) => ask(tenant, action, TABLE, [key])));
}

test('the table is the demo pooled table, and the role carries the DynamoDB statements', () => {
  const tables = logicalIdsOfType(platform, 'AWS::DynamoDB::Table').map((id) => platform.Resources[id].Properties?.TableName);
  expect(tables).toEqual(['tib-tenant-items']);
  expect(JSON.stringify(identity)).toContain('DenyPooledItemsOfOtherTenants');
});

describe('own partitions are reachable', () => {
  test.each([...POOL, SILO].flatMap((t) => TENANT_ITEM_ACTIONS.map((a) => [t, a])))('%s %s on its own keys', async (tenant, action) => {
    expect(await ask(tenant, action, TABLE, [tenant])).toBe('Allowed');
    expect(await ask(tenant, action, TABLE, [`${tenant}#orders`, `${tenant}#order#1`])).toBe('Allowed');
  });
  test.each(POOL)('%s queries its own entries of the byType index', async (tenant) => {
    expect(await ask(tenant, 'dynamodb:Query', INDEX, [`${tenant}#invoice`])).toBe('Allowed');
  });
  test('a transaction of own items is allowed item by item', async () => {
    const items: Array<[string, string]> = [
      ['dynamodb:PutItem', 'acme#a'],
      ['dynamodb:ConditionCheckItem', 'acme#b'],
      ['dynamodb:DeleteItem', 'acme'],
      ['dynamodb:GetItem', 'acme#c'],
    ];
    expect(await transaction('acme', items)).toEqual(items.map(() => 'Allowed'));
  });
});

describe("another tenant's items and index entries are refused by the explicit Deny", () => {
  const pairs = [...POOL, SILO].flatMap((a) => POOL.filter((v) => v !== a).map((v) => [a, v]));
  test.each(pairs.flatMap(([a, v]) => TENANT_ITEM_ACTIONS.map((action) => [a, action, v])))('%s %s on %s', async (attacker, action, victim) => {
    expect(await ask(attacker, action, TABLE, [victim])).toBe('ExplicitlyDenied');
    expect(await ask(attacker, action, TABLE, [`${victim}#orders`])).toBe('ExplicitlyDenied');
  });
  test.each(pairs)("%s queries %s's entries of the byType index", async (attacker, victim) => {
    expect(await ask(attacker, 'dynamodb:Query', INDEX, [`${victim}#invoice`])).toBe('ExplicitlyDenied');
  });
});

describe('batches and transactions with one foreign key among own keys', () => {
  test.each(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'])('%s [acme#1, acme#2, globex-eu#1]', async (action) => {
    expect(await ask('acme', action, TABLE, ['acme#1', 'acme#2', 'globex-eu#1'])).toBe('ExplicitlyDenied');
  });
  test('TransactWriteItems with a foreign ConditionCheck fails on that item', async () => {
    const decisions = await transaction('acme', [
      ['dynamodb:PutItem', 'acme#a'],
      ['dynamodb:ConditionCheckItem', 'acme-corp#b'],
    ]);
    expect(decisions).toEqual(['Allowed', 'ExplicitlyDenied']);
  });
  test('TransactGetItems with a foreign Get fails on that item', async () => {
    expect(
      await transaction('acme', [
        ['dynamodb:GetItem', 'acme#a'],
        ['dynamodb:GetItem', 'globex-eu'],
      ]),
    ).toEqual(['Allowed', 'ExplicitlyDenied']);
  });
});

describe('prefix-colliding ids never match: # is outside the TenantId alphabet', () => {
  test.each([
    ['acme', 'acme-corp'],
    ['acme', 'acme-corp#orders'],
    ['acme', 'acmecorp#orders'],
    ['acme', 'acme-#x'],
    ['acme-corp', 'acme'],
    ['acme-corp', 'acme#orders'],
    ['globex', 'globex-eu#1'],
  ])('%s on key %s', async (tenant, key) => {
    expect(await ask(tenant, 'dynamodb:GetItem', TABLE, [key])).toBe('ExplicitlyDenied');
    expect(await ask(tenant, 'dynamodb:Query', INDEX, [key])).toBe('ExplicitlyDenied');
  });
  test("acme's own key that contains another tenant's name after the delimiter is acme's", async () => {
    expect(await ask('acme', 'dynamodb:GetItem', TABLE, ['acme#acme-corp#1'])).toBe('Allowed');
  });
});

describe('requests without leading keys are refused (the ForAllValues empty-set trap is closed)', () => {
  test.each(TENANT_ITEM_ACTIONS.map((a) => [a]))('%s with no partition key in the request', async (action) => {
    expect(await ask('acme', action, TABLE)).toBe('ExplicitlyDenied');
    expect(await ask('acme', action, INDEX)).toBe('ExplicitlyDenied');
  });
});

describe('Scan, PartiQL, streams and exports are denied on the table and its indexes', () => {
  test.each(POOLED_TABLE_UNCONFINED_ACTIONS.map((a) => [a]))('%s', async (action) => {
    for (const resource of resourcesFor(action)) {
      expect(await ask('acme', action, resource)).toBe('ExplicitlyDenied');
      expect(await ask('acme', action, resource, ['acme'])).toBe('ExplicitlyDenied');
    }
  });
  test('stream records and table administration', async () => {
    expect(await ask('acme', 'dynamodb:DescribeStream', STREAM)).toBe('ExplicitlyDenied');
    expect(await ask('acme', 'dynamodb:DescribeTable', TABLE)).toBe('ExplicitlyDenied');
    expect(await ask('acme', 'dynamodb:DeleteTable', TABLE)).toBe('ExplicitlyDenied');
  });
});

test('a session without a TenantId tag reaches nothing', async () => {
  expect(await ask(undefined, 'dynamodb:GetItem', TABLE, ['acme'])).toBe('ExplicitlyDenied');
  expect(await ask(undefined, 'dynamodb:GetItem', siloTable(SILO), ['globex'])).toBe('ExplicitlyDenied');
});

describe('silo tables: only the tenant named in the table name', () => {
  test('globex reaches its own silo table and index', async () => {
    expect(await ask(SILO, 'dynamodb:PutItem', siloTable(SILO), ['globex#a'])).toBe('Allowed');
    expect(await ask(SILO, 'dynamodb:Query', `${siloTable(SILO)}/index/byType`, ['globex#a'])).toBe('Allowed');
  });
  test.each(POOL)("%s cannot reach globex's silo table", async (attacker) => {
    expect(await ask(attacker, 'dynamodb:GetItem', siloTable(SILO), [attacker])).toBe('ImplicitlyDenied');
    expect(await ask(attacker, 'dynamodb:Scan', siloTable(SILO))).toBe('ImplicitlyDenied');
  });
  test("acme's session does not match a silo table named for acme-corp", async () => {
    expect(await ask('acme', 'dynamodb:GetItem', siloTable('acme-corp'), ['acme'])).toBe('ImplicitlyDenied');
  });
});

test('oracle gap: iam-simulate counts an EMPTY LeadingKeys list as present (IAM does not)', async () => {
  const T = '${aws:PrincipalTag/TenantId}';
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: '*',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [T] }, Null: { 'dynamodb:LeadingKeys': 'false' } },
      },
    ],
  };
  const run = (keys?: string[]) =>
    runSimulation(
      {
        identityPolicies: [{ name: 'p', policy: policy as never }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
          action: 'dynamodb:GetItem',
          principal: roleArn,
          resource: { resource: TABLE, accountId: TEST_ENV.account },
          contextVariables: { 'aws:PrincipalTag/TenantId': 'acme', ...(keys ? { 'dynamodb:LeadingKeys': keys } : {}) },
        },
      },
      {},
    ).then((r) => (r as { overallResult: string }).overallResult);
  // If this starts failing, the oracle was fixed: model keyless requests with [] too.
  expect(await run([])).toBe('Allowed');
  expect(await run()).toBe('ImplicitlyDenied');
});

describe('the Allow alone is sound (the Denies are a second fence, not the only one)', () => {
  const allowOnly = identity.flatMap((doc) => doc.Statement as Array<{ Sid?: string }>).filter((st) => st.Sid === 'PooledItemsOwnPartitions');
  const askAllow = (tenant: string, action: string, resource: string, keys?: string[]) =>
    evaluate({
      roleArn,
      tenant,
      action,
      resource,
      identityPolicies: [{ Version: '2012-10-17', Statement: allowOnly }],
      context: keys ? { 'dynamodb:LeadingKeys': keys } : {},
    });
  test('exactly one such statement', () => expect(allowOnly).toHaveLength(1));
  test.each([
    ['own key', ['acme#1'], 'Allowed'],
    ['foreign key', ['acme-corp#1'], 'ImplicitlyDenied'],
    ['one foreign key in a batch', ['acme#1', 'globex-eu'], 'ImplicitlyDenied'],
    ['no leading keys', undefined, 'ImplicitlyDenied'],
  ] as const)('%s', async (_name, keys, expected) => {
    expect(await askAllow('acme', 'dynamodb:BatchGetItem', TABLE, keys ? [...keys] : undefined)).toBe(expected);
  });
  test('Scan is not granted by it', async () => {
    expect(await askAllow('acme', 'dynamodb:Scan', TABLE)).toBe('ImplicitlyDenied');
  });
});
