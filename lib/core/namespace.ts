/**
 * The namespace contract: where a tenant's data lives in every shared service.
 *
 * One module, read by the constructs, the audit and the application helpers, so they cannot
 * drift. Every prefix ends in a delimiter (`/`, `:` or `.`) that a TenantId cannot contain, so no
 * tenant's prefix is a prefix of another tenant's (`tenants/acme/` never matches `tenants/acme-corp/`).
 */
import { createHash } from 'crypto';
import { TenantId } from './tenant-id';

/** The session tag (and resource tag) key that carries a tenant id. */
export const TENANT_TAG_KEY = 'TenantId';

/** The IAM policy variable that resolves to the calling session's tenant. */
export const PRINCIPAL_TENANT = '${aws:PrincipalTag/TenantId}';

/**
 * Source identities the broker sets on TenantAccessRole sessions start with this (`app.<end-user>`),
 * so CloudTrail tells application sessions from people. TenantAccessRole's trust allows only
 * `app.?*`; SupportAccessRole refuses it. STS allows `[\w+=,.@-]`, 2-64 characters, in a source
 * identity (STS AssumeRole API reference). Here (lib/core) because the trust policy and the
 * runtime's credential vendor both need it.
 */
export const APPLICATION_SOURCE_IDENTITY_PREFIX = 'app.';

/** S3: every tenant object key starts with `tenants/<id>/`. */
export const OBJECT_ROOT = 'tenants/';
/** Cache keys and pub/sub channels start with `tenant:<id>:`. */
export const CACHE_ROOT = 'tenant:';
/** OpenSearch index names start with `tenant-<id>.`. */
export const INDEX_ROOT = 'tenant-';

/** A tenant id as it appears in a namespace: a literal id or the IAM session-tag variable. */
export type TenantRef = TenantId | typeof PRINCIPAL_TENANT;

function ref(tenant: TenantRef): string {
  return typeof tenant === 'string' ? tenant : tenant.value;
}

/** `tenants/<id>/` — the S3 key prefix of a tenant (pool bucket and silo buckets alike). */
export function objectPrefix(tenant: TenantRef): string {
  return `${OBJECT_ROOT}${ref(tenant)}/`;
}

/** `tenant:<id>:` — the cache key and pub/sub channel prefix of a tenant. */
export function cacheKeyPrefix(tenant: TenantRef): string {
  return `${CACHE_ROOT}${ref(tenant)}:`;
}

/** `tenant-<id>.` — the OpenSearch index name prefix of a tenant. */
export function indexPrefix(tenant: TenantRef): string {
  return `${INDEX_ROOT}${ref(tenant)}.`;
}

/**
 * The purposes a per-tenant resource name may carry: a CLOSED set. A TenantId may contain hyphens,
 * so `tenant-<id>-<purpose>` is unambiguous only if no purpose ends in `-<another purpose>`:
 * with an open set, (`acme`, `corp-jobs`) and (`acme-corp`, `jobs`) both name `tenant-acme-corp-jobs`.
 * Two names `tenant-A-P` and `tenant-B-Q` are equal iff `A-P = B-Q`; for P ≠ Q that needs one
 * purpose to end in `-` + the other (then B = A + the rest). `assertPurposesUnambiguous` refuses
 * such a set when this module loads, so adding a colliding purpose fails every build.
 * The names (and so the retained SQS queues named with them) are unchanged.
 */
export const TENANT_RESOURCE_PURPOSES = ['jobs', 'jobs-dlq', 'analytics', 'email', 'email-events', 'email-events-dlq'] as const;
export type TenantResourcePurpose = (typeof TENANT_RESOURCE_PURPOSES)[number];

/** Throws unless no purpose is empty, malformed, or ends in `-<another purpose>`. Exported for tests. */
export function assertPurposesUnambiguous(purposes: readonly string[]): void {
  for (const p of purposes) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(p)) throw new Error(`resource purpose ${JSON.stringify(p)}: lowercase letters and digits, single hyphens inside`);
    for (const q of purposes) {
      if (p !== q && p.endsWith(`-${q}`)) {
        throw new Error(`resource purposes ${JSON.stringify(p)} and ${JSON.stringify(q)} collide: tenant-<a>-${p} = tenant-<a>-${p.slice(0, -q.length - 1)}-${q}`);
      }
    }
  }
}
assertPurposesUnambiguous(TENANT_RESOURCE_PURPOSES);

/** `tenant-<id>-<purpose>` — names of per-tenant resources such as SQS queues (purposes: a closed set). */
export function tenantResourceName(tenant: TenantRef, purpose: TenantResourcePurpose): string {
  if (!(TENANT_RESOURCE_PURPOSES as readonly string[]).includes(purpose)) {
    throw new Error(
      `invalid resource purpose ${JSON.stringify(purpose)}: one of ${TENANT_RESOURCE_PURPOSES.join(', ')} (a closed set, so that no two tenants' names collide)`,
    );
  }
  return `tenant-${ref(tenant)}-${purpose}`;
}

/**
 * A label for names that become PUBLIC DNS names (S3 bucket names, ElastiCache endpoints): the
 * first 10 hex digits of SHA-256 of the tenant id, so the name does not carry the customer's name
 * and a list of endpoints is not a customer list. It is a plain hash: whoever guesses a tenant id
 * can compute its label (and must also know the account and Region that the bucket name carries).
 * Used by the silo cache names and the silo bucket names; changing it renames (replaces) them.
 */
export function hashedTenantLabel(tenant: TenantId): string {
  return createHash('sha256').update(tenant.value).digest('hex').slice(0, 10);
}
