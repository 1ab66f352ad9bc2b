/**
 * The analytics transformation, run locally against crafted records: each record's destination
 * (a tenant partition, or the error prefix with a named reason) and the exact Firehose result
 * shape (recordId, result, data, metadata.partitionKeys).
 */
import { createHmac } from 'crypto';
import { MAX_BODY_BYTES, MAX_RECORD_BYTES } from '../../../lib/core/analytics-record-format';
import { RejectReason, transformBatch, validateRecord } from '../../../lib/boundaries/analytics/analytics-transform/transform';
import { ATTACKER_KEY, batchOf, bytesOf, Envelope, signed, STREAM_KEY, TS } from './records';

type Expected = { partition: string } | { error: RejectReason };
interface Case {
  name: string;
  record: Envelope | string | Buffer;
  expected: Expected;
}

function nested(depth: number): object {
  let v: object = { leaf: true };
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

const acmeRecord = signed('acme');
const cases: Case[] = [
  // Valid records land in their own tenant's partition, including ids sharing leading letters.
  { name: 'valid record of acme', record: signed('acme'), expected: { partition: 'acme' } },
  { name: 'valid record of acme-corp (not acme)', record: signed('acme-corp'), expected: { partition: 'acme-corp' } },
  { name: 'valid record of acm', record: signed('acm'), expected: { partition: 'acm' } },
  { name: 'body naming its own tenant', record: signed('acme', { tenantId: 'acme', x: 1 }), expected: { partition: 'acme' } },
  { name: 'body exactly at the size limit', record: signed('acme', { pad: 'x'.repeat(MAX_BODY_BYTES - 10) }), expected: { partition: 'acme' } },

  // Missing tenant.
  { name: 'tenant field absent', record: { ...acmeRecord, tenant: undefined }, expected: { error: 'missing-tenant' } },
  { name: 'tenant empty string', record: { ...acmeRecord, tenant: '' }, expected: { error: 'missing-tenant' } },
  { name: 'tenant null', record: { ...acmeRecord, tenant: null }, expected: { error: 'missing-tenant' } },

  // Not a valid TenantId (each would build another S3 prefix or a reserved name).
  ...(['Acme', 'globex/', '../globex', 'acme/../globex', 'tenants/globex', 'acme.x', 'acme:x', 'default', 'ac', 'acme--x', 'acme-'] as const).map((t): Case => ({
    name: `tenant ${JSON.stringify(t)} is not a TenantId (even when signed)`,
    record: signed(t),
    expected: { error: 'invalid-tenant' },
  })),
  { name: 'tenant is a number', record: { ...acmeRecord, tenant: 123 }, expected: { error: 'invalid-tenant' } },
  { name: 'tenant is an array', record: { ...acmeRecord, tenant: ['globex'] }, expected: { error: 'invalid-tenant' } },

  // Forged tenant: the stamp does not match what the producer signed.
  { name: 'acme record re-labelled globex', record: { ...acmeRecord, tenant: 'globex' }, expected: { error: 'integrity-mismatch' } },
  { name: 'acme record re-labelled acme-corp (shared leading letters)', record: { ...acmeRecord, tenant: 'acme-corp' }, expected: { error: 'integrity-mismatch' } },
  {
    name: "acme's tag on a body moved from globex",
    record: { ...signed('globex', { orderId: 'g-9', amount: 7 }), tenant: 'acme', mac: acmeRecord.mac },
    expected: { error: 'integrity-mismatch' },
  },
  {
    name: 'acme record with its body replaced',
    record: { ...acmeRecord, body: JSON.stringify({ orderId: 'o-2', amount: 1 }) },
    expected: { error: 'integrity-mismatch' },
  },
  { name: 'acme record with its type replaced', record: { ...acmeRecord, type: 'order.refunded' }, expected: { error: 'integrity-mismatch' } },
  { name: 'globex record signed with a guessed key', record: signed('globex', {}, { key: ATTACKER_KEY }), expected: { error: 'integrity-mismatch' } },
  { name: 'mac of the right length but wrong', record: { ...acmeRecord, mac: 'f'.repeat(64) }, expected: { error: 'integrity-mismatch' } },
  { name: 'mac truncated', record: { ...acmeRecord, mac: (acmeRecord.mac as string).slice(0, 32) }, expected: { error: 'integrity-mismatch' } },
  { name: 'mac absent', record: { ...acmeRecord, mac: undefined }, expected: { error: 'missing-integrity' } },
  { name: 'mac empty', record: { ...acmeRecord, mac: '' }, expected: { error: 'missing-integrity' } },
  // Duplicate keys: JSON.parse keeps the last; the tag must verify for THAT tenant.
  {
    name: 'duplicate tenant keys, last one forged',
    record: JSON.stringify(acmeRecord).replace('"tenant":"acme"', '"tenant":"acme","tenant":"globex"'),
    expected: { error: 'integrity-mismatch' },
  },
  {
    name: 'duplicate tenant keys, last one genuine: lands with the signed tenant only',
    record: JSON.stringify(acmeRecord).replace('"tenant":"acme"', '"tenant":"globex","tenant":"acme"'),
    expected: { partition: 'acme' },
  },

  // The body names another tenant: an event mixing ids across accounts.
  { name: 'body tenantId of another tenant', record: signed('acme', { tenantId: 'globex' }), expected: { error: 'body-names-another-tenant' } },
  { name: 'body tenant_id of acme-corp in an acme event', record: signed('acme', { tenant_id: 'acme-corp' }), expected: { error: 'body-names-another-tenant' } },
  {
    name: 'nested body Tenant-ID of another tenant',
    record: signed('acme', { order: { lines: [{ 'Tenant-ID': 'globex' }] } }),
    expected: { error: 'body-names-another-tenant' },
  },
  { name: 'body tenant as an object', record: signed('acme', { tenant: { id: 'globex' } }), expected: { error: 'body-names-another-tenant' } },
  { name: 'body tenant null', record: signed('acme', { tenant: null }), expected: { error: 'body-names-another-tenant' } },

  // Malformed JSON and envelopes.
  { name: 'truncated JSON', record: '{"v":1,"tenant":"acme"', expected: { error: 'malformed-json' } },
  { name: 'empty record', record: '', expected: { error: 'malformed-json' } },
  { name: 'not UTF-8 / not JSON', record: Buffer.from([0xff, 0xfe, 0x00, 0x7b]), expected: { error: 'malformed-json' } },
  { name: 'plain text line', record: 'tenant=globex event=login', expected: { error: 'malformed-json' } },
  { name: 'JSON string', record: '"acme"', expected: { error: 'not-an-object' } },
  { name: 'JSON array', record: JSON.stringify([acmeRecord]), expected: { error: 'not-an-object' } },
  { name: 'JSON null', record: 'null', expected: { error: 'not-an-object' } },
  { name: 'unknown version', record: { ...acmeRecord, v: 2 }, expected: { error: 'unsupported-version' } },
  { name: 'version absent', record: { ...acmeRecord, v: undefined }, expected: { error: 'unsupported-version' } },
  { name: 'timestamp not ISO UTC', record: { ...acmeRecord, ts: '26/11/2026' }, expected: { error: 'malformed-envelope' } },
  { name: 'type with a newline', record: signed('acme', {}, { type: 'order\nplaced' }), expected: { error: 'malformed-envelope' } },
  { name: 'body not a string', record: { ...acmeRecord, body: { orderId: 'o-1' } }, expected: { error: 'malformed-envelope' } },
  { name: 'signed body that is not JSON', record: signed('acme', 'not json'), expected: { error: 'malformed-body' } },
  { name: 'signed body that is a JSON array', record: signed('acme', '[1,2]'), expected: { error: 'malformed-body' } },
  { name: 'signed body nested too deep', record: signed('acme', nested(40)), expected: { error: 'malformed-body' } },

  // Oversized.
  { name: 'record larger than the transform parses', record: '{"pad":"' + 'x'.repeat(MAX_RECORD_BYTES) + '"}', expected: { error: 'oversized' } },
  { name: 'signed body over the body limit', record: signed('acme', { pad: 'x'.repeat(MAX_BODY_BYTES) }), expected: { error: 'oversized-body' } },
];

describe('analytics transform: each crafted record reaches exactly one destination', () => {
  test(`the record table covers every reject reason (${cases.length} cases)`, () => {
    const reasons = new Set(cases.flatMap((c) => ('error' in c.expected ? [c.expected.error] : [])));
    const all: RejectReason[] = [
      'oversized',
      'malformed-json',
      'not-an-object',
      'unsupported-version',
      'missing-tenant',
      'invalid-tenant',
      'malformed-envelope',
      'missing-integrity',
      'integrity-mismatch',
      'oversized-body',
      'malformed-body',
      'body-names-another-tenant',
    ];
    expect([...reasons].sort()).toEqual([...all].sort());
  });

  test.each(cases)('$name', (c) => {
    const batch = batchOf([c.record]);
    const { result, rejected } = transformBatch(batch, STREAM_KEY);
    expect(result.records).toHaveLength(1);
    const out = result.records[0];
    expect(out.recordId).toBe('rec-0');
    if ('partition' in c.expected) {
      expect(rejected).toEqual([]);
      expect(out).toEqual({
        recordId: 'rec-0',
        result: 'Ok',
        data: expect.any(String),
        metadata: { partitionKeys: { tenant: c.expected.partition } },
      });
      const line = Buffer.from(out.data, 'base64').toString('utf8');
      expect(line.endsWith('\n')).toBe(true);
      const stored = JSON.parse(line);
      expect(Object.keys(stored)).toEqual(['tenant', 'ts', 'type', 'body']);
      expect(stored.tenant).toBe(c.expected.partition);
    } else {
      // Error prefix: ProcessingFailed, original bytes untouched, no partition key at all.
      expect(out).toEqual({ recordId: 'rec-0', result: 'ProcessingFailed', data: batch.records[0].data });
      expect(rejected).toEqual([{ recordId: 'rec-0', reason: c.expected.error, detail: expect.any(String) }]);
    }
  });
});

describe('analytics transform: batches', () => {
  test('a mixed batch keeps order and ids, never returns Dropped, and partitions only verified records', () => {
    const records = cases.map((c) => c.record);
    const batch = batchOf(records);
    const { result, rejected } = transformBatch(batch, STREAM_KEY);
    expect(result.records.map((r) => r.recordId)).toEqual(batch.records.map((r) => r.recordId));
    expect(result.records.map((r) => r.result).filter((r) => r !== 'Ok' && r !== 'ProcessingFailed')).toEqual([]);
    const ok = result.records.filter((r) => r.result === 'Ok');
    expect(ok).toHaveLength(cases.filter((c) => 'partition' in c.expected).length);
    expect(rejected).toHaveLength(cases.length - ok.length);
    for (const r of ok) {
      if (r.result !== 'Ok') throw new Error('unreachable');
      const stored = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
      expect(stored.tenant).toBe(r.metadata.partitionKeys.tenant);
    }
  });

  test('the partition key comes from the verified tenant, not from the body', () => {
    const v = validateRecord(bytesOf(signed('acme', { note: 'tenant globex mentioned in text is fine' })), STREAM_KEY);
    expect(v.ok && v.tenant.value).toBe('acme');
  });

  test('the stored body is re-serialized: duplicate keys inside the body do not survive', () => {
    const body = '{"tenantId":"globex","tenantId":"acme","n":1}';
    const v = validateRecord(bytesOf(signed('acme', body)), STREAM_KEY);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.stored.body).toBe('{"tenantId":"acme","n":1}');
  });

  test('the integrity tag is HMAC-SHA256 over domain, tenant, ts, type and body (a pinned vector)', () => {
    const expected = createHmac('sha256', STREAM_KEY).update(['tenant-isolation-blueprint/analytics/v1', 'acme', TS, 'order.placed', '{"a":1}'].join('\n')).digest('hex');
    expect(signed('acme', { a: 1 }).mac).toBe(expected);
  });
});
