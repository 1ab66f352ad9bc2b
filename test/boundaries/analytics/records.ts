/**
 * Test support: crafted analytics wire records (valid, forged, malformed) and Firehose batches.
 */
import { integrityTag, RECORD_VERSION } from '../../../lib/core/analytics-record-format';
import { FirehoseTransformationEvent } from '../../../lib/boundaries/analytics/analytics-transform/transform';

export const STREAM_KEY = Buffer.from('0123456789abcdef0123456789abcdef-test-stream-key', 'utf8');
export const ATTACKER_KEY = Buffer.from('not-the-stream-key-but-a-guess-of-the-attacker', 'utf8');
export const TS = '2026-11-26T09:00:00.000Z';

export interface Envelope {
  v?: unknown;
  tenant?: unknown;
  ts?: unknown;
  type?: unknown;
  body?: unknown;
  mac?: unknown;
}

/** A record signed for `tenant` (with `key`), then optionally altered by `patch`. */
export function signed(tenant: string, body: object | string = { orderId: 'o-1', amount: 42 }, opts: { key?: Buffer; type?: string; patch?: Envelope } = {}): Envelope {
  const bodyText = typeof body === 'string' ? body : JSON.stringify(body);
  const type = opts.type ?? 'order.placed';
  const mac = integrityTag(opts.key ?? STREAM_KEY, tenant, TS, type, bodyText);
  return { v: RECORD_VERSION, tenant, ts: TS, type, body: bodyText, mac, ...(opts.patch ?? {}) };
}

export function bytesOf(record: Envelope | string | Buffer): Buffer {
  if (Buffer.isBuffer(record)) return record;
  return Buffer.from(typeof record === 'string' ? record : JSON.stringify(record), 'utf8');
}

export function batchOf(records: Array<Envelope | string | Buffer>): FirehoseTransformationEvent {
  return {
    invocationId: 'inv-1',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/test',
    region: 'eu-west-1',
    records: records.map((r, i) => ({ recordId: `rec-${i}`, approximateArrivalTimestamp: 1764147600000, data: bytesOf(r).toString('base64') })),
  };
}
