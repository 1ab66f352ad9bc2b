/**
 * TI-CDN2: a CloudFront behaviour trusts signers on paths wider than one tenant's content.
 *
 * What a template shows of signed URLs is who may sign (TrustedKeyGroups, legacy TrustedSigners)
 * and on which path pattern; the policy of each URL is written at run time (TenantCdnSigner writes
 * at most `https://<host>/tenants/<id>/*`; its tests verify that). So the rule reports:
 * - `TrustedSigners::<path>`: legacy trusted signers (account key pairs, managed by the root user,
 *   not scoped by key group: CloudFront Developer Guide, private-content-trusted-signers);
 * - `KeyGroupOutsideTenantPaths::<path>`: a key group trusted on a path pattern not under the
 *   tenant root `tenants/` (the default behaviour `*`, `/*`, `*.pdf`, `/exports/*`): a signature
 *   there opens content of no tenant or of every tenant, and no path names the tenant for the
 *   edge function to check.
 * What it cannot see: the Resource of the policies a signer writes, and whether two tenants' keys
 * share a key group (one key group serves every tenant by design here: the signer scopes each URL).
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { OBJECT_ROOT } from '../../../core/namespace';
import { TenantIsolationRule } from '../../../nag/rule';
import { distributionBehaviours } from './distribution-behaviours';

/** Under `tenants/`: the pattern's literal start (before any wildcard) begins with the tenant root. */
export function isTenantPathPattern(pattern: string): boolean {
  const p = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  return p.startsWith(OBJECT_ROOT);
}

function check(node: CfnResource): NagRuleResult {
  const behaviours = distributionBehaviours(node);
  if (behaviours === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  for (const b of behaviours) {
    if (b.trustedSigners.length > 0) findings.push(`TrustedSigners::${b.pathPattern}`);
    if (b.trustedKeyGroups.length > 0 && !isTenantPathPattern(b.pathPattern)) findings.push(`KeyGroupOutsideTenantPaths::${b.pathPattern}`);
  }
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const SignedUrlScope: TenantIsolationRule = {
  id: 'CDN2',
  area: 'cdn',
  info: 'A CloudFront behaviour trusts legacy TrustedSigners, or a key group on a path pattern not under tenants/ (wider than one tenant).',
  explanation:
    "Signed URLs of one tenant must open nothing of another's: trust key groups only on tenant paths (tenants/*) and issue policies of at most https://<host>/tenants/<id>/* (TenantCdnSigner). Legacy trusted signers are account-wide root key pairs. Findings: TrustedSigners::<path>, KeyGroupOutsideTenantPaths::<path>.",
  check,
};
