/**
 * The audit's view of a pooled DynamoDB table: a table (or global table) tagged
 * `tenant-isolation:partition=tenant-leading-key` (lib/core/dynamodb-keys.ts) holds every
 * tenant's items, partitioned by a partition key that is `<id>` or starts with `<id>#`.
 *
 * Probes, per victim tenant v (the matrix substitutes `{ns}` = v): every item action on v's
 * partition (`dynamodb:LeadingKeys` = `v`, and `v#audit-probe`), and a Query on an index entry of
 * v. Cross-tenant probes (victim `*`): Scan and PartiQL on the table and an index, stream reads,
 * exports, and every item action with NO leading keys — the ForAllValues empty-set trap (IAM User
 * Guide, reference_policies_condition_examples-multi-valued-context-keys). The attacker controls
 * the keys it sends, so one key per request is enough: a policy that lets any foreign key through
 * lets this one through.
 */
import { POOLED_TABLE_UNCONFINED_ACTIONS, TENANT_ITEM_ACTIONS } from '../core/dynamodb-actions';
import { DYNAMODB_KEY_DELIMITER, LEADING_KEYS_CONDITION_KEY, POOLED_TABLE_TAG_KEY, POOLED_TABLE_TAG_VALUE } from '../core/dynamodb-keys';
import { ProbeTemplate, RESOURCE_KINDS, ResourceKind } from './resource-kinds';

const leading = (value: string) => ({ [LEADING_KEYS_CONDITION_KEY]: value });
const INDEX = '{arn}/index/audit-probe';

const POOLED_PROBES: ProbeTemplate[] = [
  ...TENANT_ITEM_ACTIONS.flatMap((action) => [
    { action, resource: '{arn}', context: leading('{ns}') },
    { action, resource: '{arn}', context: leading(`{ns}${DYNAMODB_KEY_DELIMITER}audit-probe`) },
  ]),
  { action: 'dynamodb:Query', resource: INDEX, context: leading(`{ns}${DYNAMODB_KEY_DELIMITER}audit-probe`) },
];

const CROSS_TENANT_PROBES: ProbeTemplate[] = [
  ...TENANT_ITEM_ACTIONS.map((action) => ({ action, resource: '{arn}' })),
  { action: 'dynamodb:Query', resource: INDEX },
  ...POOLED_TABLE_UNCONFINED_ACTIONS.map((action) => ({
    action,
    resource: /GetRecords|GetShardIterator/.test(action) ? '{arn}/stream/audit-probe' : '{arn}',
  })),
  { action: 'dynamodb:Scan', resource: INDEX },
];

const TABLE = RESOURCE_KINDS['AWS::DynamoDB::Table'];

/** A pooled table: named like any table, probed per tenant partition. */
export const POOLED_DYNAMODB_TABLE: ResourceKind = {
  ...TABLE,
  namespace: 'partition',
  pooledProbes: POOLED_PROBES,
  crossTenantProbes: CROSS_TENANT_PROBES,
};

function tagValue(tags: unknown, key: string): unknown {
  if (Array.isArray(tags)) return tags.find((t) => t && typeof t === 'object' && (t as { Key?: unknown }).Key === key)?.Value;
  return undefined;
}

/**
 * The pooled-table kind for a resource whose (resolved) properties carry the pooled tag: on the
 * table itself, or on a replica of an `AWS::DynamoDB::GlobalTable`. Undefined otherwise.
 */
export function pooledDynamoDbKind(type: string, props: Record<string, unknown>): ResourceKind | undefined {
  if (type === 'AWS::DynamoDB::Table') {
    return tagValue(props.Tags, POOLED_TABLE_TAG_KEY) === POOLED_TABLE_TAG_VALUE ? POOLED_DYNAMODB_TABLE : undefined;
  }
  if (type === 'AWS::DynamoDB::GlobalTable') {
    const replicas = Array.isArray(props.Replicas) ? (props.Replicas as Array<{ Tags?: unknown }>) : [];
    return replicas.some((r) => tagValue(r?.Tags, POOLED_TABLE_TAG_KEY) === POOLED_TABLE_TAG_VALUE) ? POOLED_DYNAMODB_TABLE : undefined;
  }
  return undefined;
}
