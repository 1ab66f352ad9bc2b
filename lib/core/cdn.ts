/**
 * The CDN boundary's contract (Amazon CloudFront), CDK-free: where a tenant's content lives on
 * the distribution, what a signed URL of one tenant may cover, which request values identify a
 * tenant, and what CloudFront's managed cache and origin request policies put in the cache key
 * and forward to the origin. Read by the construct, the cdk-nag rules, the runtime signer and the
 * tests, so they cannot drift (docs/cdn.md).
 *
 * The tenant travels in the URL path: `/tenants/<id>/<key>` on the distribution is the object
 * `tenants/<id>/<key>` of the pool bucket (the namespace contract, namespace.ts). CloudFront's
 * cache key always contains the URL path of the request (CloudFront Developer Guide,
 * understanding-the-cache-key: "the cache key includes ... the URL path of the requested
 * object"), so a response cached for `/tenants/acme/...` is never the answer to a request for
 * `/tenants/globex/...`.
 */
import { objectPrefix, OBJECT_ROOT, TenantRef } from './namespace';

/** The cache behaviour path pattern that serves tenant objects (CloudFront path patterns: `*` = any characters). */
export const CDN_TENANT_PATH_PATTERN = `${OBJECT_ROOT}*`;

/** `/tenants/<id>/`: a tenant's URL path prefix on the distribution. */
export function cdnTenantPath(tenant: TenantRef): string {
  return `/${objectPrefix(tenant)}`;
}

/**
 * `https://<domain>/tenants/<id>/*`: the widest resource a signed URL or cookie of one tenant may
 * name. The `/` after the id keeps `acme` from covering `acme-corp` (CloudFront's `*` matches any
 * characters, `/` included: CloudFront Developer Guide, private-content-creating-signed-url-custom-policy).
 */
export function cdnTenantResource(domain: string, tenant: TenantRef): string {
  return `https://${domain}${cdnTenantPath(tenant)}*`;
}

/** Where a request value sits: a header, a cookie or a query string parameter. */
export type RequestValueKind = 'header' | 'cookie' | 'queryString';

/**
 * Request values that identify a tenant to an origin: the Host header (host-based tenancy:
 * `<id>.files.example.com`), the hosts a proxy forwards (`X-Forwarded-Host`), credentials
 * (`Authorization`: a token names its tenant), and any header, cookie or query string whose name
 * contains `tenant` (`X-Tenant-Id`, `tenant`, `tenantId`). A value forwarded to the origin but left
 * out of the cache key lets the origin answer per tenant while CloudFront caches per URL: one
 * tenant's response served to the next (docs/cdn.md, "Cache key").
 */
export function isTenantIdentifying(kind: RequestValueKind, name: string): boolean {
  const n = name.toLowerCase();
  if (n.includes('tenant')) return true;
  return kind === 'header' && (n === 'host' || n === 'x-forwarded-host' || n === 'authorization');
}

/** A set of request values: none, exactly these, all, or all except these. */
export type ValueSet =
  | { readonly kind: 'none' }
  | { readonly kind: 'only'; readonly names: readonly string[] }
  | { readonly kind: 'all' }
  | { readonly kind: 'allExcept'; readonly names: readonly string[] };

/** What a policy puts in the cache key, or forwards to the origin, per kind of value. */
export interface RequestValues {
  readonly header: ValueSet;
  readonly cookie: ValueSet;
  readonly queryString: ValueSet;
}

const NONE: ValueSet = { kind: 'none' };
const ALL: ValueSet = { kind: 'all' };
const only = (...names: string[]): ValueSet => ({ kind: 'only', names });

/** A managed cache policy: what it keys on, and whether it caches at all. */
export interface ManagedCachePolicy {
  readonly name: string;
  readonly key: RequestValues;
  /** Managed-CachingDisabled: TTLs of 0, nothing is cached, so nothing is served across requests. */
  readonly cachingDisabled?: boolean;
}

/**
 * CloudFront's managed cache policies by id (CloudFront Developer Guide,
 * using-managed-cache-policies; ids as aws-cdk-lib 2.276 `CachePolicy.*` names them).
 */
export const MANAGED_CACHE_POLICIES: Readonly<Record<string, ManagedCachePolicy>> = {
  '658327ea-f89d-4fab-a63d-7e88639e58f6': { name: 'Managed-CachingOptimized', key: { header: NONE, cookie: NONE, queryString: NONE } },
  'b2884449-e4de-46a7-ac36-70bc7f1ddd6d': { name: 'Managed-CachingOptimizedForUncompressedObjects', key: { header: NONE, cookie: NONE, queryString: NONE } },
  '4135ea2d-6df8-44a3-9df3-4b5a84be39ad': { name: 'Managed-CachingDisabled', key: { header: NONE, cookie: NONE, queryString: NONE }, cachingDisabled: true },
  '2e54312d-136d-493c-8eb9-b001f22f67d2': {
    name: 'Managed-Amplify',
    key: { header: only('authorization', 'cloudfront-viewer-country', 'host'), cookie: ALL, queryString: ALL },
  },
  '08627262-05a9-4f76-9ded-b50ca2e3a84f': {
    name: 'Managed-Elemental-MediaPackage',
    key: { header: only('origin'), cookie: NONE, queryString: only('aws.manifestfilter', 'start', 'end', 'm') },
  },
  '83da9c7e-98b4-4e11-a168-04f0df8e2c65': {
    name: 'Managed-UseOriginCacheControlHeaders',
    key: { header: only('host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'), cookie: ALL, queryString: NONE },
  },
  '4cc15a8a-d715-48a4-82b8-cc0b614638fe': {
    name: 'Managed-UseOriginCacheControlHeaders-QueryStrings',
    key: { header: only('host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'), cookie: ALL, queryString: ALL },
  },
};

/**
 * CloudFront's managed origin request policies by id: what they forward to the origin besides the
 * cache key (CloudFront Developer Guide, using-managed-origin-request-policies).
 */
export const MANAGED_ORIGIN_REQUEST_POLICIES: Readonly<Record<string, { readonly name: string; readonly forwarded: RequestValues }>> = {
  '216adef6-5c7f-47e4-b989-5492eafa07d3': { name: 'Managed-AllViewer', forwarded: { header: ALL, cookie: ALL, queryString: ALL } },
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': { name: 'Managed-AllViewerAndCloudFrontHeaders-2022-06', forwarded: { header: ALL, cookie: ALL, queryString: ALL } },
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': {
    name: 'Managed-AllViewerExceptHostHeader',
    forwarded: { header: { kind: 'allExcept', names: ['host'] }, cookie: ALL, queryString: ALL },
  },
  'bf0718e1-ba1e-49d1-88b1-f726733018ae': { name: 'Managed-HostHeaderOnly', forwarded: { header: only('host'), cookie: NONE, queryString: NONE } },
  '59781a5b-3903-41f3-afcb-af62929ccde1': { name: 'Managed-CORS-CustomOrigin', forwarded: { header: only('origin'), cookie: NONE, queryString: NONE } },
  '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf': {
    name: 'Managed-CORS-S3Origin',
    forwarded: { header: only('origin', 'access-control-request-headers', 'access-control-request-method'), cookie: NONE, queryString: NONE },
  },
  'acba4595-bd28-49b8-b9fe-13317c0390fa': {
    name: 'Managed-UserAgentRefererHeaders',
    forwarded: { header: only('user-agent', 'referer'), cookie: NONE, queryString: NONE },
  },
  '775133bc-15f2-49f9-abea-afb2e0bf67d2': {
    name: 'Managed-Elemental-MediaTailor-PersonalizedManifests',
    forwarded: {
      header: only('origin', 'access-control-request-headers', 'access-control-request-method', 'user-agent', 'x-forwarded-for'),
      cookie: NONE,
      queryString: ALL,
    },
  },
};

const norm = (kind: RequestValueKind, name: string) => (kind === 'header' ? name.toLowerCase() : name);
const inSet = (kind: RequestValueKind, set: ValueSet, name: string): boolean => {
  const n = norm(kind, name);
  switch (set.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'only':
      return set.names.some((x) => norm(kind, x) === n);
    case 'allExcept':
      return !set.names.some((x) => norm(kind, x) === n);
  }
};

/**
 * The tenant-identifying values that reach the origin but not the cache key, as `<kind>:<name>`;
 * `<kind>:*tenant*` when an open set (all, all except) forwards names the key cannot all hold.
 * Empty: whatever identifies a tenant to the origin is also in the cache key.
 */
export function tenantValuesOutsideCacheKey(forwarded: RequestValues, key: RequestValues): string[] {
  const out: string[] = [];
  for (const kind of ['header', 'cookie', 'queryString'] as const) {
    const f = forwarded[kind];
    const k = key[kind];
    const names = f.kind === 'only' ? f.names : [];
    for (const name of names) if (isTenantIdentifying(kind, name) && !inSet(kind, k, name)) out.push(`${kind}:${norm(kind, name)}`);
    if (f.kind === 'all' || f.kind === 'allExcept') {
      // Every tenant-identifying name the forwarding lets through must be in the key: only an
      // open key (all, or all except names that identify no tenant) holds every name with `tenant` in it.
      const keyHoldsAll = k.kind === 'all' || (k.kind === 'allExcept' && !k.names.some((n) => isTenantIdentifying(kind, n)));
      if (!keyHoldsAll) out.push(`${kind}:*tenant*`);
      const fixed = kind === 'header' ? ['host', 'x-forwarded-host', 'authorization'] : [];
      for (const name of fixed) if (inSet(kind, f, name) && !inSet(kind, k, name)) out.push(`${kind}:${name}`);
    }
  }
  return [...new Set(out)].sort();
}

/** The union of two value sets (what reaches the origin from the key and the origin request policy together). */
export function unionValues(a: RequestValues, b: RequestValues): RequestValues {
  const u = (x: ValueSet, y: ValueSet, kind: RequestValueKind): ValueSet => {
    if (x.kind === 'all' || y.kind === 'all') return ALL;
    if (x.kind === 'none') return y;
    if (y.kind === 'none') return x;
    if (x.kind === 'only' && y.kind === 'only') return { kind: 'only', names: [...new Set([...x.names, ...y.names].map((n) => norm(kind, n)))] };
    const ex = (s: ValueSet) => (s.kind === 'allExcept' ? s.names.map((n) => norm(kind, n)) : []);
    const inc = (s: ValueSet) => (s.kind === 'only' ? s.names.map((n) => norm(kind, n)) : []);
    const excluded = [...new Set([...ex(x), ...ex(y)])].filter((n) => !inc(x).includes(n) && !inc(y).includes(n));
    // allExcept ∪ allExcept: excluded only where both exclude.
    const both = x.kind === 'allExcept' && y.kind === 'allExcept' ? excluded.filter((n) => ex(x).includes(n) && ex(y).includes(n)) : excluded;
    return { kind: 'allExcept', names: both };
  };
  return { header: u(a.header, b.header, 'header'), cookie: u(a.cookie, b.cookie, 'cookie'), queryString: u(a.queryString, b.queryString, 'queryString') };
}
