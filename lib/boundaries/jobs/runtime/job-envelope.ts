/**
 * The job envelope: the contract every message on a tenant's jobs queue carries.
 *
 * ```json
 * { "v": 1, "tenantId": "acme", "type": "invoice.render", "id": "5f0c...", "time": "2026-11-26T09:00:00.000Z", "payload": { ... } }
 * ```
 *
 * - `v`        envelope version, the number 1.
 * - `tenantId` the tenant the job belongs to: a valid TenantId, and equal to the queue's tenant.
 * - `type`     what to do, lowercase words joined by `.`, `_` or `-` (at most 100 characters).
 * - `id`       unique job id, 1-128 of `[A-Za-z0-9_-]` (a UUID by default); use it for idempotency.
 * - `time`     when the job was created, ISO-8601 UTC (`...Z`).
 * - `payload`  any JSON value; data only. Delivery targets and secrets never come from it
 *              (webhook-delivery.ts looks them up by the envelope's tenant).
 * No other top-level field is accepted, so nothing can be smuggled next to the contract.
 *
 * Workers call `parseJobMessage(body, queueTenant)` on every received message and act only on
 * what it returns. It refuses, with a JobEnvelopeError naming the reason and without acting on
 * anything: a body over the SQS limit, bad JSON, a non-object, a wrong version, a missing, invalid
 * or foreign tenant, and missing, malformed or unknown fields. The queue's tenant comes from the
 * worker's own configuration (its stack), never from the message. A refused message should be left
 * to go to the dead-letter queue (or deleted and logged), never processed.
 *
 * Message attributes are metadata, not an authorization boundary: the tenant is read from the
 * body only. No aws-cdk-lib import: this module runs in workers.
 */
import { randomUUID } from 'crypto';
import { TenantId } from '../../../core/tenant-id';

export const JOB_ENVELOPE_VERSION = 1;
/** SQS message size limit used for envelopes: 256 KiB of UTF-8 body (SQS quotas, messages). */
export const MAX_JOB_MESSAGE_BYTES = 262_144;

const TYPE_PATTERN = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const FIELDS = ['v', 'tenantId', 'type', 'id', 'time', 'payload'] as const;

export interface JobEnvelope<P = unknown> {
  readonly v: typeof JOB_ENVELOPE_VERSION;
  readonly tenantId: TenantId;
  readonly type: string;
  readonly id: string;
  readonly time: string;
  readonly payload: P;
}

/** Why a message was refused; stable identifiers for tests, logs and metrics. */
export type JobEnvelopeRefusal =
  | 'oversized'
  | 'not-a-string'
  | 'malformed-json'
  | 'not-an-object'
  | 'unsupported-version'
  | 'missing-field'
  | 'unknown-field'
  | 'invalid-field'
  | 'invalid-tenant'
  | 'tenant-mismatch';

export class JobEnvelopeError extends Error {
  constructor(
    public readonly reason: JobEnvelopeRefusal,
    detail: string,
  ) {
    super(`job message refused (${reason}): ${detail}`);
    this.name = 'JobEnvelopeError';
  }
}

export interface NewJob<P> {
  readonly type: string;
  readonly payload: P;
  /** @default a random UUID */
  readonly id?: string;
  /** @default now */
  readonly time?: Date;
}

/** Builds the SQS message body of a job for `tenant`. Throws a JobEnvelopeError for bad input. */
export function buildJobMessage<P>(tenant: TenantId, job: NewJob<P>): string {
  if (!(tenant instanceof TenantId)) {
    throw new JobEnvelopeError('invalid-tenant', 'buildJobMessage takes a parsed TenantId, not a raw value');
  }
  const envelope = {
    v: JOB_ENVELOPE_VERSION,
    tenantId: tenant.value,
    type: job.type,
    id: job.id ?? randomUUID(),
    time: (job.time ?? new Date()).toISOString(),
    payload: job.payload,
  };
  checkFields(envelope);
  if (job.payload === undefined) throw new JobEnvelopeError('missing-field', '"payload" is required (use null for none)');
  const body = JSON.stringify(envelope);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_JOB_MESSAGE_BYTES) {
    throw new JobEnvelopeError(
      'oversized',
      `message is ${bytes} bytes; the SQS limit is ${MAX_JOB_MESSAGE_BYTES} (put large data in the tenant's S3 prefix and send its key)`,
    );
  }
  return body;
}

/**
 * Parses a received message body for a worker of `queueTenant`'s queue. Returns the envelope only
 * when every check passes; otherwise throws a JobEnvelopeError and the caller must not act.
 */
export function parseJobMessage(body: unknown, queueTenant: TenantId): JobEnvelope {
  if (!(queueTenant instanceof TenantId)) {
    throw new JobEnvelopeError('invalid-tenant', "the queue's tenant must be a parsed TenantId (from the worker's configuration)");
  }
  if (typeof body !== 'string') throw new JobEnvelopeError('not-a-string', `body is ${body === null ? 'null' : typeof body}`);
  // Measured before parsing: an oversized body is never parsed.
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_JOB_MESSAGE_BYTES) throw new JobEnvelopeError('oversized', `body is ${bytes} bytes; the limit is ${MAX_JOB_MESSAGE_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    throw new JobEnvelopeError('malformed-json', (e as Error).message);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new JobEnvelopeError('not-an-object', `top level is ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`);
  }
  const obj = raw as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(obj, 'v')) throw new JobEnvelopeError('missing-field', '"v" is required');
  if (obj.v !== JOB_ENVELOPE_VERSION) throw new JobEnvelopeError('unsupported-version', `"v" is ${JSON.stringify(obj.v)}; this worker reads ${JOB_ENVELOPE_VERSION}`);

  // The tenant first: a foreign or missing tenant is the refusal that matters most.
  if (!Object.prototype.hasOwnProperty.call(obj, 'tenantId')) throw new JobEnvelopeError('missing-field', '"tenantId" is required');
  const problem = TenantId.check(obj.tenantId);
  if (problem) throw new JobEnvelopeError('invalid-tenant', problem.message);
  const tenant = TenantId.parse(obj.tenantId);
  if (!tenant.equals(queueTenant)) {
    throw new JobEnvelopeError('tenant-mismatch', `envelope tenant "${tenant.value}" is not this queue's tenant "${queueTenant.value}"`);
  }

  const unknown = Object.keys(obj).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new JobEnvelopeError('unknown-field', `unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  for (const field of FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(obj, field)) throw new JobEnvelopeError('missing-field', `"${field}" is required`);
  }
  checkFields(obj);
  return Object.freeze({
    v: JOB_ENVELOPE_VERSION,
    tenantId: tenant,
    type: obj.type as string,
    id: obj.id as string,
    time: obj.time as string,
    payload: obj.payload,
  });
}

function checkFields(obj: Record<string, unknown>): void {
  if (typeof obj.type !== 'string' || obj.type.length > 100 || !TYPE_PATTERN.test(obj.type)) {
    throw new JobEnvelopeError('invalid-field', `"type" ${JSON.stringify(obj.type)} must be lowercase words joined by . _ or - (at most 100 characters)`);
  }
  if (typeof obj.id !== 'string' || !ID_PATTERN.test(obj.id)) {
    throw new JobEnvelopeError('invalid-field', `"id" ${JSON.stringify(obj.id)} must be 1-128 of [A-Za-z0-9_-]`);
  }
  if (typeof obj.time !== 'string' || !TIME_PATTERN.test(obj.time) || Number.isNaN(Date.parse(obj.time))) {
    throw new JobEnvelopeError('invalid-field', `"time" ${JSON.stringify(obj.time)} must be an ISO-8601 UTC timestamp ending in Z`);
  }
}
