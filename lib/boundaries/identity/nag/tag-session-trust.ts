/**
 * TI-IAM4: a trust policy that lets callers set session tags must say which tag keys and which
 * TenantId values (IAM User Guide, id_session-tags "Controlling access for IAM principals to
 * pass session tags": aws:TagKeys and aws:RequestTag/<key>).
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { reachedActions, statementsOf } from '../../../nag/inspect/policies';
import { isPositiveRequiringOperator } from '../../../nag/inspect/tenant-scope';
import { TENANT_TAG_KEY } from '../../../core/namespace';
import { TenantIsolationRule } from '../../../nag/rule';

function check(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::IAM::Role') return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  const tagValueKey = `aws:RequestTag/${TENANT_TAG_KEY}`;
  for (const st of statementsOf(node, ['trust'])) {
    if (st.effect !== 'Allow' || reachedActions(st, ['sts:TagSession']).length === 0) continue;
    const ops = Object.entries(st.conditions);
    const keysConstrained = ops.some(([, keys]) => keys['aws:TagKeys'] !== undefined);
    const valueRequired = ops.some(([op, keys]) => isPositiveRequiringOperator(op) && (keys[tagValueKey]?.length ?? 0) > 0 && !keys[tagValueKey].includes('*'));
    // `ForAllValues:StringEquals aws:TagKeys` without TenantId: the caller cannot set the tenant
    // tag at all, so there is no value to constrain.
    const allowedKeys = st.conditions['ForAllValues:StringEquals']?.['aws:TagKeys'];
    const tenantTagExcluded = allowedKeys !== undefined && !allowedKeys.some((k) => k.toLowerCase() === TENANT_TAG_KEY.toLowerCase());
    if (!keysConstrained) findings.add(`${st.label}::aws:TagKeys`);
    if (!valueRequired && !tenantTagExcluded) findings.add(`${st.label}::${tagValueKey}`);
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const TagSessionTrust: TenantIsolationRule = {
  id: 'IAM4',
  area: 'iam',
  info: 'A role trusts sts:TagSession without constraining the tag keys (aws:TagKeys) and the TenantId value (aws:RequestTag/TenantId).',
  explanation:
    'Whoever may tag the session chooses the tenant: without aws:RequestTag/TenantId (StringEquals/StringLike, no IfExists, not "*") any value is accepted, and without aws:TagKeys the caller may add other keys that policies trust. ' +
    'Finding: <statement>::<missing condition key>.',
  check,
};
