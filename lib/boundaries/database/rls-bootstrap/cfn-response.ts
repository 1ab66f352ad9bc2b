/**
 * CloudFormation custom resource responses for the RLS bootstrap.
 *
 * "The total size of the response body can't exceed 4096 bytes" (CloudFormation User Guide,
 * crpg-ref-responses). A SQL error plus the statement that failed easily exceeds that, so the
 * Reason is cut to fit: the error message first (it says what is wrong), then as much of the
 * failing statement as fits, each cut marked with an ellipsis.
 */
import { BootstrapResult } from './run-bootstrap';

/** Hard limit of the response body (bytes). */
export const CFN_RESPONSE_LIMIT_BYTES = 4096;

/** The fields of a CloudFormation custom resource request that the handler reads. */
export interface CfnRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
}

export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes (never inside a character), marking the cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const marker = ' …';
  let budget = maxBytes - utf8Bytes(marker);
  if (budget <= 0) return '';
  let out = '';
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (size > budget) break;
    out += ch;
    budget -= size;
  }
  return out + marker;
}

/** A one-line summary of a failed run: statement number, line, error, then the statement. */
export function failureReason(result: Extract<BootstrapResult, { ok: false }>): { head: string; statement: string } {
  if (!result.failed) return { head: `RLS bootstrap failed: ${result.error}`, statement: '' };
  const f = result.failed;
  return {
    head: `RLS bootstrap failed at statement ${f.index} of ${result.statements} (policies/rls/bootstrap.sql line ${f.line}); nothing was applied (rolled back): ${result.error}`,
    statement: f.text.replace(/\s+/g, ' '),
  };
}

/**
 * The response body for `request`, never over CFN_RESPONSE_LIMIT_BYTES. Reason carries the
 * failure; Data carries small figures only.
 */
export function responseBody(
  request: CfnRequest,
  physicalResourceId: string,
  outcome: { ok: true; data: Record<string, string> } | { ok: false; head: string; statement?: string },
): string {
  const base: CfnResponse = {
    Status: outcome.ok ? 'SUCCESS' : 'FAILED',
    // PhysicalResourceId may be up to 1 KB (same source); ours is short, cut defensively.
    PhysicalResourceId: truncateUtf8(physicalResourceId, 1024),
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    ...(outcome.ok ? { Data: outcome.data } : {}),
  };
  if (outcome.ok) return JSON.stringify(base);
  // Fit Reason into what is left. JSON escaping can grow the text (quotes, control characters),
  // so measure the serialized body and shrink until it fits.
  const withReason = (reason: string) => JSON.stringify({ ...base, Reason: reason });
  const room = CFN_RESPONSE_LIMIT_BYTES - utf8Bytes(withReason(''));
  for (let scale = 1; scale > 0.01; scale *= 0.8) {
    const head = truncateUtf8(outcome.head, Math.floor(Math.min(room, 2048) * scale));
    const left = CFN_RESPONSE_LIMIT_BYTES - utf8Bytes(withReason(head)) - 16;
    const statement = outcome.statement ? truncateUtf8(outcome.statement, Math.floor(Math.max(0, left) * scale)) : '';
    const body = withReason(statement ? `${head} | statement: ${statement}` : head);
    if (utf8Bytes(body) <= CFN_RESPONSE_LIMIT_BYTES) return body;
  }
  return withReason('RLS bootstrap failed (details in the function log)');
}
