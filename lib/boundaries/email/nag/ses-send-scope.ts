/**
 * TI-SES1: an SES sending grant (SendEmail, SendRawEmail, SendTemplatedEmail, SendBulk*,
 * SendCustomVerificationEmail) without tenant scope.
 *
 * SES checks a send against the sending identity (always) and the configuration set (when named)
 * (Service Authorization Reference, list_amazonsimpleemailservicev2). An Allow whose Resource is
 * `*`, `NotResource`, or an identity / configuration-set ARN with a wildcard in its name lets every
 * session of the principal send as every tenant — from their domains, through their
 * configuration sets (their reputation, their suppression lists) — unless a condition binds the
 * request to one tenant:
 * - `ses:TenantName` (StringEquals/StringLike, no IfExists) naming one tenant: the session-tag
 *   variable, or an exact name without wildcards. SES then refuses resources not associated with
 *   that tenant (SES API v2 reference, SendEmail: TenantName);
 * - `ses:FromAddress` whose every value has the session-tag variable or one literal domain after
 *   the `@` (`*@acme.mail.example.com`);
 * - a tenant-binding condition as TI-IAM1 understands it (`aws:ResourceTag/TenantId` equal to the
 *   session tag, `aws:PrincipalTag/TenantId` equal to a literal id).
 * An identity or configuration-set ARN that names the session tag, or is exact (no wildcard: one
 * identity, e.g. the platform's own notification domain), is scoped. Templates are not judged
 * here: a template is only usable with an identity, which this rule checks.
 * Findings: `<statement>::Resource::<resource>`, `<statement>::NotResource`.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { SES_FROM_ADDRESS_KEY, SES_SENDING_ACTIONS, SES_TENANT_NAME_KEY } from '../../../core/email-names';
import { PRINCIPAL_TENANT } from '../../../core/namespace';
import { Conditions, reachedActions, statementsOf } from '../../../nag/inspect/policies';
import { hasTenantBindingCondition, isPositiveRequiringOperator } from '../../../nag/inspect/tenant-scope';
import { TenantIsolationRule } from '../../../nag/rule';

const WILDCARD = /[*?]/;

/** The values of a condition key under any operator, case-insensitive on the key. */
function valuesOf(keys: Record<string, string[]>, key: string): string[] | undefined {
  const k = Object.keys(keys).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : keys[k];
}

/** True when a condition confines the send to one tenant's SES tenant or sending domain. */
export function hasSesTenantCondition(conditions: Conditions): boolean {
  if (hasTenantBindingCondition(conditions)) return true;
  for (const [op, keys] of Object.entries(conditions)) {
    if (!isPositiveRequiringOperator(op)) continue;
    const tenantNames = valuesOf(keys, SES_TENANT_NAME_KEY);
    if (tenantNames && tenantNames.length > 0 && tenantNames.every((v) => v.includes(PRINCIPAL_TENANT) || !WILDCARD.test(v))) return true;
    const from = valuesOf(keys, SES_FROM_ADDRESS_KEY);
    if (from && from.length > 0 && from.every((v) => v.includes(PRINCIPAL_TENANT) || /^[^@]*@[^*?@]+$/.test(v))) return true;
  }
  return false;
}

/**
 * True when the (flattened) resource reaches identities or configuration sets of more than one
 * tenant: `*`, a wildcard where the service, type or name would be, or a wildcard in the identity
 * or configuration-set name that does not name the session tag.
 */
export function isUnscopedSesResource(resource: string): boolean {
  if (resource === '*') return true;
  const parts = resource.split(':');
  if (parts.length < 6) return WILDCARD.test(resource);
  const service = parts[2];
  if (service !== 'ses' && !WILDCARD.test(service)) return false;
  const rest = parts.slice(5).join(':');
  const slash = rest.indexOf('/');
  const type = slash < 0 ? rest : rest.slice(0, slash);
  const name = slash < 0 ? '' : rest.slice(slash + 1);
  if (WILDCARD.test(type)) return true;
  if (type !== 'identity' && type !== 'configuration-set') return false;
  return WILDCARD.test(name) && !name.includes(PRINCIPAL_TENANT);
}

function check(node: CfnResource): NagRuleResult {
  const statements = statementsOf(node, ['identity']);
  if (statements.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  let sending = false;
  for (const st of statements) {
    if (st.effect !== 'Allow' || reachedActions(st, SES_SENDING_ACTIONS).length === 0) continue;
    sending = true;
    if (hasSesTenantCondition(st.conditions)) continue;
    if (st.notResources.length > 0) findings.add(`${st.label}::NotResource`);
    for (const r of st.resources) if (isUnscopedSesResource(r)) findings.add(`${st.label}::Resource::${r}`);
  }
  if (!sending) return NagRuleCompliance.NOT_APPLICABLE;
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const SesSendScope: TenantIsolationRule = {
  id: 'SES1',
  area: 'email',
  info: 'An IAM statement allows sending email through SES (SendEmail, SendRawEmail, SendTemplatedEmail, SendBulk*) on every identity or configuration set (Resource *, NotResource, or a name wildcard) with no tenant condition.',
  explanation:
    "SES checks a send against the sending identity and the configuration set it names: a wildcard there lets every session send from every tenant's domain and through every tenant's configuration set (its reputation, suppression list and events). " +
    'Name the identity and configuration set with ${aws:PrincipalTag/TenantId} (or exactly), or bind the request with ses:TenantName / ses:FromAddress on the session tag (StringEquals/StringLike, no IfExists). Findings: <statement>::Resource::<resource>, <statement>::NotResource.',
  check,
};
