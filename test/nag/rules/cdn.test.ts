/** TI-CDN1, TI-CDN2: compliant, non-compliant and error cases. */
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { generateKeyPairSync } from 'crypto';
import { TenantContentDistribution } from '../../../lib/boundaries/cdn/tenant-content-distribution';
import { PoolStorage } from '../../../lib/boundaries/storage/pool-storage';
import { CacheKeyTenant, SignedUrlScope } from '../../../lib/nag';
import { describeRule } from '../support';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** The blueprint's own construct over a pool bucket. */
function blueprintCdn(stack: Stack): void {
  const storage = new PoolStorage(stack, 'Pool', { bucketName: 'test-pool-bucket', accessLogsBucket: new s3.Bucket(stack, 'Logs') });
  new TenantContentDistribution(stack, 'Cdn', { storage, bucketName: 'test-pool-bucket', signingPublicKeyPem: PEM });
}

type Behaviour = Record<string, unknown>;
/** The smallest L1 distribution with a default behaviour and extra behaviours. */
function distribution(stack: Stack, defaultBehaviour: Behaviour, behaviours: Behaviour[] = []): void {
  const common = { TargetOriginId: 'origin', ViewerProtocolPolicy: 'https-only' };
  new cloudfront.CfnDistribution(stack, 'Dist', {
    distributionConfig: {
      enabled: true,
      origins: [{ id: 'origin', domainName: 'app.example.com', customOriginConfig: { originProtocolPolicy: 'https-only' } }],
      defaultCacheBehavior: { targetOriginId: 'origin', viewerProtocolPolicy: 'https-only' },
    },
  }).addPropertyOverride('DistributionConfig', {
    Enabled: true,
    Origins: [{ Id: 'origin', DomainName: 'app.example.com', CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } }],
    DefaultCacheBehavior: { ...common, ...defaultBehaviour },
    ...(behaviours.length ? { CacheBehaviors: behaviours.map((b) => ({ ...common, ...b })) } : {}),
  });
}

const CACHING_OPTIMIZED = cloudfront.CachePolicy.CACHING_OPTIMIZED.cachePolicyId;

describeRule(CacheKeyTenant, [
  { name: "Compliance 1: the blueprint's TenantContentDistribution (the path carries the tenant)", build: blueprintCdn, expected: [] },
  {
    name: 'Compliance 2: everything forwarded, nothing cached (Managed-AllViewer with Managed-CachingDisabled)',
    build: (stack) =>
      distribution(stack, {
        CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
        OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER.originRequestPolicyId,
      }),
    expected: [],
  },
  {
    name: 'Compliance 3: X-Tenant-Id and the tenant cookie forwarded AND in the cache key',
    build: (stack) => {
      const key = new cloudfront.CachePolicy(stack, 'Key', {
        headerBehavior: cloudfront.CacheHeaderBehavior.allowList('X-Tenant-Id'),
        cookieBehavior: cloudfront.CacheCookieBehavior.allowList('tenant'),
        defaultTtl: Duration.minutes(5),
      });
      const forward = new cloudfront.OriginRequestPolicy(stack, 'Forward', {
        headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('x-tenant-id', 'Accept-Language'),
        cookieBehavior: cloudfront.OriginRequestCookieBehavior.allowList('tenant'),
      });
      distribution(stack, { CachePolicyId: key.cachePolicyId, OriginRequestPolicyId: forward.originRequestPolicyId });
    },
    expected: [],
  },
  {
    name: 'Noncompliance 1: Managed-AllViewerExceptHostHeader with Managed-CachingOptimized (every viewer value forwarded, none keyed)',
    build: (stack) =>
      distribution(stack, {
        CachePolicyId: CACHING_OPTIMIZED,
        OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
      }),
    expected: ['[*::cookie:*tenant*]', '[*::header:*tenant*]', '[*::header:authorization]', '[*::header:x-forwarded-host]', '[*::queryString:*tenant*]'],
  },
  {
    name: 'Noncompliance 2: a custom origin request policy forwards X-Tenant-Id and the tenant cookie, the cache key holds neither',
    build: (stack) => {
      const forward = new cloudfront.OriginRequestPolicy(stack, 'Forward', {
        headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('X-Tenant-Id', 'Accept-Language'),
        cookieBehavior: cloudfront.OriginRequestCookieBehavior.allowList('tenant', 'theme'),
      });
      distribution(stack, { CachePolicyId: CACHING_OPTIMIZED }, [
        { PathPattern: '/api/*', CachePolicyId: CACHING_OPTIMIZED, OriginRequestPolicyId: forward.originRequestPolicyId },
      ]);
    },
    expected: ['[/api/*::cookie:tenant]', '[/api/*::header:x-tenant-id]'],
  },
  {
    name: 'Noncompliance 3: Managed-HostHeaderOnly (host-based tenants) with a cache key without Host',
    build: (stack) =>
      distribution(stack, { CachePolicyId: CACHING_OPTIMIZED, OriginRequestPolicyId: cloudfront.OriginRequestPolicy.HOST_HEADER_ONLY.originRequestPolicyId }),
    expected: ['[*::header:host]'],
  },
  {
    name: 'Noncompliance 4: legacy ForwardedValues forwards every query string but keys on page only',
    build: (stack) => distribution(stack, { ForwardedValues: { QueryString: true, QueryStringCacheKeys: ['page'] } }),
    expected: ['[*::queryString:*tenant*]'],
  },
  {
    name: 'Compliance 4: legacy ForwardedValues with a tenant header keys on what it forwards',
    build: (stack) =>
      distribution(stack, { ForwardedValues: { QueryString: false, Headers: ['X-Tenant-Id'], Cookies: { Forward: 'whitelist', WhitelistedNames: ['tenant'] } } }),
    expected: [],
  },
  {
    name: 'Error 1: the cache policy id comes from a template parameter',
    build: (stack) => distribution(stack, { CachePolicyId: new CfnParameter(stack, 'PolicyId').valueAsString }),
    expected: 'error',
  },
  {
    name: 'Error 2: a cache policy id that is neither in the template nor a managed policy',
    build: (stack) => distribution(stack, { CachePolicyId: '00000000-0000-0000-0000-000000000000' }),
    expected: 'error',
  },
]);

describeRule(SignedUrlScope, [
  { name: "Compliance 1: the blueprint's TenantContentDistribution (key group on tenants/* only)", build: blueprintCdn, expected: [] },
  {
    name: 'Compliance 2: a key group on /tenants/*, nothing trusted elsewhere',
    build: (stack) =>
      distribution(stack, { CachePolicyId: CACHING_OPTIMIZED }, [{ PathPattern: '/tenants/*', CachePolicyId: CACHING_OPTIMIZED, TrustedKeyGroups: ['kg-1'] }]),
    expected: [],
  },
  {
    name: 'Noncompliance 1: a key group on the default behaviour (every path)',
    build: (stack) => distribution(stack, { CachePolicyId: CACHING_OPTIMIZED, TrustedKeyGroups: ['kg-1'] }),
    expected: ['[KeyGroupOutsideTenantPaths::*]'],
  },
  {
    name: 'Noncompliance 2: legacy trusted signers on tenant paths',
    build: (stack) =>
      distribution(stack, { CachePolicyId: CACHING_OPTIMIZED }, [{ PathPattern: 'tenants/*', CachePolicyId: CACHING_OPTIMIZED, TrustedSigners: ['self'] }]),
    expected: ['[TrustedSigners::tenants/*]'],
  },
  {
    name: 'Noncompliance 3: key groups on /exports/* and on tenants* (no delimiter: also tenantsX/)',
    build: (stack) =>
      distribution(stack, { CachePolicyId: CACHING_OPTIMIZED }, [
        { PathPattern: '/exports/*', CachePolicyId: CACHING_OPTIMIZED, TrustedKeyGroups: ['kg-1'] },
        { PathPattern: 'tenants*', CachePolicyId: CACHING_OPTIMIZED, TrustedKeyGroups: ['kg-1'] },
      ]),
    expected: ['[KeyGroupOutsideTenantPaths::/exports/*]', '[KeyGroupOutsideTenantPaths::tenants*]'],
  },
  {
    name: 'Error 1: the trusted key groups come from a template parameter',
    build: (stack) =>
      distribution(stack, { CachePolicyId: CACHING_OPTIMIZED, TrustedKeyGroups: new CfnParameter(stack, 'Groups', { type: 'CommaDelimitedList' }).valueAsList }),
    expected: 'error',
  },
]);
