/**
 * AnalyticsProducer: the only way application code emits analytics events.
 *
 * The caller passes a TenantContext (minted by TenantTokenVerifier from a verified token) and an
 * event; the producer stamps the tenant itself from `ctx.tenant` and adds the integrity tag that
 * binds tenant, time, type and body together (wire format: lib/boundaries/analytics/analytics-transform/
 * record-format.ts). There is no parameter through which application code could choose a tenant.
 * The stream's transformation re-checks everything and sends any record whose tenant is missing,
 * invalid or does not match its tag to the error prefix (never to a tenant partition).
 *
 * Refused before anything is sent (AnalyticsEventError with a stable `code`): an event that names
 * another tenant anywhere in its body, a body over MAX_BODY_BYTES, a body that is not a JSON
 * object, an invalid event type.
 *
 * The integrity key is the stream's secret (`<qualifier>/analytics/integrity-key` in Secrets
 * Manager): the broker role reads it at startup; tenant sessions (TenantAccessRole) are denied.
 * Transport is the caller's: `sink.putRecords` wraps Firehose PutRecordBatch (docs/analytics.md),
 * so this module carries no AWS SDK dependency.
 */
import {
  EVENT_TYPE_MAX_LENGTH,
  EVENT_TYPE_PATTERN,
  foreignTenantField,
  integrityTag,
  MAX_BODY_BYTES,
  RECORD_VERSION,
  WireRecord,
} from '../../../core/analytics-record-format';
import { assertTenantContext, TenantContext } from '../../identity/runtime/tenant-context';

export type AnalyticsEventErrorCode = 'type-invalid' | 'body-not-object' | 'body-not-json' | 'body-too-large' | 'body-names-another-tenant';

/** An event was refused before it was sent. */
export class AnalyticsEventError extends Error {
  public readonly code: AnalyticsEventErrorCode;
  constructor(code: AnalyticsEventErrorCode, message: string) {
    super(`${message} (code: ${code})`);
    this.name = 'AnalyticsEventError';
    this.code = code;
  }
}

/** Where encoded records go: Firehose PutRecordBatch in production, a recorder in tests. */
export interface AnalyticsRecordSink {
  /** Must throw when any record was not accepted (PutRecordBatch reports FailedPutCount). */
  putRecords(records: readonly Uint8Array[]): Promise<void>;
}

export interface AnalyticsProducerProps {
  /** The stream's integrity key (the SecretString of the integrity secret, as bytes). */
  readonly key: Uint8Array;
  readonly sink: AnalyticsRecordSink;
  /** Clock for tests. @default () => new Date() */
  readonly now?: () => Date;
}

/** PutRecordBatch limits (Firehose API reference, PutRecordBatch): 500 records and 4 MiB per call. */
export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export class AnalyticsProducer {
  private readonly key: Uint8Array;
  private readonly sink: AnalyticsRecordSink;
  private readonly now: () => Date;

  constructor(props: AnalyticsProducerProps) {
    if (!(props.key instanceof Uint8Array) || props.key.length < 32) {
      throw new Error('AnalyticsProducer: key must be at least 32 bytes (the integrity secret)');
    }
    this.key = Uint8Array.from(props.key);
    this.sink = props.sink;
    this.now = props.now ?? (() => new Date());
  }

  /**
   * Encodes one event of the context's tenant as wire-record bytes (stamped and tagged).
   * Throws AnalyticsEventError or TenantContextRequiredError; never returns a record of another tenant.
   */
  public encode(ctx: TenantContext, type: string, properties: Readonly<Record<string, unknown>>): Uint8Array {
    assertTenantContext(ctx, 'AnalyticsProducer.encode');
    const tenant = ctx.tenant.value;
    if (typeof type !== 'string' || type.length > EVENT_TYPE_MAX_LENGTH || !EVENT_TYPE_PATTERN.test(type)) {
      throw new AnalyticsEventError('type-invalid', `event type ${JSON.stringify(type)} must match ${EVENT_TYPE_PATTERN} (at most ${EVENT_TYPE_MAX_LENGTH} characters)`);
    }
    if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) {
      throw new AnalyticsEventError('body-not-object', 'event properties must be a plain object');
    }
    let body: string;
    try {
      body = JSON.stringify(properties);
    } catch (e) {
      throw new AnalyticsEventError('body-not-json', `event properties are not JSON-serializable: ${(e as Error).message}`);
    }
    if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
      throw new AnalyticsEventError('body-too-large', `event body is ${Buffer.byteLength(body, 'utf8')} bytes, more than ${MAX_BODY_BYTES}`);
    }
    // Check what will be sent (after JSON serialization: toJSON methods included).
    let foreign: string | undefined;
    try {
      foreign = foreignTenantField(JSON.parse(body), tenant);
    } catch (e) {
      throw new AnalyticsEventError('body-not-json', (e as Error).message);
    }
    if (foreign !== undefined) {
      throw new AnalyticsEventError('body-names-another-tenant', `field ${foreign} of a ${tenant} event must be ${JSON.stringify(tenant)}`);
    }
    const ts = this.now().toISOString();
    const record: WireRecord = { v: RECORD_VERSION, tenant, ts, type, body, mac: integrityTag(this.key, tenant, ts, type, body) };
    return Buffer.from(JSON.stringify(record), 'utf8');
  }

  /** Encodes and sends one event. */
  public async record(ctx: TenantContext, type: string, properties: Readonly<Record<string, unknown>>): Promise<void> {
    await this.sink.putRecords([this.encode(ctx, type, properties)]);
  }

  /** Encodes every event first (all or nothing), then sends them in batches within PutRecordBatch limits. */
  public async recordAll(ctx: TenantContext, events: ReadonlyArray<{ type: string; properties: Readonly<Record<string, unknown>> }>): Promise<void> {
    const encoded = events.map((e) => this.encode(ctx, e.type, e.properties));
    let batch: Uint8Array[] = [];
    let bytes = 0;
    for (const record of encoded) {
      if (batch.length === MAX_BATCH_RECORDS || (batch.length > 0 && bytes + record.length > MAX_BATCH_BYTES)) {
        await this.sink.putRecords(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(record);
      bytes += record.length;
    }
    if (batch.length > 0) await this.sink.putRecords(batch);
  }
}
