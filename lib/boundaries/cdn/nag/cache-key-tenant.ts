/**
 * TI-CDN1: a CloudFront cache behaviour forwards a tenant-identifying header, cookie or query
 * string to the origin but leaves it out of the cache key: the classic cross-customer cache leak.
 *
 * CloudFront answers every request with the same cache key from the cache (CloudFront Developer
 * Guide, understanding-the-cache-key). An origin request policy forwards values WITHOUT adding
 * them to the key (controlling-origin-requests); legacy `QueryStringCacheKeys` keys on fewer query
 * strings than `QueryString: true` forwards. If the origin answers per tenant on such a value
 * (`Host` of a tenant domain, `X-Tenant-Id`, a `tenant` cookie, an `Authorization` token), the first
 * tenant's response is served to the next one. What identifies a tenant: isTenantIdentifying
 * (lib/core/cdn.ts). A behaviour whose cache policy caches nothing is compliant.
 *
 * What the rule cannot see: a Lambda@Edge origin-request function that adds headers, an origin
 * that answers per tenant on a value the list does not name, and policies made outside the
 * template (reported as an error, not a pass).
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { tenantValuesOutsideCacheKey } from '../../../core/cdn';
import { TenantIsolationRule } from '../../../nag/rule';
import { distributionBehaviours } from './distribution-behaviours';

function check(node: CfnResource): NagRuleResult {
  const behaviours = distributionBehaviours(node);
  if (behaviours === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  for (const b of behaviours) {
    if (b.cachingDisabled) continue;
    for (const value of tenantValuesOutsideCacheKey(b.forwarded, b.key)) findings.push(`${b.pathPattern}::${value}`);
  }
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const CacheKeyTenant: TenantIsolationRule = {
  id: 'CDN1',
  area: 'cdn',
  info: 'A CloudFront cache behaviour forwards a tenant-identifying header, cookie or query string (Host, X-Forwarded-Host, Authorization, any name with "tenant") to the origin but leaves it out of the cache key.',
  explanation:
    "CloudFront serves a cached response to every request with the same cache key: a value the origin answers per tenant but the key does not hold serves one tenant's response to another. Put the value in the cache policy (or carry the tenant in the URL path, docs/cdn.md), or stop forwarding it. Finding: <path pattern>::<header|cookie|queryString>:<name> (*tenant* when all values are forwarded).",
  check,
};
