/**
 * The email boundary's contract (Amazon SES), CDK-free so the constructs, the nag rule TI-SES1,
 * the audit, the runtime mailer and the tests share one copy: names, ARN patterns, condition keys
 * and action lists.
 *
 * Names of tenant `<id>` under qualifier `<q>` and the platform's parent mail domain `<domain>`:
 * - SES tenant (AWS::SES::Tenant)        `<q>-tenant-<id>`
 * - configuration set                    `<q>-tenant-<id>-email`       (tenantResourceName purpose `email`)
 * - sending identity (domain, Easy DKIM) `<id>.<domain>`; From addresses `<local>@<id>.<domain>`
 * - templates                            `<q>-tenant-<id>_<name>`
 * - events queue / DLQ / topic           `<q>-tenant-<id>-email-events`, `...-email-events-dlq`
 *
 * Why these cannot name another tenant (a TenantId is `a-z 0-9 -`, lib/core/tenant-id.ts):
 * - the SES tenant and configuration set are named EXACTLY in policies (no wildcard), and
 *   `<q>-tenant-A[-email]` = `<q>-tenant-B[-email]` only when A = B;
 * - the identity is `<id>.` + the parent domain: `.` cannot occur in an id, so `acme.<domain>`
 *   never equals `acme-corp.<domain>`; an address pattern `*@acme.<domain>` needs the `@` right
 *   before the id, so it matches no address at `acme-corp.<domain>` or `xacme.<domain>`;
 * - templates: SES template names allow only letters, digits, `_` and `-` (SES API v2 reference,
 *   CreateEmailTemplate / EmailTemplateName), and `_` cannot occur in an id, so the pattern
 *   `<q>-tenant-${aws:PrincipalTag/TenantId}_*` is delimited: `<q>-tenant-acme_*` does not match
 *   `<q>-tenant-acme-corp_welcome`.
 *
 * How SES authorizes a send (Service Authorization Reference, "Actions, resources, and condition
 * keys for Amazon Simple Email Service v2", list_amazonsimpleemailservicev2):
 * - `ses:SendEmail` checks the `identity` resource (required), and the `configuration-set` and
 *   `template` resources when the request names them; condition keys `ses:FromAddress`,
 *   `ses:FeedbackAddress` (Return-Path), `ses:FromDisplayName`, `ses:Recipients` and
 *   `ses:TenantName` (the tenant the email is sent through). No key carries Reply-To.
 * - With `TenantName`, "the email sending operation will only succeed if all referenced
 *   resources (identities, configuration sets, and templates) are associated with this tenant"
 *   (SES API v2 reference, SendEmail, TenantName).
 * - The suppression-list actions take an optional `tenant` resource
 *   (`arn:...:tenant/<TenantName>/<TenantId>`); without a tenant in the request they act on the
 *   account-level list, whose resource is `*`.
 */
import { PRINCIPAL_TENANT, TenantRef, tenantResourceName } from './namespace';

/** The parent domain of every tenant's sending domain unless the app sets `-c mailDomain=...`. */
export const DEFAULT_MAIL_DOMAIN = 'mail.example.com';

/** `_`: separates a tenant's template names from the name part (not in the TenantId alphabet). */
export const TEMPLATE_NAME_DELIMITER = '_';

/** SES names (tenant, configuration set, template) are at most 64 characters (SES API v2 reference). */
export const SES_NAME_MAX = 64;

/** IAM condition keys of SES sends (Service Authorization Reference, list_amazonsimpleemailservicev2). */
export const SES_TENANT_NAME_KEY = 'ses:TenantName';
export const SES_FROM_ADDRESS_KEY = 'ses:FromAddress';
export const SES_FEEDBACK_ADDRESS_KEY = 'ses:FeedbackAddress';

/** The message tag every tenant email carries (SES EmailTags; events echo it in `mail.tags`). */
export const EMAIL_TENANT_TAG = 'TenantId';

/** What TenantAccessRole may send with: the SES API v2 send and the raw send (API v1 and v2 raw content). */
export const TENANT_SEND_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'] as const;

/**
 * Every SES action that sends mail from an identity (v1 and v2 share the `ses:` prefix): what the
 * nag rule TI-SES1 looks for in grants.
 */
export const SES_SENDING_ACTIONS = [
  'ses:SendEmail',
  'ses:SendRawEmail',
  'ses:SendTemplatedEmail',
  'ses:SendBulkEmail',
  'ses:SendBulkTemplatedEmail',
  'ses:SendCustomVerificationEmail',
] as const;

/** The tenant's own suppression list (tenant resource; SuppressionScope TENANT). */
export const TENANT_SUPPRESSION_ACTIONS = [
  'ses:GetSuppressedDestination',
  'ses:PutSuppressedDestination',
  'ses:DeleteSuppressedDestination',
  'ses:ListSuppressedDestinations',
] as const;

/** Reading the tenant's own templates (changing them is the platform's job). */
export const TENANT_TEMPLATE_READ_ACTIONS = ['ses:GetEmailTemplate'] as const;

/** Template changes: never granted to tenant sessions (the audit probes them). */
export const TEMPLATE_WRITE_ACTIONS = ['ses:UpdateEmailTemplate', 'ses:DeleteEmailTemplate'] as const;

/** Configuration-set changes that would pause, unsuppress or redirect another tenant's mail. */
export const CONFIGURATION_SET_WRITE_ACTIONS = [
  'ses:PutConfigurationSetSendingOptions',
  'ses:PutConfigurationSetSuppressionOptions',
  'ses:UpdateConfigurationSetEventDestination',
  'ses:DeleteConfigurationSet',
] as const;

function ref(tenant: TenantRef): string {
  return typeof tenant === 'string' ? tenant : tenant.value;
}

function checked(name: string, what: string): string {
  if (!name.includes('${') && name.length > SES_NAME_MAX) {
    throw new Error(`${what} ${JSON.stringify(name)} is ${name.length} characters; SES allows ${SES_NAME_MAX}`);
  }
  return name;
}

/** `<q>-tenant-<id>`: the SES tenant (letters, digits, `-`, `_`; at most 64). */
export function sesTenantName(qualifier: string, tenant: TenantRef): string {
  return checked(`${qualifier}-tenant-${ref(tenant)}`, 'SES tenant name');
}

/** `<q>-tenant-<id>-email`: the tenant's configuration set. */
export function emailConfigurationSetName(qualifier: string, tenant: TenantRef): string {
  return checked(`${qualifier}-${tenantResourceName(tenant, 'email')}`, 'SES configuration set name');
}

/** `<q>-tenant-<id>_`: every template of the tenant starts with this. */
export function emailTemplatePrefix(qualifier: string, tenant: TenantRef): string {
  return `${qualifier}-tenant-${ref(tenant)}${TEMPLATE_NAME_DELIMITER}`;
}

/** Template name parts: letters, digits, `-` and `_` (SES template names), at least one character. */
export const TEMPLATE_PART = /^[A-Za-z0-9_-]+$/;

/** `<q>-tenant-<id>_<name>`: one template of the tenant. */
export function emailTemplateName(qualifier: string, tenant: TenantRef, name: string): string {
  if (!TEMPLATE_PART.test(name)) throw new Error(`template name ${JSON.stringify(name)}: letters, digits, '-' and '_' only`);
  return checked(`${emailTemplatePrefix(qualifier, tenant)}${name}`, 'SES template name');
}

/** The tenant's part of a template name, or undefined when the template is not the tenant's. */
export function tenantTemplatePart(qualifier: string, tenant: TenantRef, templateName: string): string | undefined {
  const prefix = emailTemplatePrefix(qualifier, tenant);
  if (!templateName.startsWith(prefix)) return undefined;
  const part = templateName.slice(prefix.length);
  return TEMPLATE_PART.test(part) ? part : undefined;
}

/** `<id>.<domain>`: the tenant's sending domain (an SES domain identity with Easy DKIM). */
export function tenantMailDomain(tenant: TenantRef, mailDomain: string): string {
  return `${ref(tenant)}.${mailDomain}`;
}

/** `*@<id>.<domain>`: every address of the tenant's sending domain (an IAM StringLike pattern). */
export function tenantAddressPattern(tenant: TenantRef, mailDomain: string): string {
  return `*@${tenantMailDomain(tenant, mailDomain)}`;
}

/** `<q>-tenant-<id>-email-events`: the tenant's queue (and topic) of bounce, complaint and delivery events. */
export function emailEventsQueueName(qualifier: string, tenant: TenantRef): string {
  return `${qualifier}-${tenantResourceName(tenant, 'email-events')}`;
}

/** `<q>-tenant-<id>-email-events-dlq` */
export function emailEventsDeadLetterQueueName(qualifier: string, tenant: TenantRef): string {
  return `${qualifier}-${tenantResourceName(tenant, 'email-events-dlq')}`;
}

/** Problems of a parent mail domain (lowercase DNS name, 2+ labels, room for a 40-character id label). */
export function mailDomainProblem(domain: string): string | undefined {
  if (domain.length > 253 - 41) return 'at most 212 characters (the tenant label and a dot go in front; DNS names are at most 253)';
  const labels = domain.split('.');
  if (labels.length < 2) return 'a domain with at least two labels (mail.example.com)';
  for (const l of labels) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l)) return `lowercase DNS labels (letters, digits, inner hyphens, 1-63 characters); ${JSON.stringify(l)} is not one`;
  }
  return undefined;
}

/** The session-tag forms used by the platform's ABAC policy. */
export const OWN = {
  sesTenant: (q: string) => sesTenantName(q, PRINCIPAL_TENANT),
  configurationSet: (q: string) => emailConfigurationSetName(q, PRINCIPAL_TENANT),
  templates: (q: string) => `${emailTemplatePrefix(q, PRINCIPAL_TENANT)}*`,
  domain: (mailDomain: string) => tenantMailDomain(PRINCIPAL_TENANT, mailDomain),
  addresses: (mailDomain: string) => tenantAddressPattern(PRINCIPAL_TENANT, mailDomain),
};
