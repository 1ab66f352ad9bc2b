/**
 * TI-SEARCH2: an OpenSearch grant that reaches every index: `*` or `_all` as the index path.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { onlyDelegatesOrServices, reachedActions, statementsOf } from '../../../nag/inspect/policies';
import { TenantIsolationRule } from '../../../nag/rule';

const HTTP_ACTIONS = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpPatch', 'es:ESHttpDelete'];

/**
 * The index path of an OpenSearch resource: what follows `:domain/<name>/`. `*` for a resource of
 * `*` or `...:domain/*`, which reach every domain's indexes.
 */
function indexPath(resource: string): string | undefined {
  if (resource === '*') return '*';
  // `arn:...:es:...:domain/<name>/<path>` (pseudo parameters flatten to `<AWS::Region>`, which
  // contains colons, so the ARN is not split on `:`), or `<Domain.Arn>/<path>`.
  const literal = resource.includes(':es:') ? /:domain\/([^/]*)(?:\/(.*))?$/.exec(resource) : null;
  if (literal) return literal[2] ?? (literal[1].includes('*') ? '*' : undefined);
  if (resource.includes(':es:') && resource.endsWith('*')) return '*';
  const ref = /^<[A-Za-z0-9]+\.(?:Arn|DomainArn)>\/(.*)$/.exec(resource);
  return ref?.[1];
}

function check(node: CfnResource): NagRuleResult {
  const statements = statementsOf(node, ['identity', 'resource']);
  if (statements.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  for (const st of statements) {
    if (st.effect !== 'Allow' || onlyDelegatesOrServices(st)) continue;
    if (reachedActions(st, HTTP_ACTIONS).length === 0) continue;
    const resources = st.notResources.length > 0 ? ['*'] : st.resources;
    for (const r of resources) {
      const path = indexPath(r);
      if (path === undefined) continue;
      if (path.startsWith('*') || path.startsWith('_all')) findings.add(`${st.label}::${r}`);
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const AllIndexPaths: TenantIsolationRule = {
  id: 'SEARCH2',
  area: 'search',
  info: 'An OpenSearch HTTP grant (es:ESHttp*) reaches every index: the index path is * or _all.',
  explanation:
    '*/_search and _all/_search read every tenant index, including ones a per-index Deny was meant to protect. Grant index ARNs of one tenant (domain/<d>/tenant-<id>.*). Finding: <statement>::<resource>.',
  check,
};
