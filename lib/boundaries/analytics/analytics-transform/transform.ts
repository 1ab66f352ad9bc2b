/**
 * The analytics stream's transformation: decides, record by record, which tenant partition a
 * record lands in, or sends it to the error prefix. Pure logic (no AWS SDK), tested locally;
 * handler.ts wraps it as the Firehose transformation Lambda.
 *
 * Firehose contract (Firehose Developer Guide, data-transformation-status-model and
 * dynamic-partitioning-partitioning-keys): every input record comes back with the same
 * `recordId`, a `result` of `Ok` | `Dropped` | `ProcessingFailed`, base64 `data`, and — with
 * dynamic partitioning on Lambda keys — `metadata.partitionKeys`. Records marked
 * `ProcessingFailed` are written by Firehose to the S3 error prefix (`processing-failed/`,
 * data-transformation-failure-handling), never to a data prefix.
 *
 * Rules: a record reaches `tenants/<tenant>/analytics/` only when its tenant is a valid TenantId
 * AND its integrity tag verifies (so the tenant is the one the producer stamped from a verified
 * TenantContext) AND its body names no other tenant. Everything else is `ProcessingFailed` with
 * the original bytes — never `Dropped` (nothing disappears silently) and never partitioned.
 * A record of an offboarded tenant (retired or purged: `refusedTenants`, baked into the Lambda at
 * synth from the registry) is refused too (`tenant-offboarded`), even with a valid tag: a token
 * that was still valid at offboarding must not keep writing into the retained partition.
 */
import { TenantId } from '../../../core/tenant-id';
import {
  EVENT_TYPE_MAX_LENGTH,
  EVENT_TYPE_PATTERN,
  foreignTenantField,
  integrityTag,
  MAX_BODY_BYTES,
  MAX_RECORD_BYTES,
  RECORD_VERSION,
  tagMatches,
  TIMESTAMP_PATTERN,
} from '../../../core/analytics-record-format';

/** The partition key name used in the S3 prefix expression `!{partitionKeyFromLambda:tenant}`. */
export const PARTITION_KEY = 'tenant';

/** Why a record went to the error prefix. Stable identifiers: logs, metrics and tests use them. */
export type RejectReason =
  | 'oversized'
  | 'malformed-json'
  | 'not-an-object'
  | 'unsupported-version'
  | 'missing-tenant'
  | 'invalid-tenant'
  | 'malformed-envelope'
  | 'missing-integrity'
  | 'integrity-mismatch'
  | 'tenant-offboarded'
  | 'oversized-body'
  | 'malformed-body'
  | 'body-names-another-tenant';

export interface FirehoseTransformationEventRecord {
  readonly recordId: string;
  readonly approximateArrivalTimestamp?: number;
  /** Base64 of the record bytes as the producer put them. */
  readonly data: string;
}

export interface FirehoseTransformationEvent {
  readonly invocationId?: string;
  readonly deliveryStreamArn?: string;
  readonly region?: string;
  readonly records: readonly FirehoseTransformationEventRecord[];
}

export type FirehoseTransformationResultRecord =
  | {
      readonly recordId: string;
      readonly result: 'Ok';
      readonly data: string;
      readonly metadata: { readonly partitionKeys: { readonly [PARTITION_KEY]: string } };
    }
  | { readonly recordId: string; readonly result: 'ProcessingFailed'; readonly data: string };

export interface FirehoseTransformationResult {
  readonly records: FirehoseTransformationResultRecord[];
}

/** The record as stored in a tenant partition: one JSON line, queryable by Athena. */
export interface StoredEvent {
  readonly tenant: string;
  readonly ts: string;
  readonly type: string;
  /** The event body, re-serialized (canonical: no duplicate keys survive). */
  readonly body: string;
}

export type Verdict =
  { readonly ok: true; readonly tenant: TenantId; readonly stored: StoredEvent } | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

const NO_TENANTS: ReadonlySet<string> = new Set();

/**
 * Parses the offboarded-tenant list the Lambda carries (a JSON array of TenantIds). Anything else
 * is an error: a list that cannot be read must not silently refuse nobody.
 */
export function parseRefusedTenants(text: string | undefined): ReadonlySet<string> {
  if (text === undefined || text === '') throw new Error('the offboarded-tenant list is missing (TI_REFUSED_TENANTS)');
  const list: unknown = JSON.parse(text);
  if (!Array.isArray(list) || list.some((t) => !TenantId.isValid(t))) throw new Error('the offboarded-tenant list must be a JSON array of TenantIds');
  return new Set(list as string[]);
}

function reject(reason: RejectReason, detail: string): Verdict {
  return { ok: false, reason, detail };
}

/**
 * Validates one record's bytes. `keys` are the accepted integrity keys: the current one and,
 * during a rotation, the previous one (a record verifies under any of them).
 */
export function validateRecord(bytes: Uint8Array, keys: Uint8Array | readonly Uint8Array[], refusedTenants: ReadonlySet<string> = NO_TENANTS): Verdict {
  const keyList: readonly Uint8Array[] = keys instanceof Uint8Array ? [keys] : keys;
  if (keyList.length === 0) throw new Error('no integrity key: refusing to validate records');
  if (bytes.length > MAX_RECORD_BYTES) return reject('oversized', `${bytes.length} bytes > ${MAX_RECORD_BYTES}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    return reject('malformed-json', (e as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return reject('not-an-object', typeof parsed);
  const rec = parsed as Record<string, unknown>;
  if (rec.v !== RECORD_VERSION) return reject('unsupported-version', `v=${JSON.stringify(rec.v)}`);
  if (rec.tenant === undefined || rec.tenant === null || rec.tenant === '') return reject('missing-tenant', 'no tenant field');
  const tenantProblem = TenantId.check(rec.tenant);
  if (tenantProblem) return reject('invalid-tenant', tenantProblem.message);
  const tenant = rec.tenant as string;
  if (typeof rec.ts !== 'string' || !TIMESTAMP_PATTERN.test(rec.ts)) return reject('malformed-envelope', 'ts is not an ISO-8601 UTC timestamp');
  if (typeof rec.type !== 'string' || rec.type.length > EVENT_TYPE_MAX_LENGTH || !EVENT_TYPE_PATTERN.test(rec.type)) {
    return reject('malformed-envelope', 'type is not an event type name');
  }
  if (typeof rec.body !== 'string') return reject('malformed-envelope', 'body is not a string');
  if (typeof rec.mac !== 'string' || rec.mac === '') return reject('missing-integrity', 'no mac field');
  // The tag binds tenant, ts, type and body together: changing any of them (a forged tenant, a
  // body moved to another tenant) breaks it. Checked before the body is parsed.
  const { ts, type, body: bodyText, mac } = rec;
  if (!keyList.some((key) => tagMatches(integrityTag(key, tenant, ts, type, bodyText), mac))) {
    return reject('integrity-mismatch', 'mac does not verify for this tenant and body');
  }
  if (refusedTenants.has(tenant)) return reject('tenant-offboarded', `tenant ${tenant} is retired or purged`);
  if (Buffer.byteLength(rec.body, 'utf8') > MAX_BODY_BYTES) return reject('oversized-body', `body > ${MAX_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(rec.body);
  } catch (e) {
    return reject('malformed-body', (e as Error).message);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return reject('malformed-body', 'body is not a JSON object');
  let foreign: string | undefined;
  try {
    foreign = foreignTenantField(body, tenant);
  } catch (e) {
    return reject('malformed-body', (e as Error).message);
  }
  if (foreign !== undefined) return reject('body-names-another-tenant', `field ${foreign} is not ${JSON.stringify(tenant)}`);
  return { ok: true, tenant: TenantId.parse(tenant), stored: { tenant, ts: rec.ts, type: rec.type, body: JSON.stringify(body) } };
}

export interface TransformReport {
  readonly result: FirehoseTransformationResult;
  /** Rejections by record, for the handler's structured log (no record content). */
  readonly rejected: ReadonlyArray<{ readonly recordId: string; readonly reason: RejectReason; readonly detail: string }>;
}

/** Transforms a Firehose batch. Never throws for a bad record; never returns `Dropped`. */
export function transformBatch(
  event: FirehoseTransformationEvent,
  keys: Uint8Array | readonly Uint8Array[],
  refusedTenants: ReadonlySet<string> = NO_TENANTS,
): TransformReport {
  const rejected: Array<{ recordId: string; reason: RejectReason; detail: string }> = [];
  const records = event.records.map((r): FirehoseTransformationResultRecord => {
    const verdict = validateRecord(Buffer.from(r.data, 'base64'), keys, refusedTenants);
    if (!verdict.ok) {
      rejected.push({ recordId: r.recordId, reason: verdict.reason, detail: verdict.detail });
      // The original bytes go to the error prefix untouched, for investigation and replay.
      return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
    }
    const line = `${JSON.stringify(verdict.stored)}\n`;
    return {
      recordId: r.recordId,
      result: 'Ok',
      data: Buffer.from(line, 'utf8').toString('base64'),
      metadata: { partitionKeys: { [PARTITION_KEY]: verdict.tenant.value } },
    };
  });
  return { result: { records }, rejected };
}
