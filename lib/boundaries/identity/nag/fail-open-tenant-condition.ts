/**
 * TI-IAM3: tenant conditions that pass when the tenant tag is missing.
 *
 * IAM evaluation (IAM User Guide, reference_policies_elements_condition_operators, "...IfExists
 * condition operators" and "Condition operator to check existence of condition keys"):
 * - every `...IfExists` operator is TRUE when the key is absent; an Allow with it grants to a
 *   session without a tenant (fails open). In a Deny it makes the Deny fire (fails closed), so it
 *   is not reported there;
 * - `ForAllValues:*` is TRUE when the key is absent (the empty set): an Allow needs a guard on the
 *   same key (`Null: false` or a presence-requiring operator);
 * - a positive operator (`StringEquals`, `StringLike`, `ForAnyValue:*`) is FALSE when the key is
 *   absent, and `Null: false` is false too: a Deny written that way is skipped for a session
 *   without the tag, so the Deny protects nothing exactly when the tag is missing.
 * test/boundaries/identity/nag-rules.test.ts checks these semantics against the iam-simulate oracle.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { Conditions, statementsOf } from '../../../nag/inspect/policies';
import { isPositiveRequiringOperator, isTenantKey } from '../../../nag/inspect/tenant-scope';
import { TenantIsolationRule } from '../../../nag/rule';

function guarded(conditions: Conditions, key: string): boolean {
  return Object.entries(conditions).some(
    ([op, keys]) => (op === 'Null' && keys[key]?.every((v) => v === 'false')) || (isPositiveRequiringOperator(op) && keys[key] !== undefined),
  );
}

function check(node: CfnResource): NagRuleResult {
  const statements = statementsOf(node);
  if (statements.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  for (const st of statements) {
    for (const [op, keys] of Object.entries(st.conditions)) {
      for (const [key, values] of Object.entries(keys)) {
        if (!isTenantKey(key)) continue;
        const finding = `${st.label}::${op}:${key}`;
        if (st.effect === 'Allow') {
          if (/IfExists$/.test(op)) findings.add(finding);
          else if (/^ForAllValues:/.test(op) && !guarded(st.conditions, key)) findings.add(finding);
        } else {
          const skippedWhenAbsent = isPositiveRequiringOperator(op) || (op === 'Null' && values.every((v) => v === 'false'));
          if (skippedWhenAbsent) findings.add(finding);
        }
      }
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const FailOpenTenantCondition: TenantIsolationRule = {
  id: 'IAM3',
  area: 'iam',
  info: 'A tenant condition fails open when the tenant tag is missing: IfExists or unguarded ForAllValues in an Allow, or a Deny that a missing tag skips.',
  explanation:
    '...IfExists and ForAllValues are true when the key is absent, so an Allow using them grants to sessions without a tenant. A Deny with a positive operator (StringEquals, StringLike, ForAnyValue, Null=false) on the tenant tag is false when the tag is absent, so it is skipped exactly when it is needed. ' +
    'Use StringEquals/StringLike in Allows, pair ForAllValues with Null=false, and write Denies with StringNotEquals or Null=true. Finding: <statement>::<operator>:<key>.',
  check,
};
