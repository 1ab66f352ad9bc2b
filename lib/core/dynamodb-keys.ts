/**
 * The DynamoDB part of the namespace contract: how a pooled table's partition keys carry the
 * tenant, read by the construct (IAM `dynamodb:LeadingKeys` patterns), the nag rule, the audit
 * and the runtime helper, so they cannot drift.
 *
 * Tenant `<id>` owns every item (and every global secondary index entry) whose partition key is
 * `<id>` or starts with `<id>#`. `#` is outside the TenantId alphabet (`a-z 0-9 -`, tenant-id.ts),
 * so `acme#` is never a prefix of `acme-corp#...` and the exact value `acme` is never another
 * tenant's key. IAM matches `dynamodb:LeadingKeys` against the whole partition-key value, so the
 * grant names both patterns: `${aws:PrincipalTag/TenantId}` and `${aws:PrincipalTag/TenantId}#*`.
 */
import { PRINCIPAL_TENANT, TenantRef } from './namespace';
import { TenantId } from './tenant-id';

/** Separates the tenant from the rest of a partition key. A TenantId cannot contain it. */
export const DYNAMODB_KEY_DELIMITER = '#';

/**
 * Tag a pooled table carries (value {@link POOLED_TABLE_TAG_VALUE}): its partition key, and the
 * partition key of every global secondary index, lead with the tenant. The nag rule TI-DDB1 and
 * the audit recognise pooled tables by it (and by nothing that could be guessed from a name).
 */
export const POOLED_TABLE_TAG_KEY = 'tenant-isolation:partition';
export const POOLED_TABLE_TAG_VALUE = 'tenant-leading-key';

/** The condition key IAM fills with the partition-key values of a request (DynamoDB Developer Guide, specifying-conditions). */
export const LEADING_KEYS_CONDITION_KEY = 'dynamodb:LeadingKeys';

function ref(tenant: TenantRef): string {
  return typeof tenant === 'string' ? tenant : tenant.value;
}

/**
 * `<id>` (no parts) or `<id>#<part>#<part>...` — a partition-key value owned by `tenant`. Parts are
 * opaque to the contract (they may contain `#`): whatever follows `<id>#` stays `<id>`'s.
 */
export function tenantPartitionKey(tenant: TenantRef, ...parts: readonly string[]): string {
  for (const p of parts) {
    if (typeof p !== 'string' || p === '') {
      throw new Error(`invalid partition key part ${JSON.stringify(p)}: parts are non-empty strings`);
    }
  }
  return [ref(tenant), ...parts].join(DYNAMODB_KEY_DELIMITER);
}

/** The two `dynamodb:LeadingKeys` patterns (for `StringLike`) that cover exactly `tenant`'s keys. */
export function leadingKeyPatterns(tenant: TenantRef = PRINCIPAL_TENANT): [string, string] {
  return [ref(tenant), `${ref(tenant)}${DYNAMODB_KEY_DELIMITER}*`];
}

/** True when `value` is a partition key owned by `tenant` (`acme` or `acme#...`, never `acme-corp#...`). */
export function isTenantPartitionKey(tenant: TenantId, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  return value === tenant.value || value.startsWith(tenant.value + DYNAMODB_KEY_DELIMITER);
}

/** The tenant part of a partition-key value (text before the first `#`), or undefined when it is not a TenantId. */
export function partitionKeyTenant(value: string): TenantId | undefined {
  const at = value.indexOf(DYNAMODB_KEY_DELIMITER);
  const head = at < 0 ? value : value.slice(0, at);
  try {
    return TenantId.parse(head);
  } catch {
    return undefined;
  }
}

/** DynamoDB table names: 3-255 characters (DynamoDB Developer Guide, HowItWorks.NamingRulesDataTypes). */
export const DYNAMODB_TABLE_NAME_MAX = 255;

/** `<q>-tenant-items`: the pooled table (no tenant name in it). */
export function pooledItemsTableName(qualifier: string): string {
  return `${qualifier}-tenant-items`;
}

/**
 * `<q>-tenant-<id>-items`: a silo tenant's own table. Exact names only: `<q>-tenant-A-items`
 * equals `<q>-tenant-B-items` only when A = B, while a pattern `<q>-tenant-acme-*` would also match
 * `<q>-tenant-acme-corp-items`.
 */
export function siloItemsTableName(qualifier: string, tenant: TenantRef): string {
  return `${qualifier}-tenant-${ref(tenant)}-items`;
}
