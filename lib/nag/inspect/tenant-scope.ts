/**
 * What "scoped to a tenant" means in policy text, per the namespace contract
 * (lib/core/namespace.ts): the session-tag variable, or a literal tenant namespace that ends
 * in its delimiter (`tenants/<id>/`, `tenant:<id>:`, `tenant-<id>.`), or an exact per-tenant
 * name (`tenant-<id>-<purpose>`, no wildcard).
 */
import { CACHE_ROOT, INDEX_ROOT, OBJECT_ROOT, PRINCIPAL_TENANT, TENANT_TAG_KEY } from '../../core/namespace';
import { Conditions } from './policies';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const ID = '[a-z][a-z0-9-]*';
/** Where a namespace may start: start of string or after an ARN/path/ACL separator. */
const BOUNDARY = '(?:^|[/:~&%])';

/** A literal tenant namespace WITH its delimiter. */
const LITERAL_NAMESPACE = new RegExp(`${BOUNDARY}(?:${esc(OBJECT_ROOT)}${ID}/|${esc(CACHE_ROOT)}${ID}:|${esc(INDEX_ROOT)}${ID}\\.)`);
/**
 * An exact per-tenant resource name `tenant-<id>-<purpose>` (tenantResourceName), such as an SQS
 * queue `tenant-acme-jobs`: no wildcard, and a purpose after the id (`tenant-jobs` is no tenant's).
 */
const EXACT_TENANT_NAME = new RegExp(`(?:^|[/:])${esc(INDEX_ROOT)}${ID}-[a-z0-9]+$`);

/** A literal namespace whose id runs straight into a wildcard: `tenants/acme*`, `tenant-acme-*`. */
const LITERAL_WITHOUT_DELIMITER = new RegExp(`${BOUNDARY}(?:${esc(OBJECT_ROOT)}|${esc(CACHE_ROOT)}|${esc(INDEX_ROOT)})[a-z0-9][a-z0-9-]*[*?]`, 'g');

/** Keys that carry the tenant: `aws:PrincipalTag/TenantId`, `aws:RequestTag/TenantId`, `*:ResourceTag/TenantId`. */
export function isTenantKey(key: string): boolean {
  return new RegExp(`(^|:)(PrincipalTag|RequestTag|ResourceTag)/${TENANT_TAG_KEY}$`, 'i').test(key);
}

/** True when the string names one tenant (variable or literal namespace with delimiter). */
export function namesTenant(s: string): boolean {
  return s.includes(PRINCIPAL_TENANT) || LITERAL_NAMESPACE.test(s) || EXACT_TENANT_NAME.test(s);
}

/** A literal TenantId value (as in `StringEquals aws:PrincipalTag/TenantId: acme`). */
export function isLiteralTenantId(s: string): boolean {
  return new RegExp(`^${ID}$`).test(s) && !s.endsWith('-');
}

/**
 * Tenant patterns in the string that match other tenants because the id is not followed by its
 * delimiter before a wildcard: `tenants/acme*`, `tenant-acme*`, `tenants/${aws:PrincipalTag/TenantId}*`.
 */
export function patternsWithoutDelimiter(s: string): string[] {
  const found: string[] = [];
  let at = s.indexOf(PRINCIPAL_TENANT);
  while (at >= 0) {
    const rest = s.slice(at + PRINCIPAL_TENANT.length);
    const m = /^[^/:.#_]*[*?]/.exec(rest); // `#`: DynamoDB partition keys (dynamodb-keys.ts); `_`: SES template names (email-names.ts)
    if (m) found.push(s.slice(0, at + PRINCIPAL_TENANT.length) + m[0]);
    at = s.indexOf(PRINCIPAL_TENANT, at + 1);
  }
  for (const m of s.matchAll(LITERAL_WITHOUT_DELIMITER)) found.push(m[0].replace(/^[/:~&%]/, ''));
  return found;
}

/** Operators that require the key to be present and to match (no `IfExists`, no `ForAllValues`, no negation). */
export function isPositiveRequiringOperator(op: string): boolean {
  if (/IfExists$/.test(op) || /^ForAllValues:/.test(op)) return false;
  const base = op.replace(/^ForAnyValue:/, '');
  return /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/.test(base);
}

/**
 * A condition that binds the statement to one tenant: a positive, presence-requiring operator
 * whose every value names a tenant — `aws:PrincipalTag/TenantId = acme`,
 * `aws:ResourceTag/TenantId = ${aws:PrincipalTag/TenantId}`, `s3:prefix = tenants/${...}/*`,
 * `kms:EncryptionContext:aws:s3:arn = arn:...:tenants/${...}/*`.
 */
export function hasTenantBindingCondition(conditions: Conditions): boolean {
  for (const [op, keys] of Object.entries(conditions)) {
    if (!isPositiveRequiringOperator(op)) continue;
    for (const [key, values] of Object.entries(keys)) {
      if (values.length === 0) continue;
      const bound = values.every((v) => namesTenant(v) || (isTenantKey(key) && isLiteralTenantId(v)));
      if (bound) return true;
    }
  }
  return false;
}
