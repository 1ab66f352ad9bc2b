/**
 * TI-SUPPORT1: a support role must require MFA, a source identity, and tenant and ticket tags.
 *
 * How the pack recognizes a support role (docs/nag.md): an AWS::IAM::Role whose trust policy
 * lets a non-service principal (AWS or Federated) assume it, AND which is marked as support by
 * one of: the tag `tenant-isolation:boundary = support` (the convention TenantAccessRole uses
 * with `tenant-access`), a literal RoleName containing "support", or a construct path segment
 * containing "support" (case-insensitive). Roles assumed only by AWS services (a Lambda
 * function's role named SupportAlert..., for example) are not support roles.
 *
 * IAM User Guide: id_credentials_mfa_configure-api-require (aws:MultiFactorAuthPresent with
 * Bool, not BoolIfExists, in an Allow), id_credentials_temp_control-access_monitor
 * (sts:SetSourceIdentity and sts:SourceIdentity), id_session-tags (aws:RequestTag/<key>).
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { Conditions, reachedActions, Statement, statementsOf } from '../../../nag/inspect/policies';
import { render, tagsOf } from '../../../nag/inspect/template';
import { isPositiveRequiringOperator } from '../../../nag/inspect/tenant-scope';
import { flattener } from '../../../nag/inspect/values';
import { TENANT_TAG_KEY } from '../../../core/namespace';
import { TenantIsolationRule } from '../../../nag/rule';

/** The tag that marks a role's boundary; `support` marks a support role. */
export const BOUNDARY_TAG_KEY = 'tenant-isolation:boundary';
export const SUPPORT_BOUNDARY = 'support';

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

function humanPrincipal(st: Statement): boolean {
  return Object.keys(st.principals).some((t) => t === 'AWS' || t === 'Federated' || t === '*');
}

function isSupportRole(node: CfnResource): boolean {
  const r = render(node);
  const tag = tagsOf(r).get(BOUNDARY_TAG_KEY);
  if (tag !== undefined && flattener(node)(tag, `Tags.${BOUNDARY_TAG_KEY}`) === SUPPORT_BOUNDARY) return true;
  if (r.properties.RoleName !== undefined && /support/i.test(flattener(node)(r.properties.RoleName, 'RoleName'))) return true;
  return node.node.scopes.some((s) => /support/i.test(s.node.id));
}

/** A condition on `key` that requires it to be present (positive operator or Null=false). */
function requires(conditions: Conditions, key: (k: string) => boolean): boolean {
  return Object.entries(conditions).some(([op, keys]) =>
    Object.entries(keys).some(([k, values]) => key(k) && (isPositiveRequiringOperator(op) || (op === 'Null' && values.every((v) => v === 'false')))),
  );
}

function check(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::IAM::Role') return NagRuleCompliance.NOT_APPLICABLE;
  const trust = statementsOf(node, ['trust']).filter((st) => st.effect === 'Allow');
  const assume = trust.filter((st) => humanPrincipal(st) && reachedActions(st, ASSUME_ACTIONS).length > 0);
  if (assume.length === 0 || !isSupportRole(node)) return NagRuleCompliance.NOT_APPLICABLE;
  const allows = (action: string) => trust.some((st) => reachedActions(st, [action]).length > 0);
  // STS evaluates sts:TagSession separately, with the tags as request context, whenever tags
  // are passed (IAM User Guide, id_session-tags). So a trust may require the tags in its
  // TagSession Allow, provided AssumeRole cannot happen without tags: its own Allow requires
  // aws:TagKeys, or an unconditional-but-for-that Deny refuses AssumeRole when aws:TagKeys is null.
  const tagSession = trust.filter((st) => reachedActions(st, ['sts:TagSession']).length > 0);
  const denies = statementsOf(node, ['trust']).filter((st) => st.effect === 'Deny');
  const denyWithoutTags = denies.some(
    (d) =>
      reachedActions(d, ['sts:AssumeRole']).length > 0 &&
      Object.keys(d.conditions).length === 1 &&
      Object.keys(d.conditions.Null ?? {}).length === 1 &&
      (d.conditions.Null?.['aws:TagKeys'] ?? []).every((v) => v === 'true'),
  );
  const tagRequired = (c: Conditions, key: (k: string) => boolean) =>
    allows('sts:TagSession') &&
    (requires(c, key) || ((denyWithoutTags || requires(c, (k) => k === 'aws:TagKeys')) && tagSession.every((t) => requires(t.conditions, key))));
  const findings: string[] = [];
  for (const st of assume) {
    const c = st.conditions;
    if (!(c.Bool?.['aws:MultiFactorAuthPresent'] ?? []).includes('true')) findings.push(`${st.label}::NoMfa`);
    if (!allows('sts:SetSourceIdentity') || !requires(c, (k) => k === 'sts:SourceIdentity')) findings.push(`${st.label}::NoSourceIdentity`);
    if (!tagRequired(c, (k) => k === `aws:RequestTag/${TENANT_TAG_KEY}`)) findings.push(`${st.label}::NoTenantTag`);
    if (!tagRequired(c, (k) => /^aws:RequestTag\/.*ticket/i.test(k))) findings.push(`${st.label}::NoTicketTag`);
  }
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const SupportRoleGuards: TenantIsolationRule = {
  id: 'SUPPORT1',
  area: 'support',
  info: 'A support role (tagged tenant-isolation:boundary=support, or named/placed as support, and assumable by people) does not require MFA, a source identity, and TenantId and ticket session tags.',
  explanation:
    'Support access crosses the tenant boundary on purpose, so it must be attributable and narrow: Bool aws:MultiFactorAuthPresent=true, sts:SetSourceIdentity allowed and sts:SourceIdentity required (it persists across role chaining into CloudTrail), and aws:RequestTag/TenantId plus an aws:RequestTag/<...Ticket...> key required. Findings: <statement>::NoMfa, NoSourceIdentity, NoTenantTag, NoTicketTag.',
  check,
};
