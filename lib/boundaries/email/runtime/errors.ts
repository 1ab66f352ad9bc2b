/** Refusals of the TenantMailer: one class plus a stable `code`, as the other runtime errors. */
export type TenantMailerErrorCode =
  /** The From address is not an address of the tenant's sending domain. */
  | 'foreign-from-address'
  /** A Reply-To address is at another tenant's sending domain (or the platform's parent domain). */
  | 'foreign-reply-to'
  /** The Return-Path (feedback forwarding) address is not at the tenant's sending domain. */
  | 'foreign-feedback-address'
  /** The template is another tenant's (or named by ARN). */
  | 'foreign-template'
  /** A message tag tries to set the reserved TenantId tag. */
  | 'reserved-tag'
  /** A header that chooses the sender, the Return-Path or SES routing (From, Sender, Reply-To, Return-Path, X-SES-*). */
  | 'header-not-allowed'
  /** An address, tag, body or option is malformed, or the message has no recipient or content. */
  | 'invalid-message'
  /** Every listed recipient is on this tenant's suppression list. */
  | 'recipient-suppressed'
  /** SES throttled or paused this tenant's sending recently; the mailer backs off for this tenant only. */
  | 'tenant-backing-off'
  /** An SES event read from a queue does not carry this tenant's tag. */
  | 'foreign-event';

export class TenantMailerError extends Error {
  public readonly code: TenantMailerErrorCode;
  /** For `tenant-backing-off`: milliseconds until the mailer tries SES again for this tenant. */
  public readonly retryAfterMs?: number;
  constructor(code: TenantMailerErrorCode, message: string, retryAfterMs?: number) {
    super(`${message} (code: ${code})`);
    this.name = 'TenantMailerError';
    this.code = code;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}
