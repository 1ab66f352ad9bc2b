/**
 * The namespace contract: where a tenant's data lives in every shared service.
 *
 * One module, read by the constructs, the audit and the application helpers, so they cannot
 * drift. Every prefix ends in a delimiter (`/`, `:` or `.`) that a TenantId cannot contain, so no
 * tenant's prefix is a prefix of another tenant's (`tenants/acme/` never matches `tenants/acme-corp/`).
 */
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

/** `tenant-<id>-<purpose>` — names of per-tenant resources such as SQS queues. */
export function tenantResourceName(tenant: TenantRef, purpose: string): string {
  if (!/^[a-z0-9-]+$/.test(purpose)) {
    throw new Error(`invalid resource purpose ${JSON.stringify(purpose)}: use lowercase letters, digits and hyphens`);
  }
  return `tenant-${ref(tenant)}-${purpose}`;
}
