/**
 * TI-IAM2: a tenant pattern must keep its delimiter, or it matches the next tenant.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { statementsOf } from '../../../nag/inspect/policies';
import { patternsWithoutDelimiter } from '../../../nag/inspect/tenant-scope';
import { TenantIsolationRule } from '../../../nag/rule';

function check(node: CfnResource): NagRuleResult {
  const statements = statementsOf(node);
  if (statements.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  for (const st of statements) {
    const texts = [...st.resources, ...st.notResources];
    for (const keys of Object.values(st.conditions)) for (const values of Object.values(keys)) texts.push(...values);
    for (const t of texts) for (const p of patternsWithoutDelimiter(t)) findings.add(`${st.label}::${p}`);
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const TenantPatternDelimiter: TenantIsolationRule = {
  id: 'IAM2',
  area: 'iam',
  info: 'A tenant pattern in a policy has no delimiter before its wildcard, so it also matches other tenants (tenants/acme* covers tenants/acme-corp/).',
  explanation:
    'Tenant ids may share a prefix (acme, acme-corp). Every namespace ends in a delimiter a TenantId cannot contain: tenants/<id>/, tenant:<id>:, tenant-<id>. (lib/core/namespace.ts). ' +
    'Write tenants/${aws:PrincipalTag/TenantId}/*, never tenants/${aws:PrincipalTag/TenantId}*. Finding: <statement>::<pattern>.',
  check,
};
