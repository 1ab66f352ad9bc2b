/**
 * The job envelope and webhook delivery helpers: forged, foreign and malformed messages are
 * refused with the specific reason, and a payload never chooses where a webhook goes.
 */
import {
  buildJobMessage,
  JobEnvelope,
  JobEnvelopeError,
  JobEnvelopeRefusal,
  MAX_JOB_MESSAGE_BYTES,
  parseJobMessage,
} from '../../../../lib/boundaries/jobs/runtime/job-envelope';
import { prepareWebhookDelivery, WebhookDeliveryError, WebhookEndpoint, webhookSignature } from '../../../../lib/boundaries/jobs/runtime/webhook-delivery';
import { TenantId } from '../../../../lib/core/tenant-id';

const acme = TenantId.parse('acme');
const acmeCorp = TenantId.parse('acme-corp');
const FIXED = new Date('2026-11-26T09:00:00.000Z');

function refusal(fn: () => unknown): JobEnvelopeRefusal {
  try {
    fn();
  } catch (e) {
    if (e instanceof JobEnvelopeError) return e.reason;
    throw e;
  }
  throw new Error('expected a JobEnvelopeError, but the message was accepted');
}

const valid = { v: 1, tenantId: 'acme', type: 'invoice.render', id: 'job-1', time: '2026-11-26T09:00:00.000Z', payload: { invoice: 42 } };
const body = (over: Record<string, unknown>, drop: string[] = []) => {
  const o: Record<string, unknown> = { ...valid, ...over };
  for (const k of drop) delete o[k];
  return JSON.stringify(o);
};

describe('buildJobMessage / parseJobMessage round trip', () => {
  test("a message built for acme parses on acme's queue with every field intact", () => {
    const msg = buildJobMessage(acme, { type: 'invoice.render', payload: { invoice: 42, note: 'ünïcode' }, id: 'job-1', time: FIXED });
    const env = parseJobMessage(msg, acme);
    expect(env.tenantId.equals(acme)).toBe(true);
    expect(env).toMatchObject({ v: 1, type: 'invoice.render', id: 'job-1', time: '2026-11-26T09:00:00.000Z', payload: { invoice: 42, note: 'ünïcode' } });
    expect(Object.isFrozen(env)).toBe(true);
  });

  test('defaults: a UUID id and the current time', () => {
    const env = parseJobMessage(buildJobMessage(acme, { type: 'x', payload: null }), acme);
    expect(env.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.now() - Date.parse(env.time)).toBeLessThan(60_000);
  });

  test('build refuses a raw string tenant, a bad type, a missing payload and an oversized body', () => {
    expect(refusal(() => buildJobMessage('acme' as unknown as TenantId, { type: 'x', payload: 1 }))).toBe('invalid-tenant');
    expect(refusal(() => buildJobMessage(acme, { type: 'Invoice Render', payload: 1 }))).toBe('invalid-field');
    expect(refusal(() => buildJobMessage(acme, { type: 'x', payload: undefined }))).toBe('missing-field');
    expect(refusal(() => buildJobMessage(acme, { type: 'x', payload: 'a'.repeat(MAX_JOB_MESSAGE_BYTES) }))).toBe('oversized');
  });

  test('the size limit counts UTF-8 bytes, not characters', () => {
    const overhead = buildJobMessage(acme, { type: 'x', payload: '', id: 'i', time: FIXED }).length;
    const fits = 'a'.repeat(MAX_JOB_MESSAGE_BYTES - overhead);
    expect(() => buildJobMessage(acme, { type: 'x', payload: fits, id: 'i', time: FIXED })).not.toThrow();
    // 'é' is 2 bytes: half as many characters already exceed the limit.
    const multibyte = 'é'.repeat(Math.ceil((MAX_JOB_MESSAGE_BYTES - overhead) / 2) + 1);
    expect(refusal(() => buildJobMessage(acme, { type: 'x', payload: multibyte, id: 'i', time: FIXED }))).toBe('oversized');
  });
});

describe('a worker refuses foreign, forged and malformed messages', () => {
  const cases: Array<[string, unknown, JobEnvelopeRefusal]> = [
    ["acme-corp's job delivered to acme's queue", buildJobMessage(acmeCorp, { type: 'x', payload: 1 }), 'tenant-mismatch'],
    ['a forged envelope naming acme-corp', body({ tenantId: 'acme-corp' }), 'tenant-mismatch'],
    ['a prefix of the queue tenant (acm)', body({ tenantId: 'acm' }), 'tenant-mismatch'],
    ['tenant in another case (ACME)', body({ tenantId: 'ACME' }), 'invalid-tenant'],
    ['tenant with a delimiter (acme/x)', body({ tenantId: 'acme/x' }), 'invalid-tenant'],
    ['tenant with trailing space', body({ tenantId: 'acme ' }), 'invalid-tenant'],
    ['tenant as an object', body({ tenantId: { value: 'acme' } }), 'invalid-tenant'],
    ['tenant as an array', body({ tenantId: ['acme'] }), 'invalid-tenant'],
    ['tenant null', body({ tenantId: null }), 'invalid-tenant'],
    ['reserved word as tenant', body({ tenantId: 'admin' }), 'invalid-tenant'],
    ['tenant missing', body({}, ['tenantId']), 'missing-field'],
    ['tenant in a second, camel-cased field', body({ tenantID: 'acme-corp' }), 'unknown-field'],
    ['a smuggled top-level webhookUrl', body({ webhookUrl: 'https://evil.example/' }), 'unknown-field'],
    [
      '__proto__ smuggling',
      '{"v":1,"tenantId":"acme","type":"x","id":"i","time":"2026-11-26T09:00:00Z","payload":1,"__proto__":{"tenantId":"acme-corp"}}',
      'unknown-field',
    ],
    ['bad JSON', '{"v":1,"tenantId":"acme",', 'malformed-json'],
    ['empty body', '', 'malformed-json'],
    ['JSON array', '[{"v":1,"tenantId":"acme"}]', 'not-an-object'],
    ['JSON string', '"acme"', 'not-an-object'],
    ['JSON null', 'null', 'not-an-object'],
    ['a non-string body', { v: 1, tenantId: 'acme' }, 'not-a-string'],
    ['version 2', body({ v: 2 }), 'unsupported-version'],
    ['version "1" as a string', body({ v: '1' }), 'unsupported-version'],
    ['version missing', body({}, ['v']), 'missing-field'],
    ['type missing', body({}, ['type']), 'missing-field'],
    ['id missing', body({}, ['id']), 'missing-field'],
    ['time missing', body({}, ['time']), 'missing-field'],
    ['payload missing', body({}, ['payload']), 'missing-field'],
    ['type with spaces', body({ type: 'drop tables' }), 'invalid-field'],
    ['id with a slash', body({ id: '../x' }), 'invalid-field'],
    ['time not UTC', body({ time: '2026-11-26T09:00:00+02:00' }), 'invalid-field'],
    ['time not a date', body({ time: '2026-13-45T99:00:00Z' }), 'invalid-field'],
    ['oversized body (not parsed)', `{"v":1,"tenantId":"acme","payload":"${'a'.repeat(MAX_JOB_MESSAGE_BYTES)}"}`, 'oversized'],
  ];
  test(`the table covers ${cases.length} cases`, () => expect(cases.length).toBeGreaterThanOrEqual(30));
  test.each(cases.map(([name, msg, reason]) => ({ name, msg, reason })))('$name -> $reason', ({ msg, reason }) => {
    expect(refusal(() => parseJobMessage(msg, acme))).toBe(reason);
  });

  test('the queue tenant must be a parsed TenantId, not a string from the message', () => {
    expect(refusal(() => parseJobMessage(body({}), 'acme' as unknown as TenantId))).toBe('invalid-tenant');
  });

  test('a refusal says which tenant was expected and which was found', () => {
    expect(() => parseJobMessage(body({ tenantId: 'acme-corp' }), acme)).toThrow(/envelope tenant "acme-corp" is not this queue's tenant "acme"/);
  });

  test('the worker does not act on a refused message (the handler is never reached)', () => {
    const acted: string[] = [];
    const handle = (raw: string) => {
      const env = parseJobMessage(raw, acme);
      acted.push(env.id);
    };
    expect(() => handle(body({ tenantId: 'acme-corp', id: 'stolen' }))).toThrow(JobEnvelopeError);
    handle(body({ id: 'mine' }));
    expect(acted).toEqual(['mine']);
  });
});

describe('webhook deliveries: target and secret come from the tenant lookup, never the payload', () => {
  const endpoints = new Map<string, WebhookEndpoint>([
    ['acme', { tenant: acme, url: 'https://hooks.acme.example/jobs', signingSecret: 'acme-secret' }],
    ['acme-corp', { tenant: acmeCorp, url: 'https://hooks.acme-corp.example/jobs', signingSecret: 'corp-secret' }],
  ]);
  const lookup = (t: TenantId) => endpoints.get(t.value);
  const envelope = (payload: unknown, tenant = acme): JobEnvelope =>
    parseJobMessage(buildJobMessage(tenant, { type: 'order.shipped', payload, id: 'job-7', time: FIXED }), tenant);
  async function webhookRefusal(p: Promise<unknown>) {
    try {
      await p;
    } catch (e) {
      if (e instanceof WebhookDeliveryError) return e.reason;
      throw e;
    }
    throw new Error('expected a WebhookDeliveryError');
  }

  test("acme's job goes to acme's registered URL, signed with acme's secret", async () => {
    const d = await prepareWebhookDelivery(envelope({ order: 1 }), lookup, FIXED);
    expect(d.url).toBe('https://hooks.acme.example/jobs');
    expect(d.headers['x-webhook-tenant']).toBe('acme');
    expect(d.headers['x-webhook-signature']).toBe(webhookSignature('acme-secret', d.headers['x-webhook-timestamp'], d.body));
    expect(d.headers['x-webhook-signature']).not.toBe(webhookSignature('corp-secret', d.headers['x-webhook-timestamp'], d.body));
  });

  test.each(['url', 'webhookUrl', 'callbackUrl', 'endpoint', 'target', 'secret', 'signingSecret', 'headers'])(
    'a payload-supplied top-level %s is refused (payload-target)',
    async (key) => {
      expect(await webhookRefusal(prepareWebhookDelivery(envelope({ [key]: 'https://hooks.acme-corp.example/jobs' }), lookup))).toBe('payload-target');
    },
  );

  test('a URL nested in the payload is data: ignored for routing', async () => {
    const d = await prepareWebhookDelivery(envelope({ customer: { url: 'https://evil.example/' } }), lookup, FIXED);
    expect(d.url).toBe('https://hooks.acme.example/jobs');
  });

  test("a lookup that returns another tenant's endpoint is refused", async () => {
    const buggy = () => endpoints.get('acme-corp');
    expect(await webhookRefusal(prepareWebhookDelivery(envelope({}), buggy))).toBe('endpoint-tenant-mismatch');
  });

  test('no registered endpoint, or a plain-http one, is refused', async () => {
    expect(await webhookRefusal(prepareWebhookDelivery(envelope({}), () => undefined))).toBe('no-endpoint');
    const http = () => ({ tenant: acme, url: 'http://hooks.acme.example/jobs', signingSecret: 's' });
    expect(await webhookRefusal(prepareWebhookDelivery(envelope({}), http))).toBe('insecure-url');
  });

  test('the lookup is asked for the envelope tenant only', async () => {
    const asked: string[] = [];
    await prepareWebhookDelivery(envelope({ tenantId: 'acme-corp' }), (t) => {
      asked.push(t.value);
      return endpoints.get(t.value);
    });
    expect(asked).toEqual(['acme']);
  });
});
