/**
 * Items of a tenant-partitioned DynamoDB table through a TenantContext.
 *
 * Every partition key (the table's and each global secondary index's) is built here from the
 * verified tenant: `<tenant>` or `<tenant>#<part>#...` (lib/core/dynamodb-keys.ts). Callers pass
 * only the parts after the tenant and a sort key, never a raw key, table name or key condition.
 * Requests are signed with the tenant's own vended credentials (TenantCredentialVendor.dynamodb),
 * so IAM's `dynamodb:LeadingKeys` confinement applies to every call even if this code were wrong.
 *
 * Refused (TenantTableError with a code): item attributes that name a key attribute; options the
 * helper does not take (`TableName`, `KeyConditionExpression`, raw `ExclusiveStartKey`, ...);
 * filter/condition expressions that name a partition-key attribute, use the helper's reserved
 * placeholders, or carry a value shaped like another tenant's key (`<other-id>#...`); a
 * pagination start key of another tenant. There is no Scan and no PartiQL.
 *
 * Read back, every item's table partition key (and, for index queries, its index partition key)
 * must be the caller's: another tenant can WRITE an item whose index key names this tenant (IAM
 * confines the partition key of a PutItem, not the values of other attributes), so such items are
 * dropped from results and counted in `foreignItemsDropped` instead of being shown as this
 * tenant's data.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DYNAMODB_KEY_DELIMITER, isTenantPartitionKey, partitionKeyTenant, tenantPartitionKey } from '../../../core/dynamodb-keys';
import type { TenantId } from '../../../core/tenant-id';
import { assertTenantContext, TenantContext } from '../../identity/runtime/tenant-context';
import { TenantTableError } from './errors';

type Item = Record<string, unknown>;

/** What the table looks like: names only (no credentials, no tenant). */
export interface TenantTableSchema {
  readonly tableName: string;
  /** @default 'pk' */
  readonly partitionKeyName?: string;
  /** @default 'sk' */
  readonly sortKeyName?: string;
  /** Global secondary indexes by name; their partition keys lead with the tenant too. */
  readonly indexes?: Readonly<Record<string, { readonly partitionKeyName: string; readonly sortKeyName?: string }>>;
}

/** What the helper needs from the credential vendor (TenantCredentialVendor satisfies it). */
export interface TenantDynamoDbClientSource {
  dynamodb(ctx: TenantContext): DynamoDBClient;
}

/** A key relative to the tenant: partition parts after `<tenant>#` (none: `<tenant>`), and the sort key. */
export interface TenantItemKey {
  readonly partition?: string | readonly string[];
  readonly sort: string;
}

/** A caller-supplied filter or condition: names and values as in the DynamoDB API. */
export interface TenantExpression {
  readonly expression: string;
  readonly names?: Readonly<Record<string, string>>;
  readonly values?: Readonly<Record<string, unknown>>;
}

export interface PutOptions {
  /** Index keys of the item, relative to the tenant like the table key. */
  readonly indexKeys?: Readonly<Record<string, TenantItemKey>>;
  /** Fail with ConditionalCheckFailedException when the item exists. */
  readonly ifNotExists?: boolean;
  readonly condition?: TenantExpression;
}

export interface QueryOptions {
  readonly partition?: string | readonly string[];
  /** Query a global secondary index instead of the table. */
  readonly index?: string;
  /** Sort-key condition. */
  readonly sort?: { readonly equals: string } | { readonly beginsWith: string } | { readonly between: readonly [string, string] };
  readonly filter?: TenantExpression;
  readonly limit?: number;
  /** A `lastEvaluatedKey` from a previous page of the same tenant. */
  readonly startKey?: Item;
  readonly scanIndexForward?: boolean;
  readonly consistentRead?: boolean;
}

export interface QueryResult {
  readonly items: Item[];
  readonly lastEvaluatedKey?: Item;
  /** Items dropped because their table or index partition key is not this tenant's. */
  readonly foreignItemsDropped: number;
}

export type TransactWriteItem =
  | { readonly put: { readonly key: TenantItemKey; readonly attributes: Item; readonly options?: PutOptions } }
  | { readonly delete: { readonly key: TenantItemKey; readonly condition?: TenantExpression } }
  | { readonly conditionCheck: { readonly key: TenantItemKey; readonly condition: TenantExpression } };

const RESERVED_NAME = '#tt_';
const RESERVED_VALUE = ':tt_';
/** DynamoDB: BatchGetItem 100 keys, BatchWriteItem 25 requests, TransactWriteItems 100 actions (API reference). */
const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
const TRANSACT_MAX = 100;

function allowOnly(options: object | undefined, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(options ?? {})) {
    if (!allowed.includes(k))
      throw new TenantTableError(
        'option-not-allowed',
        `${where}: option ${JSON.stringify(k)} is not accepted; keys, table and key conditions come from the TenantContext`,
      );
  }
}

export class TenantTable {
  private readonly tenant: TenantId;
  private readonly doc: DynamoDBDocumentClient;
  private readonly pk: string;
  private readonly sk: string;
  private readonly partitionAttributes: ReadonlySet<string>;
  private readonly keyAttributes: ReadonlySet<string>;

  constructor(
    ctx: TenantContext,
    private readonly schema: TenantTableSchema,
    clients: TenantDynamoDbClientSource,
  ) {
    assertTenantContext(ctx, 'TenantTable');
    this.tenant = ctx.tenant;
    this.pk = schema.partitionKeyName ?? 'pk';
    this.sk = schema.sortKeyName ?? 'sk';
    const indexes = Object.values(schema.indexes ?? {});
    this.partitionAttributes = new Set([this.pk, ...indexes.map((i) => i.partitionKeyName)]);
    this.keyAttributes = new Set([this.pk, this.sk, ...indexes.flatMap((i) => [i.partitionKeyName, ...(i.sortKeyName ? [i.sortKeyName] : [])])]);
    this.doc = DynamoDBDocumentClient.from(clients.dynamodb(ctx), { marshallOptions: { removeUndefinedValues: true } });
  }

  /** `<tenant>` or `<tenant>#<parts...>` for this table's tenant. */
  public partitionKey(partition?: string | readonly string[]): string {
    const parts = partition === undefined ? [] : typeof partition === 'string' ? [partition] : [...partition];
    for (const p of parts) {
      if (typeof p !== 'string' || p === '') throw new TenantTableError('partition-part-invalid', `partition part ${JSON.stringify(p)} must be a non-empty string`);
    }
    return tenantPartitionKey(this.tenant, ...parts);
  }

  /** The full primary key of an item of this tenant. */
  public key(k: TenantItemKey): Item {
    if (typeof k?.sort !== 'string' || k.sort === '') throw new TenantTableError('sort-key-invalid', `sort key ${JSON.stringify(k?.sort)} must be a non-empty string`);
    allowOnly(k, ['partition', 'sort'], 'key');
    return { [this.pk]: this.partitionKey(k.partition), [this.sk]: k.sort };
  }

  public async get(k: TenantItemKey, options: { consistentRead?: boolean } = {}): Promise<Item | undefined> {
    allowOnly(options, ['consistentRead'], 'get');
    const out = await this.doc.send(new GetCommand({ TableName: this.schema.tableName, Key: this.key(k), ConsistentRead: options.consistentRead }));
    return out.Item && this.own(out.Item) ? out.Item : undefined;
  }

  public async put(k: TenantItemKey, attributes: Item, options: PutOptions = {}): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.schema.tableName, ...this.putInput(k, attributes, options) }));
  }

  /** Sets (and optionally removes) non-key attributes of an existing item of this tenant. */
  public async update(k: TenantItemKey, change: { set?: Item; remove?: readonly string[]; condition?: TenantExpression }): Promise<Item | undefined> {
    allowOnly(change, ['set', 'remove', 'condition'], 'update');
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(change.set ?? {}).map(([attr, v], i) => {
      this.refuseKeyAttribute(attr);
      names[`${RESERVED_NAME}s${i}`] = attr;
      values[`${RESERVED_VALUE}s${i}`] = v;
      return `${RESERVED_NAME}s${i} = ${RESERVED_VALUE}s${i}`;
    });
    const removes = (change.remove ?? []).map((attr, i) => {
      this.refuseKeyAttribute(attr);
      names[`${RESERVED_NAME}r${i}`] = attr;
      return `${RESERVED_NAME}r${i}`;
    });
    if (sets.length + removes.length === 0) throw new TenantTableError('option-not-allowed', 'update: give at least one attribute to set or remove');
    // The item must exist: UpdateItem would otherwise create it.
    names[`${RESERVED_NAME}pk`] = this.pk;
    const parts = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean);
    const condition = this.combine(`attribute_exists(${RESERVED_NAME}pk)`, change.condition, names, values);
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.schema.tableName,
        Key: this.key(k),
        UpdateExpression: parts.join(' '),
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes;
  }

  public async delete(k: TenantItemKey, options: { condition?: TenantExpression } = {}): Promise<void> {
    allowOnly(options, ['condition'], 'delete');
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const condition = this.combine(undefined, options.condition, names, values);
    await this.doc.send(
      new DeleteCommand({
        TableName: this.schema.tableName,
        Key: this.key(k),
        ConditionExpression: condition,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
      }),
    );
  }

  /** One page of items of one partition of this tenant, on the table or an index. Never a Scan. */
  public async query(options: QueryOptions = {}): Promise<QueryResult> {
    allowOnly(options, ['partition', 'index', 'sort', 'filter', 'limit', 'startKey', 'scanIndexForward', 'consistentRead'], 'query');
    let pkName = this.pk;
    let skName: string | undefined = this.sk;
    if (options.index !== undefined) {
      const index = this.schema.indexes?.[options.index];
      if (!index) throw new TenantTableError('unknown-index', `index ${JSON.stringify(options.index)} is not in the schema of ${this.schema.tableName}`);
      pkName = index.partitionKeyName;
      skName = index.sortKeyName;
    }
    const names: Record<string, string> = { [`${RESERVED_NAME}pk`]: pkName };
    const values: Record<string, unknown> = { [`${RESERVED_VALUE}pk`]: this.partitionKey(options.partition) };
    let keyCondition = `${RESERVED_NAME}pk = ${RESERVED_VALUE}pk`;
    if (options.sort) {
      if (!skName) throw new TenantTableError('option-not-allowed', `sort: ${options.index ?? 'the table'} has no sort key`);
      names[`${RESERVED_NAME}sk`] = skName;
      const s = options.sort as Record<string, unknown>;
      allowOnly(s, ['equals', 'beginsWith', 'between'], 'query.sort');
      if (typeof s.equals === 'string') {
        values[`${RESERVED_VALUE}sk`] = s.equals;
        keyCondition += ` AND ${RESERVED_NAME}sk = ${RESERVED_VALUE}sk`;
      } else if (typeof s.beginsWith === 'string') {
        values[`${RESERVED_VALUE}sk`] = s.beginsWith;
        keyCondition += ` AND begins_with(${RESERVED_NAME}sk, ${RESERVED_VALUE}sk)`;
      } else if (Array.isArray(s.between) && s.between.length === 2) {
        [values[`${RESERVED_VALUE}sk0`], values[`${RESERVED_VALUE}sk1`]] = s.between;
        keyCondition += ` AND ${RESERVED_NAME}sk BETWEEN ${RESERVED_VALUE}sk0 AND ${RESERVED_VALUE}sk1`;
      } else {
        throw new TenantTableError('option-not-allowed', 'sort: give one of equals, beginsWith or between [low, high]');
      }
    }
    const filter = this.combine(undefined, options.filter, names, values);
    if (options.startKey !== undefined) this.checkStartKey(options.startKey);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.schema.tableName,
        IndexName: options.index,
        KeyConditionExpression: keyCondition,
        FilterExpression: filter,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: options.limit,
        ExclusiveStartKey: options.startKey,
        ScanIndexForward: options.scanIndexForward,
        ConsistentRead: options.consistentRead,
      }),
    );
    const all = out.Items ?? [];
    const items = all.filter((i) => this.own(i, options.index === undefined ? undefined : pkName));
    return { items, lastEvaluatedKey: out.LastEvaluatedKey, foreignItemsDropped: all.length - items.length };
  }

  /** Up to 100 items of this tenant by key; unprocessed keys are retried by the caller (returned). */
  public async batchGet(keys: readonly TenantItemKey[]): Promise<{ items: Item[]; unprocessed: number }> {
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > BATCH_GET_MAX) {
      throw new TenantTableError('batch-size-invalid', `batchGet takes 1-${BATCH_GET_MAX} keys`);
    }
    const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.schema.tableName]: { Keys: keys.map((k) => this.key(k)) } } }));
    const items = (out.Responses?.[this.schema.tableName] ?? []).filter((i) => this.own(i));
    return { items, unprocessed: out.UnprocessedKeys?.[this.schema.tableName]?.Keys?.length ?? 0 };
  }

  /** Up to 25 puts and deletes of this tenant's items. */
  public async batchWrite(requests: {
    put?: ReadonlyArray<{ key: TenantItemKey; attributes: Item; indexKeys?: PutOptions['indexKeys'] }>;
    delete?: readonly TenantItemKey[];
  }): Promise<{ unprocessed: number }> {
    allowOnly(requests, ['put', 'delete'], 'batchWrite');
    const writes = [
      ...(requests.put ?? []).map((p) => ({ PutRequest: { Item: this.putInput(p.key, p.attributes, { indexKeys: p.indexKeys }).Item } })),
      ...(requests.delete ?? []).map((k) => ({ DeleteRequest: { Key: this.key(k) } })),
    ];
    if (writes.length === 0 || writes.length > BATCH_WRITE_MAX) throw new TenantTableError('batch-size-invalid', `batchWrite takes 1-${BATCH_WRITE_MAX} requests`);
    const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.schema.tableName]: writes } }));
    return { unprocessed: out.UnprocessedItems?.[this.schema.tableName]?.length ?? 0 };
  }

  /** All-or-nothing writes of this tenant's items (authorized item by item as PutItem/DeleteItem/ConditionCheckItem). */
  public async transactWrite(items: readonly TransactWriteItem[]): Promise<void> {
    if (!Array.isArray(items) || items.length === 0 || items.length > TRANSACT_MAX) {
      throw new TenantTableError('batch-size-invalid', `transactWrite takes 1-${TRANSACT_MAX} items`);
    }
    const TableName = this.schema.tableName;
    const transactItems = items.map((item) => {
      allowOnly(item, ['put', 'delete', 'conditionCheck'], 'transactWrite item');
      if ('put' in item) return { Put: { TableName, ...this.putInput(item.put.key, item.put.attributes, item.put.options ?? {}) } };
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const spec = 'delete' in item ? item.delete : item.conditionCheck;
      const condition = this.combine(undefined, spec.condition, names, values);
      const body = {
        TableName,
        Key: this.key(spec.key),
        ConditionExpression: condition,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
      };
      if ('delete' in item) return { Delete: body };
      if (!condition) throw new TenantTableError('option-not-allowed', 'conditionCheck needs a condition');
      return { ConditionCheck: { ...body, ConditionExpression: condition } };
    });
    await this.doc.send(new TransactWriteCommand({ TransactItems: transactItems }));
  }

  private putInput(k: TenantItemKey, attributes: Item, options: PutOptions) {
    allowOnly(options, ['indexKeys', 'ifNotExists', 'condition'], 'put');
    const item: Item = {};
    for (const [attr, v] of Object.entries(attributes ?? {})) {
      this.refuseKeyAttribute(attr);
      item[attr] = v;
    }
    for (const [name, ik] of Object.entries(options.indexKeys ?? {})) {
      const index = this.schema.indexes?.[name];
      if (!index) throw new TenantTableError('unknown-index', `index ${JSON.stringify(name)} is not in the schema of ${this.schema.tableName}`);
      item[index.partitionKeyName] = this.partitionKey(ik.partition);
      if (index.sortKeyName) {
        if (typeof ik.sort !== 'string' || ik.sort === '') throw new TenantTableError('sort-key-invalid', `index ${name}: sort key must be a non-empty string`);
        item[index.sortKeyName] = ik.sort;
      }
    }
    Object.assign(item, this.key(k));
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let base: string | undefined;
    if (options.ifNotExists) {
      names[`${RESERVED_NAME}pk`] = this.pk;
      base = `attribute_not_exists(${RESERVED_NAME}pk)`;
    }
    const condition = this.combine(base, options.condition, names, values);
    return {
      Item: item,
      ConditionExpression: condition,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    };
  }

  private refuseKeyAttribute(attr: string): void {
    if (this.keyAttributes.has(attr)) {
      throw new TenantTableError(
        'attribute-is-a-key',
        `attribute ${JSON.stringify(attr)} is a key attribute; keys are built from the TenantContext (use the key or indexKeys)`,
      );
    }
  }

  /** Validates a caller expression and merges it after the helper's own (reserved) placeholders. */
  private combine(base: string | undefined, user: TenantExpression | undefined, names: Record<string, string>, values: Record<string, unknown>): string | undefined {
    if (user === undefined) return base;
    allowOnly(user, ['expression', 'names', 'values'], 'expression');
    const { expression } = user;
    if (typeof expression !== 'string' || expression.trim() === '') throw new TenantTableError('option-not-allowed', 'an expression must be a non-empty string');
    for (const [placeholder, attr] of Object.entries(user.names ?? {})) {
      if (placeholder.startsWith(RESERVED_NAME))
        throw new TenantTableError('expression-reserved-placeholder', `placeholder ${placeholder} uses the reserved prefix ${RESERVED_NAME}`);
      if (this.partitionAttributes.has(attr))
        throw new TenantTableError('expression-names-partition-key', `expression names the partition-key attribute ${JSON.stringify(attr)}`);
      names[placeholder] = attr;
    }
    for (const [placeholder, v] of Object.entries(user.values ?? {})) {
      if (placeholder.startsWith(RESERVED_VALUE))
        throw new TenantTableError('expression-reserved-placeholder', `placeholder ${placeholder} uses the reserved prefix ${RESERVED_VALUE}`);
      this.refuseOtherTenantValue(v, placeholder);
      values[placeholder] = v;
    }
    // Attribute names written inline (not through a #placeholder).
    const inline = expression.replace(/[#:][A-Za-z0-9_]+/g, ' ').match(/[A-Za-z_][A-Za-z0-9_.-]*/g) ?? [];
    for (const word of inline) {
      if (this.partitionAttributes.has(word))
        throw new TenantTableError('expression-names-partition-key', `expression names the partition-key attribute ${JSON.stringify(word)}`);
    }
    if (/[#:]tt_/.test(expression)) throw new TenantTableError('expression-reserved-placeholder', 'the expression uses a reserved placeholder (#tt_ / :tt_)');
    return base ? `(${base}) AND (${expression})` : expression;
  }

  /** A string (or a string inside a list, set or map) shaped `<other-tenant>#...` is refused. */
  private refuseOtherTenantValue(v: unknown, where: string): void {
    if (typeof v === 'string') {
      if (v.includes(DYNAMODB_KEY_DELIMITER)) {
        const owner = partitionKeyTenant(v);
        if (owner && !owner.equals(this.tenant)) {
          throw new TenantTableError('expression-value-other-tenant', `expression value ${where} is shaped like tenant ${owner.value}'s partition key`);
        }
      }
    } else if (v instanceof Set || Array.isArray(v)) {
      for (const x of v) this.refuseOtherTenantValue(x, where);
    } else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
      for (const x of Object.values(v)) this.refuseOtherTenantValue(x, where);
    }
  }

  private checkStartKey(startKey: Item): void {
    if (!startKey || typeof startKey !== 'object') throw new TenantTableError('start-key-other-tenant', 'startKey must be a lastEvaluatedKey object');
    for (const attr of this.partitionAttributes) {
      if (attr in startKey && !isTenantPartitionKey(this.tenant, startKey[attr])) {
        throw new TenantTableError('start-key-other-tenant', `startKey ${attr} ${JSON.stringify(startKey[attr])} is not a key of tenant ${this.tenant.value}`);
      }
    }
    if (!isTenantPartitionKey(this.tenant, startKey[this.pk])) {
      throw new TenantTableError('start-key-other-tenant', `startKey ${this.pk} is not a key of tenant ${this.tenant.value}`);
    }
  }

  /** The item's table partition key (and the queried index's) belong to this tenant. */
  private own(item: Item, indexPartitionKey?: string): boolean {
    if (!isTenantPartitionKey(this.tenant, item[this.pk])) return false;
    return indexPartitionKey === undefined || isTenantPartitionKey(this.tenant, item[indexPartitionKey]);
  }
}
