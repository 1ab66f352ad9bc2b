/**
 * The analytics record wire format (v1): what the producer (lib/boundaries/analytics/runtime/analytics-producer.ts)
 * sends to the delivery stream and what the stream's transformation accepts. One module, read by
 * both sides, so the integrity rule cannot drift.
 *
 * A wire record is one JSON object:
 *
 *   {"v":1,"tenant":"acme","ts":"2026-01-02T03:04:05.678Z","type":"order.placed","body":"{...}","mac":"<hex>"}
 *
 * - `tenant` is stamped by the producer from a verified TenantContext, never by application code;
 * - `body` is the event's JSON text (a string, so the integrity tag covers exact bytes);
 * - `mac` = HMAC-SHA256(key, domain \n tenant \n ts \n type \n body), hex. Newlines separate the
 *   fields unambiguously: tenant, ts and type cannot contain one (each is checked against a
 *   pattern), and body comes last. The key is the stream's integrity secret (Secrets Manager),
 *   held by the producer's role and the transformation only.
 *
 * Pure: Node's `crypto` only, no AWS SDK.
 */
import { createHmac, timingSafeEqual } from 'crypto';

export const RECORD_VERSION = 1;

/** Domain separation: a MAC made for another purpose with the same key never verifies here. */
const MAC_DOMAIN = 'tenant-isolation-blueprint/analytics/v1';

/**
 * Largest event body (JSON text, UTF-8 bytes) the producer sends and the transformation accepts.
 * An analytics event is a fact, not a document: 64 KiB keeps every record far below Firehose's
 * 1,000 KiB record limit (Firehose Developer Guide, limits) and Lambda's 6 MB invocation payload.
 */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Largest wire record the transformation parses; anything larger is refused before JSON parsing.
 * Body + envelope; the body's JSON escaping can at most double its size (`"` -> `\"`), plus ~300
 * bytes of envelope.
 */
export const MAX_RECORD_BYTES = 2 * MAX_BODY_BYTES + 1024;

/** Event types: lowercase dotted names (`order.placed`), no newline, short enough for a column. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)*$/;
export const EVENT_TYPE_MAX_LENGTH = 64;

/** Timestamps as `Date.toISOString()` writes them (UTC, milliseconds). */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Deepest nesting of an event body that is scanned for tenant fields; deeper bodies are refused. */
export const MAX_BODY_DEPTH = 32;

/**
 * Names of fields inside an event body that claim a tenant, at any depth. If an event carries
 * one, its value must be the stamped tenant id (a string): an event of tenant A that names tenant
 * B mixes ids across accounts. Compared case-insensitively, ignoring `_` and `-` (`tenant_id`,
 * `tenantId`, `Tenant-ID`). Other identifiers (user ids, order ids) are the application's own.
 */
const TENANT_FIELD_NAMES = new Set(['tenant', 'tenantid']);

export function isTenantFieldName(name: string): boolean {
  return TENANT_FIELD_NAMES.has(name.toLowerCase().replace(/[_-]/g, ''));
}

export interface WireRecord {
  readonly v: typeof RECORD_VERSION;
  readonly tenant: string;
  readonly ts: string;
  readonly type: string;
  readonly body: string;
  readonly mac: string;
}

/** The integrity tag of a record: HMAC-SHA256 over the domain, tenant, timestamp, type and body. */
export function integrityTag(key: Uint8Array, tenant: string, ts: string, type: string, body: string): string {
  return createHmac('sha256', key).update([MAC_DOMAIN, tenant, ts, type, body].join('\n'), 'utf8').digest('hex');
}

/** Constant-time comparison of a presented tag with the expected one. */
export function tagMatches(expectedHex: string, presented: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(presented)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(presented, 'hex'));
}

/**
 * The first tenant-claiming field in `value` whose value differs from `tenant`, as a path
 * (`order.tenantId`), or undefined. Throws RangeError beyond MAX_BODY_DEPTH.
 */
export function foreignTenantField(value: unknown, tenant: string, path = '', depth = 0): string | undefined {
  if (depth > MAX_BODY_DEPTH) throw new RangeError(`event body nests deeper than ${MAX_BODY_DEPTH} levels`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = foreignTenantField(value[i], tenant, `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${k}` : k;
    // Any non-string (an object such as {"tenant":{"id":"globex"}}, a number, null) is refused too.
    if (isTenantFieldName(k) && v !== tenant) return here;
    const found = foreignTenantField(v, tenant, here, depth + 1);
    if (found) return found;
  }
  return undefined;
}
