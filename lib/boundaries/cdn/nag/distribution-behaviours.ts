/**
 * What a rule can read of an `AWS::CloudFront::Distribution` in its template: each cache
 * behaviour's path pattern, what it puts in the cache key and forwards to the origin (its cache
 * policy and origin request policy, or legacy ForwardedValues), and whom it trusts to sign.
 *
 * Policies are read from the template (a `Ref` to an `AWS::CloudFront::CachePolicy` /
 * `OriginRequestPolicy` of the same stack) or from CloudFront's managed policies by id
 * (lib/core/cdn.ts). Anything else (an id from a parameter, an import, a policy made elsewhere)
 * cannot be evaluated: the rule throws, and cdk-nag reports the error instead of a pass.
 */
import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES, RequestValues, unionValues, ValueSet } from '../../../core/cdn';
import { memoized } from '../../../nag/inspect/memo';
import { render } from '../../../nag/inspect/template';
import { asList, requireData, UnresolvableValueError } from '../../../nag/inspect/values';

export interface Behaviour {
  /** `*` for the default behaviour. */
  readonly pathPattern: string;
  /** What the cache key holds (besides the path, which it always holds). */
  readonly key: RequestValues;
  /** What reaches the origin: the key plus what the origin request policy adds. */
  readonly forwarded: RequestValues;
  /** The cache policy caches nothing (Managed-CachingDisabled or every TTL 0). */
  readonly cachingDisabled: boolean;
  readonly trustedKeyGroups: readonly unknown[];
  readonly trustedSigners: readonly unknown[];
}

const NONE: ValueSet = { kind: 'none' };
type Props = Record<string, unknown>;

function resourceByLogicalId(node: CfnResource, logicalId: string): CfnResource | undefined {
  const stack = Stack.of(node);
  const byId = memoized('cfnResourceByLogicalId', stack, () => {
    const m = new Map<string, CfnResource>();
    for (const c of stack.node.findAll()) {
      if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) m.set(stack.resolve((c as CfnElement).logicalId), c);
    }
    return m;
  });
  return byId.get(logicalId);
}

const str = (node: CfnResource, v: unknown, where: string): string => {
  if (typeof v !== 'string') throw new UnresolvableValueError(node, where, v);
  return v;
};

/** A cache policy's or origin request policy's `<X>sConfig` as a value set. */
function valueSet(node: CfnResource, config: unknown, behaviorKey: string, listKey: string, where: string): ValueSet {
  if (config === undefined) return NONE;
  const c = requireData(node, config, where) as Props;
  const behaviour = str(node, c[behaviorKey], `${where}.${behaviorKey}`);
  const names = asList(requireData(node, c[listKey], `${where}.${listKey}`) as unknown[] | undefined).map((n, i) => str(node, n, `${where}.${listKey}[${i}]`));
  switch (behaviour) {
    case 'none':
      return NONE;
    case 'whitelist':
      return { kind: 'only', names };
    case 'all':
    case 'allViewer':
    case 'allViewerAndWhitelistCloudFront':
      return { kind: 'all' };
    case 'allExcept':
      return { kind: 'allExcept', names };
    default:
      throw new UnresolvableValueError(node, `${where}.${behaviorKey}`, behaviour);
  }
}

function policyResource(node: CfnResource, ref: unknown, type: string, where: string): Props | undefined {
  if (typeof ref === 'string') return undefined;
  const id = (ref as { Ref?: unknown } | undefined)?.Ref;
  const target = typeof id === 'string' ? resourceByLogicalId(node, id) : undefined;
  if (!target || target.cfnResourceType !== type) throw new UnresolvableValueError(node, where, ref);
  return render(target).properties;
}

function cachePolicy(node: CfnResource, ref: unknown, where: string): { key: RequestValues; cachingDisabled: boolean } {
  const props = policyResource(node, ref, 'AWS::CloudFront::CachePolicy', where);
  if (!props) {
    const managed = MANAGED_CACHE_POLICIES[ref as string];
    if (!managed) throw new UnresolvableValueError(node, `${where} (not a managed cache policy id of lib/core/cdn.ts)`, ref);
    return { key: managed.key, cachingDisabled: managed.cachingDisabled === true };
  }
  const cfg = requireData(node, props.CachePolicyConfig, `${where}.CachePolicyConfig`) as Props;
  const p = requireData(node, cfg.ParametersInCacheKeyAndForwardedToOrigin, `${where}.ParametersInCacheKeyAndForwardedToOrigin`) as Props;
  const ttl = (k: string) => Number(cfg[k] ?? 0);
  return {
    key: {
      header: valueSet(node, p.HeadersConfig, 'HeaderBehavior', 'Headers', `${where}.HeadersConfig`),
      cookie: valueSet(node, p.CookiesConfig, 'CookieBehavior', 'Cookies', `${where}.CookiesConfig`),
      queryString: valueSet(node, p.QueryStringsConfig, 'QueryStringBehavior', 'QueryStrings', `${where}.QueryStringsConfig`),
    },
    cachingDisabled: ttl('DefaultTTL') === 0 && ttl('MaxTTL') === 0 && ttl('MinTTL') === 0,
  };
}

function originRequestPolicy(node: CfnResource, ref: unknown, where: string): RequestValues {
  if (ref === undefined) return { header: NONE, cookie: NONE, queryString: NONE };
  const props = policyResource(node, ref, 'AWS::CloudFront::OriginRequestPolicy', where);
  if (!props) {
    const managed = MANAGED_ORIGIN_REQUEST_POLICIES[ref as string];
    if (!managed) throw new UnresolvableValueError(node, `${where} (not a managed origin request policy id of lib/core/cdn.ts)`, ref);
    return managed.forwarded;
  }
  const cfg = requireData(node, props.OriginRequestPolicyConfig, `${where}.OriginRequestPolicyConfig`) as Props;
  return {
    header: valueSet(node, cfg.HeadersConfig, 'HeaderBehavior', 'Headers', `${where}.HeadersConfig`),
    cookie: valueSet(node, cfg.CookiesConfig, 'CookieBehavior', 'Cookies', `${where}.CookiesConfig`),
    queryString: valueSet(node, cfg.QueryStringsConfig, 'QueryStringBehavior', 'QueryStrings', `${where}.QueryStringsConfig`),
  };
}

/**
 * Legacy ForwardedValues: forwarded headers and cookies are in the cache key; with
 * `QueryString: true` every query string is forwarded but only `QueryStringCacheKeys` (when
 * given) are keyed on (CloudFront API reference, ForwardedValues, QueryStringCacheKeys).
 */
function legacy(node: CfnResource, fv: Props, where: string): { key: RequestValues; forwarded: RequestValues } {
  const headers = asList(requireData(node, fv.Headers, `${where}.Headers`) as unknown[] | undefined).map((h, i) => str(node, h, `${where}.Headers[${i}]`));
  const header: ValueSet = headers.includes('*') ? { kind: 'all' } : headers.length ? { kind: 'only', names: headers } : NONE;
  const cookies = requireData(node, fv.Cookies, `${where}.Cookies`) as Props | undefined;
  const forward = cookies ? str(node, cookies.Forward, `${where}.Cookies.Forward`) : 'none';
  const cookieNames = asList(cookies?.WhitelistedNames as unknown[] | undefined).map((n, i) => str(node, n, `${where}.Cookies.WhitelistedNames[${i}]`));
  const cookie: ValueSet = forward === 'all' ? { kind: 'all' } : forward === 'whitelist' ? { kind: 'only', names: cookieNames } : NONE;
  const qs = fv.QueryString;
  if (typeof qs !== 'boolean' && qs !== 'true' && qs !== 'false') throw new UnresolvableValueError(node, `${where}.QueryString`, qs);
  const qsOn = qs === true || qs === 'true';
  const keys =
    fv.QueryStringCacheKeys === undefined
      ? undefined
      : asList(requireData(node, fv.QueryStringCacheKeys, `${where}.QueryStringCacheKeys`) as unknown[]).map((n, i) =>
          str(node, n, `${where}.QueryStringCacheKeys[${i}]`),
        );
  const forwardedQs: ValueSet = qsOn ? { kind: 'all' } : NONE;
  const keyQs: ValueSet = !qsOn ? NONE : keys === undefined ? { kind: 'all' } : { kind: 'only', names: keys };
  return { key: { header, cookie, queryString: keyQs }, forwarded: { header, cookie, queryString: forwardedQs } };
}

function behaviour(node: CfnResource, b: Props, where: string): Behaviour {
  const pathPattern = b.PathPattern === undefined ? '*' : str(node, b.PathPattern, `${where}.PathPattern`);
  const trustedKeyGroups = asList(requireData(node, b.TrustedKeyGroups, `${where}.TrustedKeyGroups`) as unknown[] | undefined);
  const trustedSigners = asList(requireData(node, b.TrustedSigners, `${where}.TrustedSigners`) as unknown[] | undefined);
  if (b.CachePolicyId === undefined) {
    if (b.ForwardedValues === undefined) throw new UnresolvableValueError(node, `${where}: neither CachePolicyId nor ForwardedValues`, b);
    const l = legacy(node, requireData(node, b.ForwardedValues, `${where}.ForwardedValues`) as Props, `${where}.ForwardedValues`);
    const ttl = (k: string) => Number(b[k] ?? (k === 'DefaultTTL' ? 86400 : k === 'MaxTTL' ? 31536000 : 0));
    return { pathPattern, ...l, cachingDisabled: ttl('DefaultTTL') === 0 && ttl('MaxTTL') === 0, trustedKeyGroups, trustedSigners };
  }
  const cp = cachePolicy(node, b.CachePolicyId, `${where}.CachePolicyId`);
  const orp = originRequestPolicy(node, b.OriginRequestPolicyId, `${where}.OriginRequestPolicyId`);
  return {
    pathPattern,
    key: cp.key,
    forwarded: unionValues(cp.key, orp),
    cachingDisabled: cp.cachingDisabled,
    trustedKeyGroups,
    trustedSigners,
  };
}

/** Every cache behaviour of a distribution (the default one first), or undefined for another type. */
export function distributionBehaviours(node: CfnResource): Behaviour[] | undefined {
  if (node.cfnResourceType !== 'AWS::CloudFront::Distribution') return undefined;
  const config = requireData(node, render(node).properties.DistributionConfig, 'DistributionConfig') as Props | undefined;
  if (!config) return [];
  const out: Behaviour[] = [];
  if (config.DefaultCacheBehavior !== undefined)
    out.push(behaviour(node, requireData(node, config.DefaultCacheBehavior, 'DefaultCacheBehavior') as Props, 'DefaultCacheBehavior'));
  asList(requireData(node, config.CacheBehaviors, 'CacheBehaviors') as unknown[] | undefined).forEach((b, i) =>
    out.push(behaviour(node, requireData(node, b, `CacheBehaviors[${i}]`) as Props, `CacheBehaviors[${i}]`)),
  );
  return out;
}
