/**
 * RecordingStsDouble: a stand-in for AWS STS (no AWS account exists here). It records every
 * AssumeRole request it receives and answers with fake credentials that NAME the tenant tag they
 * were issued for, so a test can prove which tenant's session signed what. It decides nothing
 * about authorization: IAM's answer is tested elsewhere with the policy evaluator.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AssumeRoleCommandInput, AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import type { StsAssumeRoleClient } from '../../lib/boundaries/identity/runtime/tenant-credentials';

export interface RecordingStsDoubleOptions {
  /** Clock (ms) used for Expiration. @default Date.now */
  readonly now?: () => number;
  /** Delay before answering, per request (ms); lets tests interleave concurrent calls. @default 0 */
  readonly delayMs?: (input: AssumeRoleCommandInput, callIndex: number) => number;
  /** Fail the n-th call (0-based) with this error. */
  readonly failCall?: { readonly index: number; readonly error: Error };
  /** Answer with an assumed-role ARN for this session name instead of the requested one. */
  readonly wrongSessionName?: string;
}

export const DOUBLE_ROLE_ARN = 'arn:aws:iam::123456789012:role/tenant-isolation/TenantAccessRole';

export class RecordingStsDouble implements StsAssumeRoleClient {
  /** Every AssumeRole input, in arrival order. */
  public readonly requests: AssumeRoleCommandInput[] = [];
  private readonly options: RecordingStsDoubleOptions;

  constructor(options: RecordingStsDoubleOptions = {}) {
    this.options = options;
  }

  public async send(command: AssumeRoleCommand): Promise<AssumeRoleCommandOutput> {
    if (!(command instanceof AssumeRoleCommand)) throw new Error('RecordingStsDouble only answers AssumeRole');
    const input = command.input;
    const index = this.requests.length;
    this.requests.push(structuredClone(input));
    const delay = this.options.delayMs?.(input, index) ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (this.options.failCall?.index === index) throw this.options.failCall.error;

    const tag = (input.Tags ?? []).find((t) => t.Key === 'TenantId')?.Value ?? 'NO-TAG';
    const now = (this.options.now ?? Date.now)();
    const role = (input.RoleArn ?? '').split('/').pop();
    const sessionName = this.options.wrongSessionName ?? input.RoleSessionName;
    return {
      $metadata: { httpStatusCode: 200 },
      Credentials: {
        AccessKeyId: `ASIADOUBLE${String(index).padStart(6, '0')}`,
        SecretAccessKey: `secret-${tag}-${index}`,
        SessionToken: `session-token-for-${tag}-${index}`,
        Expiration: new Date(now + (input.DurationSeconds ?? 3600) * 1000),
      },
      AssumedRoleUser: {
        AssumedRoleId: `AROADOUBLE:${sessionName}`,
        Arn: `arn:aws:sts::123456789012:assumed-role/${role}/${sessionName}`,
      },
      ...(input.SourceIdentity ? { SourceIdentity: input.SourceIdentity } : {}),
    };
  }

  /** The TenantId tag value a session token was issued for (from the double's own naming). */
  public static tenantOfToken(sessionToken: string): string {
    const m = /^session-token-for-(.+)-\d+$/.exec(sessionToken);
    if (!m) throw new Error(`not a RecordingStsDouble session token: ${sessionToken}`);
    return m[1];
  }
}
