/**
 * TI-SEARCH1: OpenSearch multi-requests may name indexes in their body unless
 * `rest.action.multi.allow_explicit_index` is "false" (OpenSearch Service Developer Guide, ac,
 * "Advanced options": _bulk, _mget and _msearch bypass index-level access policies otherwise).
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult, NagRules } from 'cdk-nag';
import { render } from '../../../nag/inspect/template';
import { requireData } from '../../../nag/inspect/values';
import { TenantIsolationRule } from '../../../nag/rule';

export const EXPLICIT_INDEX_OPTION = 'rest.action.multi.allow_explicit_index';

function check(node: CfnResource): NagRuleResult {
  const r = render(node);
  if (r.type !== 'AWS::OpenSearchService::Domain' && r.type !== 'AWS::Elasticsearch::Domain') return NagRuleCompliance.NOT_APPLICABLE;
  const options = (requireData(node, r.properties.AdvancedOptions, 'AdvancedOptions') ?? {}) as Record<string, unknown>;
  const value = NagRules.resolveIfPrimitive(node, options[EXPLICIT_INDEX_OPTION]);
  return String(value).toLowerCase() === 'false' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const MultiRequestExplicitIndex: TenantIsolationRule = {
  id: 'SEARCH1',
  area: 'search',
  info: 'The OpenSearch domain allows explicit indexes in multi-requests (AdvancedOptions rest.action.multi.allow_explicit_index is not "false").',
  explanation:
    '_bulk, _mget and _msearch carry index names in the request body, which index-level resource ARNs do not see: a tenant allowed on tenant-a.*/_msearch can read tenant-b. Set the advanced option to "false".',
  check,
};
