/**
 * The producer side: events are stamped with the tenant of a verified TenantContext and tagged,
 * application code cannot choose or change the tenant, and what the producer emits is what the
 * stream's transformation partitions (end to end, locally). Also the tenant-carrying logger.
 */
import { validateRecord } from '../../../../lib/boundaries/analytics/analytics-transform/transform';
import { MAX_BODY_BYTES } from '../../../../lib/core/analytics-record-format';
import { AnalyticsEventError, AnalyticsProducer, MAX_BATCH_RECORDS } from '../../../../lib/boundaries/analytics/runtime/analytics-producer';
import { TenantContextRequiredError } from '../../../../lib/boundaries/identity/runtime/errors';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { TenantLogFieldError, tenantLogger } from '../../../../lib/boundaries/analytics/runtime/tenant-log';
import { TenantId } from '../../../../lib/core/tenant-id';
import { newTestIssuer, TestIssuer } from '../../../helpers/token-issuer';
import { STREAM_KEY } from '../records';

/** Stands in for Firehose PutRecordBatch: records what would have been sent. */
class RecordingFirehoseDouble {
  public readonly calls: Uint8Array[][] = [];
  async putRecords(records: readonly Uint8Array[]): Promise<void> {
    this.calls.push([...records]);
  }
  get records(): Uint8Array[] {
    return this.calls.flat();
  }
}

const NOW = new Date('2026-11-26T09:30:00.000Z');
let issuer: TestIssuer;
let acme: TenantContext;
let acmeCorp: TenantContext;

beforeAll(async () => {
  issuer = await newTestIssuer();
  acme = await issuer.context('acme');
  acmeCorp = await issuer.context('acme-corp');
});

function producer(sink = new RecordingFirehoseDouble()) {
  return { sink, p: new AnalyticsProducer({ key: STREAM_KEY, sink, now: () => NOW }) };
}

describe('AnalyticsProducer stamps the verified tenant', () => {
  test('a recorded event reaches the transformation and lands in the context tenant partition', async () => {
    const { sink, p } = producer();
    await p.record(acme, 'order.placed', { orderId: 'o-1', amount: 42 });
    expect(sink.records).toHaveLength(1);
    const wire = JSON.parse(Buffer.from(sink.records[0]).toString('utf8'));
    expect(Object.keys(wire)).toEqual(['v', 'tenant', 'ts', 'type', 'body', 'mac']);
    expect(wire).toMatchObject({ v: 1, tenant: 'acme', ts: NOW.toISOString(), type: 'order.placed', body: '{"orderId":"o-1","amount":42}' });
    const verdict = validateRecord(sink.records[0], STREAM_KEY);
    expect(verdict.ok && verdict.tenant.value).toBe('acme');
  });

  test('acme-corp events land in acme-corp, not acme', async () => {
    const { sink, p } = producer();
    await p.record(acmeCorp, 'login', {});
    const verdict = validateRecord(sink.records[0], STREAM_KEY);
    expect(verdict.ok && verdict.tenant.value).toBe('acme-corp');
  });

  test('re-labelling an encoded record afterwards sends it to the error prefix', () => {
    const { p } = producer();
    const wire = JSON.parse(Buffer.from(p.encode(acme, 'order.placed', { n: 1 })).toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...wire, tenant: 'acme-corp' }));
    expect(validateRecord(forged, STREAM_KEY)).toMatchObject({ ok: false, reason: 'integrity-mismatch' });
  });

  test('records signed by a producer holding another key are refused by the stream', () => {
    const rogue = new AnalyticsProducer({ key: Buffer.from('a-rogue-producer-key-that-is-long-enough!!'), sink: new RecordingFirehoseDouble() });
    expect(validateRecord(rogue.encode(acme, 'x', {}), STREAM_KEY)).toMatchObject({ ok: false, reason: 'integrity-mismatch' });
  });
});

describe('application code cannot choose the tenant', () => {
  const notContexts: Array<[string, () => unknown]> = [
    ['a plain object with a TenantId', () => ({ tenant: TenantId.parse('globex') })],
    ['a string', () => 'globex'],
    ['an object made from the prototype', () => Object.create(TenantContext.prototype)],
    ['a JSON round trip of a real context', () => JSON.parse(JSON.stringify(acme))],
    ['undefined', () => undefined],
  ];
  test.each(notContexts)('%s is refused and nothing is sent', async (_name, make) => {
    const { sink, p } = producer();
    await expect(p.record(make() as TenantContext, 'login', {})).rejects.toBeInstanceOf(TenantContextRequiredError);
    expect(sink.calls).toEqual([]);
  });

  const refused: Array<[string, string, Record<string, unknown>, string]> = [
    ['a body naming another tenant', 'order.placed', { tenantId: 'globex' }, 'body-names-another-tenant'],
    ['a body naming a tenant with shared leading letters', 'order.placed', { tenant_id: 'acme-corp' }, 'body-names-another-tenant'],
    ['a nested tenant field', 'order.placed', { order: { tenant: { id: 'globex' } } }, 'body-names-another-tenant'],
    ['a toJSON that injects another tenant', 'order.placed', { x: { toJSON: () => ({ tenantId: 'globex' }) } }, 'body-names-another-tenant'],
    ['an oversized body', 'order.placed', { pad: 'x'.repeat(MAX_BODY_BYTES) }, 'body-too-large'],
    ['a BigInt', 'order.placed', { n: BigInt(1) }, 'body-not-json'],
    ['an event type with a newline', 'order\nplaced', {}, 'type-invalid'],
    ['an event type with a slash', '../globex', {}, 'type-invalid'],
  ];
  test.each(refused)('%s is refused before sending', async (_name, type, props, code) => {
    const { sink, p } = producer();
    const err = await p.record(acme, type, props).catch((e) => e);
    expect(err).toBeInstanceOf(AnalyticsEventError);
    expect(err.code).toBe(code);
    expect(sink.calls).toEqual([]);
  });

  test('a body naming its own tenant is fine', async () => {
    const { sink, p } = producer();
    await p.record(acme, 'order.placed', { tenantId: 'acme' });
    expect(sink.records).toHaveLength(1);
  });

  test('recordAll is all or nothing, and batches within PutRecordBatch limits', async () => {
    const { sink, p } = producer();
    await expect(
      p.recordAll(acme, [
        { type: 'a', properties: {} },
        { type: 'b', properties: { tenantId: 'globex' } },
      ]),
    ).rejects.toBeInstanceOf(AnalyticsEventError);
    expect(sink.calls).toEqual([]);
    await p.recordAll(
      acme,
      Array.from({ length: MAX_BATCH_RECORDS + 1 }, (_, i) => ({ type: 'tick', properties: { i } })),
    );
    expect(sink.calls.map((c) => c.length)).toEqual([MAX_BATCH_RECORDS, 1]);
    // 80 events of ~60 KiB: 4 MiB per call holds fewer than 70 of them, so they need two calls.
    const big = Array.from({ length: 80 }, () => ({ type: 'blob', properties: { pad: 'x'.repeat(60 * 1024) } }));
    const { sink: s2, p: p2 } = producer();
    await p2.recordAll(acme, big);
    for (const call of s2.calls) expect(call.reduce((n, r) => n + r.length, 0)).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(s2.records).toHaveLength(80);
    expect(s2.calls.length).toBeGreaterThanOrEqual(2);
  });

  test('a short key is refused', () => {
    expect(() => new AnalyticsProducer({ key: Buffer.from('short'), sink: new RecordingFirehoseDouble() })).toThrow(/at least 32 bytes/);
  });
});

describe('tenantLogger: logs and metrics carry the tenant from the context', () => {
  function logger(ctx: TenantContext) {
    const lines: string[] = [];
    return { lines, log: tenantLogger(ctx, { service: 'orders', sink: (l) => void lines.push(l), now: () => NOW }) };
  }

  test('every line has the context tenant, stamped last', () => {
    const { lines, log } = logger(acme);
    log.info('order placed', { orderId: 'o-1' });
    log.error('payment failed', { code: 'E42' });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { orderId: 'o-1', time: NOW.toISOString(), level: 'info', service: 'orders', message: 'order placed', tenant: 'acme' },
      { code: 'E42', time: NOW.toISOString(), level: 'error', service: 'orders', message: 'payment failed', tenant: 'acme' },
    ]);
  });

  test('metrics are EMF lines with the TenantId dimension', () => {
    const { lines, log } = logger(acmeCorp);
    log.metric('OrdersPlaced', 3);
    expect(JSON.parse(lines[0])).toEqual({
      _aws: {
        Timestamp: NOW.getTime(),
        CloudWatchMetrics: [{ Namespace: 'TenantIsolation/App', Dimensions: [['TenantId'], ['Service']], Metrics: [{ Name: 'OrdersPlaced', Unit: 'Count' }] }],
      },
      TenantId: 'acme-corp',
      Service: 'orders',
      OrdersPlaced: 3,
      time: NOW.toISOString(),
      level: 'metric',
      service: 'orders',
      tenant: 'acme-corp',
    });
  });

  test.each([[{ tenant: 'globex' }], [{ TenantId: 'globex' }], [{ level: 'debug' }], [{ _aws: {} }], [{ request: { tenantId: 'acme-corp' } }]])(
    'fields %j cannot relabel or mix tenants',
    (fields) => {
      const { lines, log } = logger(acme);
      expect(() => log.info('x', fields)).toThrow(TenantLogFieldError);
      expect(() => log.metric('M', 1, 'Count', fields)).toThrow(TenantLogFieldError);
      expect(lines).toEqual([]);
    },
  );

  test('a logger needs a real TenantContext', () => {
    expect(() => tenantLogger({ tenant: TenantId.parse('globex') } as unknown as TenantContext, { service: 's' })).toThrow(TenantContextRequiredError);
  });
});
