/**
 * Tenant-scoped cache keys and pub/sub channels for application code.
 *
 *   tenantCacheKey(tenant, 'user', userId)   ->  'tenant:acme:user:42'
 *   tenantChannel(tenant, 'invalidations')   ->  'tenant:acme:invalidations'
 *
 * The tenant must be a parsed TenantId (never a raw string: a string could be anything,
 * including another tenant's prefix). The prefix comes from the namespace contract
 * (`cacheKeyPrefix`), the same one the ElastiCache access strings confine each tenant to, so a
 * key built here is always one the tenant's cache user may touch — and a key built for the
 * wrong tenant is refused by the cache itself (NOPERM).
 *
 * Parts are joined with `:`. A part may not be empty and may not contain `:` (then
 * `('a:b')` and `('a', 'b')` would be the same key), glob characters (`* ? [ ] \`, which
 * KEYS/PSUBSCRIBE-style patterns would read as wildcards), white space or control characters.
 */
import { cacheKeyPrefix } from '../../../core/namespace';
import { TenantId } from '../../../core/tenant-id';

/** Longest key this helper builds (Redis allows 512 MB; a cache key this long is a bug). */
export const MAX_CACHE_KEY_LENGTH = 1024;

export type CacheKeyPart = string | number;

/** A refused key part or tenant: names the rule and the offending value. */
export class CacheKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheKeyError';
  }
}

const FORBIDDEN = /[:*?[\]\\\s\p{Cc}]/u;

function checkTenant(tenant: unknown, fn: string): asserts tenant is TenantId {
  if (!(tenant instanceof TenantId)) {
    throw new CacheKeyError(
      `${fn}: tenant must be a TenantId (TenantId.parse at the edge), got ${typeof tenant === 'string' ? `the raw string ${JSON.stringify(tenant)}` : typeof tenant}`,
    );
  }
}

function build(fn: string, tenant: unknown, parts: readonly unknown[]): string {
  checkTenant(tenant, fn);
  if (parts.length === 0) throw new CacheKeyError(`${fn}: at least one key part is required after the tenant prefix`);
  const text = parts.map((part, i) => {
    if (typeof part === 'number') {
      if (!Number.isSafeInteger(part)) throw new CacheKeyError(`${fn}: part ${i} must be a safe integer, got ${part}`);
      return String(part);
    }
    if (typeof part !== 'string') throw new CacheKeyError(`${fn}: part ${i} must be a string or an integer, got ${typeof part}`);
    if (part.length === 0) throw new CacheKeyError(`${fn}: part ${i} is empty`);
    const bad = part.match(FORBIDDEN);
    if (bad) {
      throw new CacheKeyError(
        `${fn}: part ${i} ${JSON.stringify(part)} contains ${JSON.stringify(bad[0])}; ` +
          'parts may not contain ":" (the delimiter), glob characters * ? [ ] \\, white space or control characters',
      );
    }
    return part;
  });
  const key = cacheKeyPrefix(tenant) + text.join(':');
  if (key.length > MAX_CACHE_KEY_LENGTH) throw new CacheKeyError(`${fn}: key is ${key.length} characters, more than ${MAX_CACHE_KEY_LENGTH}`);
  return key;
}

/** `tenant:<id>:<part>:<part>...` — a cache key of `tenant`. */
export function tenantCacheKey(tenant: TenantId, ...parts: CacheKeyPart[]): string {
  return build('tenantCacheKey', tenant, parts);
}

/** `tenant:<id>:<part>...` — a pub/sub channel of `tenant` (same namespace as keys). */
export function tenantChannel(tenant: TenantId, ...parts: CacheKeyPart[]): string {
  return build('tenantChannel', tenant, parts);
}

/** The one pattern a tenant may PSUBSCRIBE to (the server compares patterns literally). */
export function tenantChannelPattern(tenant: TenantId): string {
  checkTenant(tenant, 'tenantChannelPattern');
  return `${cacheKeyPrefix(tenant)}*`;
}

/** True when `key` lies in `tenant`'s namespace (e.g. to check keys read back from elsewhere). */
export function isTenantCacheKey(tenant: TenantId, key: string): boolean {
  checkTenant(tenant, 'isTenantCacheKey');
  const prefix = cacheKeyPrefix(tenant);
  return typeof key === 'string' && key.length > prefix.length && key.startsWith(prefix);
}
