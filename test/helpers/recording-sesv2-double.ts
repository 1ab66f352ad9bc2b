/**
 * Test support: a RecordingSesV2Double stands in for Amazon SES API v2 (no account exists here).
 * It records the exact SendEmail input with the tenant whose credentials signed it, returns a
 * message id, and fails on request with an SES exception name (TooManyRequestsException, ...).
 * It enforces nothing: isolation is asserted on what the mailer sends, and on the IAM policies
 * under the oracle (test/boundaries/email/email-attack.test.ts).
 */
import type { TenantContext } from '../../lib/boundaries/identity/runtime/tenant-context';
import type { SesV2SendEmailInput, SesV2Sender, TenantSesSenderSource } from '../../lib/boundaries/email/runtime/tenant-mailer';

export interface RecordedSend {
  /** The tenant of the credentials that signed the request. */
  readonly signedAs: string;
  readonly input: SesV2SendEmailInput;
}

export class RecordingSesV2Double implements TenantSesSenderSource {
  public readonly sends: RecordedSend[] = [];
  private readonly failures = new Map<string, string[]>();
  private counter = 0;

  /** The next `count` sends signed as `tenant` fail with an error named `errorName`. */
  public failNext(tenant: string, errorName: string, count = 1): void {
    this.failures.set(tenant, [...(this.failures.get(tenant) ?? []), ...Array<string>(count).fill(errorName)]);
  }

  public sesv2(ctx: TenantContext): SesV2Sender {
    const signedAs = ctx.tenant.value;
    return {
      sendEmail: async (input) => {
        const failure = this.failures.get(signedAs)?.shift();
        if (failure) {
          const e = new Error(`${failure} (RecordingSesV2Double)`);
          e.name = failure;
          throw e;
        }
        this.sends.push({ signedAs, input });
        this.counter += 1;
        return { MessageId: `double-${this.counter}` };
      },
    };
  }
}
