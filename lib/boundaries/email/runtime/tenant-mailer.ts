/**
 * Email on a tenant's behalf through Amazon SES (API v2 SendEmail), from a TenantContext.
 *
 * Every send carries what the context's tenant owns and nothing the caller chose instead
 * (lib/core/email-names.ts): the From address at `<id>.<mailDomain>`, the configuration set
 * `<q>-tenant-<id>-email`, the SES tenant `<q>-tenant-<id>` (`TenantName`: SES refuses resources
 * not associated with it), and the message tag `TenantId=<id>` (events echo it in `mail.tags`).
 * Requests are signed with the tenant's own vended credentials (`TenantSesSenderSource`), so the
 * platform's IAM policy (lib/boundaries/email/email-access.ts) refuses a foreign identity,
 * configuration set, template, From, Return-Path or SES tenant even if this code were wrong.
 *
 * Refused before anything is sent (TenantMailerError, with a code): a From or Return-Path not at
 * the tenant's domain; a Reply-To at another tenant's domain (IAM has no Reply-To key, so this is
 * the only check); another tenant's template or a template ARN; headers that choose the sender or
 * SES routing; the reserved TenantId tag; recipients on this tenant's suppression list.
 *
 * Per-tenant state, so one tenant's trouble stays its own: throttling, quota and pause errors of
 * SES (TooManyRequestsException, LimitExceededException, SendingPausedException) put only that
 * tenant into exponential backoff; the local suppression list (fed from the tenant's own events
 * queue with `recordEvent`) is per tenant — an address suppressed for A is not suppressed for B,
 * as SES keeps the tenants' suppression lists apart (`SuppressionScope: TENANT`).
 *
 * The SES client sits behind `SesV2Sender`, typed structurally on the SDK's SendEmail shapes, so
 * this module needs no AWS SDK (docs/email.md); `sesV2SenderFromClient` adapts
 * `@aws-sdk/client-sesv2`'s client and `SendEmailCommand`.
 */
import {
  DEFAULT_MAIL_DOMAIN,
  EMAIL_TENANT_TAG,
  emailConfigurationSetName,
  emailTemplateName,
  sesTenantName,
  tenantMailDomain,
  tenantTemplatePart,
} from '../../../core/email-names';
import { assertTenantContext, TenantContext } from '../../identity/runtime/tenant-context';
import { TenantMailerError } from './errors';

/** SES API v2 SendEmail request, as much of it as the mailer sets (the SDK's field names). */
export interface SesV2SendEmailInput {
  readonly FromEmailAddress: string;
  readonly Destination: { readonly ToAddresses?: string[]; readonly CcAddresses?: string[]; readonly BccAddresses?: string[] };
  readonly ReplyToAddresses?: string[];
  readonly FeedbackForwardingEmailAddress?: string;
  readonly Content:
    | {
        readonly Simple: {
          readonly Subject: { readonly Data: string; readonly Charset: 'UTF-8' };
          readonly Body: Record<string, { readonly Data: string; readonly Charset: 'UTF-8' }>;
          readonly Headers?: Array<{ Name: string; Value: string }>;
        };
      }
    | { readonly Template: { readonly TemplateName: string; readonly TemplateData: string } }
    | { readonly Raw: { readonly Data: Uint8Array } };
  readonly EmailTags: Array<{ Name: string; Value: string }>;
  readonly ConfigurationSetName: string;
  readonly TenantName: string;
}

export interface SesV2SendEmailOutput {
  readonly MessageId?: string;
}

/** What the mailer needs from SES: the SendEmail call of the SES API v2. */
export interface SesV2Sender {
  sendEmail(input: SesV2SendEmailInput): Promise<SesV2SendEmailOutput>;
}

/** A sender signed with the tenant's own credentials (e.g. built from TenantCredentialVendor.credentialProvider). */
export interface TenantSesSenderSource {
  sesv2(ctx: TenantContext): SesV2Sender;
}

/** Adapts `@aws-sdk/client-sesv2`: `sesV2SenderFromClient(new SESv2Client({ credentials }), SendEmailCommand)`. */
export function sesV2SenderFromClient(client: { send(command: never): Promise<unknown> }, SendEmailCommand: new (input: SesV2SendEmailInput) => unknown): SesV2Sender {
  return { sendEmail: async (input) => (await client.send(new SendEmailCommand(input) as never)) as SesV2SendEmailOutput };
}

export interface TenantEmailMessage {
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  /** A local part (`billing`) or an address at the tenant's domain. @default 'no-reply' */
  readonly from?: string;
  /** Display name for the From address. */
  readonly fromName?: string;
  readonly replyTo?: readonly string[];
  /** Return-Path for feedback forwarding: a local part or an address at the tenant's domain. */
  readonly feedbackAddress?: string;
  /** Exactly one of `simple`, `template`, `raw`. */
  readonly simple?: { readonly subject: string; readonly text?: string; readonly html?: string; readonly headers?: Readonly<Record<string, string>> };
  /** The tenant's template by its own part of the name (`notice` for `<q>-tenant-<id>_notice`). */
  readonly template?: { readonly name: string; readonly data?: Readonly<Record<string, unknown>> };
  /** A MIME message; its From, Sender, Reply-To and Return-Path headers are checked like the fields. */
  readonly raw?: Uint8Array;
  /** Message tags (SES: letters, digits, `_`, `-`; up to 256 characters); TenantId is set by the mailer. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface TenantMailerProps {
  /** Tenant-signed SES senders. */
  readonly senders: TenantSesSenderSource;
  /** The blueprint qualifier. */
  readonly qualifier: string;
  /** @default 'mail.example.com' (DEFAULT_MAIL_DOMAIN) */
  readonly mailDomain?: string;
  /** First backoff after a throttling or pause error, doubled per consecutive error. @default 1000 */
  readonly backoffBaseMs?: number;
  /** @default 300000 (5 minutes) */
  readonly backoffMaxMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** SES errors that concern the sender's rate, quota or sending status (client-sesv2 exception names). */
const BACKOFF_ERRORS = new Set(['TooManyRequestsException', 'LimitExceededException', 'SendingPausedException', 'ThrottlingException']);
const ADDRESS = /^(?:"?([^"<>]*)"?\s*)?<([^<>\s]+)>$|^([^<>\s]+)$/;
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const GUARDED_HEADERS = /^(from|sender|reply-to|return-path|x-ses-.*)$/i;
/** SES API v2: at most 50 recipients per message (To + Cc + Bcc). */
const MAX_RECIPIENTS = 50;

interface TenantState {
  failures: number;
  retryAt: number;
  readonly suppressed: Set<string>;
}

export class TenantMailer {
  private readonly mailDomain: string;
  private readonly state = new Map<string, TenantState>();
  private readonly now: () => number;

  constructor(private readonly props: TenantMailerProps) {
    this.mailDomain = (props.mailDomain ?? DEFAULT_MAIL_DOMAIN).toLowerCase();
    this.now = props.now ?? Date.now;
  }

  /** Sends one message as the context's tenant; returns SES's message id. */
  public async send(ctx: TenantContext, message: TenantEmailMessage): Promise<{ messageId?: string }> {
    assertTenantContext(ctx, 'TenantMailer.send');
    const input = this.build(ctx, message);
    const state = this.stateOf(ctx);
    const waitMs = state.retryAt - this.now();
    if (waitMs > 0) {
      throw new TenantMailerError('tenant-backing-off', `tenant ${ctx.tenant.value}: SES throttled or paused its sending; retry in ${waitMs} ms`, waitMs);
    }
    const recipients = [...input.Destination.ToAddresses!, ...(input.Destination.CcAddresses ?? []), ...(input.Destination.BccAddresses ?? [])];
    const suppressed = recipients.filter((r) => state.suppressed.has(addressOf(r)));
    if (suppressed.length > 0) {
      throw new TenantMailerError('recipient-suppressed', `tenant ${ctx.tenant.value}: ${suppressed.join(', ')} on its suppression list`);
    }
    try {
      const out = await this.props.senders.sesv2(ctx).sendEmail(input);
      state.failures = 0;
      state.retryAt = 0;
      return { messageId: out.MessageId };
    } catch (e) {
      if (BACKOFF_ERRORS.has((e as { name?: string })?.name ?? '')) {
        state.failures += 1;
        const base = this.props.backoffBaseMs ?? 1000;
        const delay = Math.min(this.props.backoffMaxMs ?? 300_000, base * 2 ** (state.failures - 1));
        state.retryAt = this.now() + delay;
      }
      throw e;
    }
  }

  /** Adds an address to this tenant's local suppression list (the mailer refuses sends to it). */
  public suppress(ctx: TenantContext, address: string): void {
    assertTenantContext(ctx, 'TenantMailer.suppress');
    this.stateOf(ctx).suppressed.add(this.plainAddress(address, 'address'));
  }

  public isSuppressed(ctx: TenantContext, address: string): boolean {
    assertTenantContext(ctx, 'TenantMailer.isSuppressed');
    return this.stateOf(ctx).suppressed.has(addressOf(address));
  }

  /**
   * Applies one SES event from the tenant's events queue (the JSON SES publishes): permanent
   * bounces and complaints suppress their recipients for this tenant. An event whose
   * `mail.tags.TenantId` is not this tenant is refused, never applied.
   * Returns the addresses suppressed.
   */
  public recordEvent(ctx: TenantContext, event: unknown): string[] {
    assertTenantContext(ctx, 'TenantMailer.recordEvent');
    const e = (typeof event === 'string' ? safeJson(event) : event) as SesEvent | undefined;
    const tags = e?.mail?.tags?.[EMAIL_TENANT_TAG];
    if (!Array.isArray(tags) || tags.length !== 1 || tags[0] !== ctx.tenant.value) {
      throw new TenantMailerError('foreign-event', `tenant ${ctx.tenant.value}: the event's mail.tags.${EMAIL_TENANT_TAG} is ${JSON.stringify(tags)}`);
    }
    const type = e!.eventType ?? e!.notificationType;
    let addresses: string[] = [];
    if (type === 'Bounce' && e!.bounce?.bounceType === 'Permanent') addresses = (e!.bounce.bouncedRecipients ?? []).map((r) => r.emailAddress);
    if (type === 'Complaint') addresses = (e!.complaint?.complainedRecipients ?? []).map((r) => r.emailAddress);
    const done = addresses.filter((a) => typeof a === 'string').map((a) => addressOf(a));
    for (const a of done) this.stateOf(ctx).suppressed.add(a);
    return done;
  }

  private stateOf(ctx: TenantContext): TenantState {
    let s = this.state.get(ctx.tenant.value);
    if (!s) {
      s = { failures: 0, retryAt: 0, suppressed: new Set() };
      this.state.set(ctx.tenant.value, s);
    }
    return s;
  }

  /** The SendEmail request for the tenant, or a TenantMailerError naming what is refused. */
  public build(ctx: TenantContext, m: TenantEmailMessage): SesV2SendEmailInput {
    assertTenantContext(ctx, 'TenantMailer.build');
    const q = this.props.qualifier;
    const tenant = ctx.tenant;
    const domain = tenantMailDomain(tenant, this.mailDomain);
    const who = `tenant ${tenant.value}`;
    const own = (value: string, prop: string, code: 'foreign-from-address' | 'foreign-feedback-address') => {
      const address = value.includes('@') ? this.plainAddress(value, prop) : `${value}@${domain}`;
      const [local, at] = splitAddress(address);
      if (!LOCAL_PART.test(local)) throw new TenantMailerError('invalid-message', `${who}: ${prop} ${JSON.stringify(value)} is not a valid local part`);
      if (at !== domain) throw new TenantMailerError(code, `${who}: ${prop} ${JSON.stringify(value)} is not at its sending domain ${domain}`);
      return address;
    };
    const from = own(m.from ?? 'no-reply', 'from', 'foreign-from-address');
    if (m.fromName !== undefined && (typeof m.fromName !== 'string' || /["<>\r\n]/.test(m.fromName))) {
      throw new TenantMailerError('invalid-message', `${who}: fromName may not contain quotes, angle brackets or line breaks`);
    }
    const replyTo = (m.replyTo ?? []).map((r) => this.checkReplyTo(r, domain, who));
    const feedback = m.feedbackAddress === undefined ? undefined : own(m.feedbackAddress, 'feedbackAddress', 'foreign-feedback-address');
    const list = (v: readonly string[] | undefined, prop: string) => (v ?? []).map((a) => this.plainAddress(a, prop));
    const to = list(m.to, 'to');
    const cc = list(m.cc, 'cc');
    const bcc = list(m.bcc, 'bcc');
    const count = to.length + cc.length + bcc.length;
    if (count === 0 || count > MAX_RECIPIENTS) throw new TenantMailerError('invalid-message', `${who}: 1 to ${MAX_RECIPIENTS} recipients per message, not ${count}`);

    const kinds = [m.simple, m.template, m.raw].filter((x) => x !== undefined).length;
    if (kinds !== 1) throw new TenantMailerError('invalid-message', `${who}: exactly one of simple, template, raw`);
    let content: SesV2SendEmailInput['Content'];
    if (m.simple) {
      const body: Record<string, { Data: string; Charset: 'UTF-8' }> = {};
      if (m.simple.text !== undefined) body.Text = { Data: m.simple.text, Charset: 'UTF-8' };
      if (m.simple.html !== undefined) body.Html = { Data: m.simple.html, Charset: 'UTF-8' };
      if (Object.keys(body).length === 0) throw new TenantMailerError('invalid-message', `${who}: a simple message needs text or html`);
      const headers = Object.entries(m.simple.headers ?? {});
      for (const [name] of headers) {
        if (GUARDED_HEADERS.test(name))
          throw new TenantMailerError('header-not-allowed', `${who}: header ${JSON.stringify(name)} is set by the mailer from the tenant's context`);
      }
      content = {
        Simple: {
          Subject: { Data: m.simple.subject, Charset: 'UTF-8' },
          Body: body,
          ...(headers.length > 0 ? { Headers: headers.map(([Name, Value]) => ({ Name, Value })) } : {}),
        },
      };
    } else if (m.template) {
      content = { Template: { TemplateName: this.templateName(ctx, m.template.name), TemplateData: JSON.stringify(m.template.data ?? {}) } };
    } else {
      this.checkRawHeaders(m.raw!, domain, who);
      content = { Raw: { Data: m.raw! } };
    }

    const tags = [{ Name: EMAIL_TENANT_TAG, Value: tenant.value }];
    for (const [name, value] of Object.entries(m.tags ?? {})) {
      if (name.toLowerCase() === EMAIL_TENANT_TAG.toLowerCase())
        throw new TenantMailerError('reserved-tag', `${who}: the ${EMAIL_TENANT_TAG} tag is set by the mailer (got ${JSON.stringify(value)})`);
      if (!TAG.test(name) || !TAG.test(value))
        throw new TenantMailerError('invalid-message', `${who}: tag ${JSON.stringify(name)}=${JSON.stringify(value)}: letters, digits, '_' and '-', 1-256 characters`);
      tags.push({ Name: name, Value: value });
    }
    return {
      FromEmailAddress: m.fromName ? `"${m.fromName}" <${from}>` : from,
      Destination: { ToAddresses: to, ...(cc.length ? { CcAddresses: cc } : {}), ...(bcc.length ? { BccAddresses: bcc } : {}) },
      ...(replyTo.length ? { ReplyToAddresses: replyTo } : {}),
      ...(feedback ? { FeedbackForwardingEmailAddress: feedback } : {}),
      Content: content,
      EmailTags: tags,
      ConfigurationSetName: emailConfigurationSetName(q, tenant),
      TenantName: sesTenantName(q, tenant),
    };
  }

  /** `notice` -> `<q>-tenant-<id>_notice`; a full name of this tenant is accepted; anything else is foreign. */
  private templateName(ctx: TenantContext, name: string): string {
    const q = this.props.qualifier;
    const who = `tenant ${ctx.tenant.value}`;
    if (typeof name !== 'string' || name.length === 0 || name.startsWith('arn:')) {
      throw new TenantMailerError('foreign-template', `${who}: template ${JSON.stringify(name)}: give the tenant's own template name, not an ARN`);
    }
    const ownPart = tenantTemplatePart(q, ctx.tenant, name);
    if (ownPart !== undefined) return name;
    if (name.startsWith(`${q}-tenant-`)) throw new TenantMailerError('foreign-template', `${who}: template ${JSON.stringify(name)} is not one of its templates`);
    try {
      return emailTemplateName(q, ctx.tenant, name);
    } catch {
      throw new TenantMailerError('foreign-template', `${who}: template ${JSON.stringify(name)} is not a template name of the tenant (letters, digits, '-', '_')`);
    }
  }

  /** Reply-To may be any address except one at another tenant's domain or the platform's parent domain. */
  private checkReplyTo(value: string, domain: string, who: string): string {
    const address = this.plainAddress(value, 'replyTo');
    const [, at] = splitAddress(address);
    if (at !== domain && (at === this.mailDomain || at.endsWith(`.${this.mailDomain}`))) {
      throw new TenantMailerError('foreign-reply-to', `${who}: replyTo ${JSON.stringify(value)} is at ${at}, which is not its sending domain ${domain}`);
    }
    return address;
  }

  /** The header section of a MIME message: From, Sender and Return-Path at the tenant's domain; Reply-To as above; no X-SES-*. */
  private checkRawHeaders(raw: Uint8Array, domain: string, who: string): void {
    const text = Buffer.from(raw).toString('latin1');
    const end = text.search(/\r?\n\r?\n/);
    const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
    let sawFrom = false;
    for (const line of head.split(/\r?\n/)) {
      const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
      if (!m) continue;
      const name = m[1].toLowerCase();
      const values = m[2]
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      if (name.startsWith('x-ses-'))
        throw new TenantMailerError('header-not-allowed', `${who}: raw header ${m[1]} chooses SES routing; the mailer sets it from the tenant's context`);
      if (name === 'from' || name === 'sender' || name === 'return-path') {
        sawFrom ||= name === 'from';
        for (const v of values) {
          const [, at] = splitAddress(this.plainAddress(v, `raw ${m[1]}`));
          if (at !== domain) {
            throw new TenantMailerError(
              name === 'return-path' ? 'foreign-feedback-address' : 'foreign-from-address',
              `${who}: raw ${m[1]} ${JSON.stringify(v)} is not at its sending domain ${domain}`,
            );
          }
        }
      }
      if (name === 'reply-to') for (const v of values) this.checkReplyTo(v, domain, who);
    }
    if (!sawFrom) throw new TenantMailerError('invalid-message', `${who}: a raw message needs a From header at ${domain}`);
  }

  /** `Name <a@b>` or `a@b` -> `a@b` with the domain lowercased; refuses anything else. */
  private plainAddress(value: string, prop: string): string {
    const m = typeof value === 'string' ? ADDRESS.exec(value.trim()) : null;
    const address = m ? (m[2] ?? m[3]) : undefined;
    if (!address || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address))
      throw new TenantMailerError('invalid-message', `${prop} ${JSON.stringify(value)} is not an email address`);
    const [local, at] = splitAddress(address);
    return `${local}@${at}`;
  }
}

function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf('@');
  return [address.slice(0, i), address.slice(i + 1).toLowerCase()];
}

/** Suppression lists compare addresses case-insensitively (SES treats them so). */
function addressOf(value: string): string {
  const m = ADDRESS.exec(String(value).trim());
  return (m ? (m[2] ?? m[3]) : String(value)).toLowerCase();
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { tags?: Record<string, unknown> };
  bounce?: { bounceType?: string; bouncedRecipients?: Array<{ emailAddress: string }> };
  complaint?: { complainedRecipients?: Array<{ emailAddress: string }> };
}
