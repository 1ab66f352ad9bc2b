/**
 * sendWebhook against REAL servers on loopback: an HTTPS server with a self-signed certificate
 * generated at test time (openssl), a redirecting route, a slow route, a huge body, and a TCP
 * server that never completes the TLS handshake. Names resolve through an injected resolver (no
 * external DNS); every server listens on 127.0.0.1 only, and no test contacts any other address:
 * refused addresses are refused before any connection is attempted.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { TLSSocket } from 'tls';
import { buildJobMessage, parseJobMessage } from '../../../../lib/boundaries/jobs/runtime/job-envelope';
import {
  checkWebhookUrl,
  prepareWebhookDelivery,
  WebhookDelivery,
  WebhookDeliveryError,
  webhookSignature,
} from '../../../../lib/boundaries/jobs/runtime/webhook-delivery';
import { HostResolver, sendWebhook, WebhookSendError, WebhookSendErrorCode, WebhookSendOptions } from '../../../../lib/boundaries/jobs/runtime/webhook-sender';
import { TenantId } from '../../../../lib/core/tenant-id';

const acme = TenantId.parse('acme');
let dir: string;
let cert: string;
let server: https.Server;
let port: number;
let stalled: net.Server;
let stalledPort: number;
interface Seen {
  readonly path: string;
  readonly host: string | undefined;
  readonly servername: string | false | null;
  readonly body: string;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
}
const seen: Seen[] = [];
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-tls-'));
  const key = path.join(dir, 'key.pem');
  const crt = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=hooks.acme.test',
      '-addext',
      'subjectAltName=DNS:hooks.acme.test,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      crt,
    ],
    { stdio: 'pipe' },
  );
  cert = fs.readFileSync(crt, 'utf8');
  server = https.createServer({ key: fs.readFileSync(key), cert }, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({
        path: req.url ?? '',
        host: req.headers.host,
        servername: (req.socket as TLSSocket).servername,
        body,
        signature: req.headers['x-webhook-signature'] as string | undefined,
        timestamp: req.headers['x-webhook-timestamp'] as string | undefined,
      });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/iam/security-credentials/' });
        res.end();
      } else if (req.url === '/slow') {
        res.writeHead(200);
        res.write('still ');
        // never ends
      } else if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (res.write(chunk)) {
            /* fill the buffer */
          }
          res.once('drain', pump);
        };
        pump();
      } else if (req.url === '/fail') {
        res.writeHead(503);
        res.end('busy');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
  // Accepts TCP, never speaks TLS: the handshake cannot finish.
  stalled = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
  stalledPort = (stalled.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
  await new Promise((r) => stalled.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

async function delivery(url: string): Promise<WebhookDelivery> {
  const envelope = parseJobMessage(buildJobMessage(acme, { type: 'order.shipped', payload: { order: 7 } }), acme);
  return prepareWebhookDelivery(envelope, () => ({ tenant: acme, url, signingSecret: 'acme-secret' }));
}

/** The resolver the tests inject; records every call. */
function resolverFor(answers: Record<string, string[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const r = async (host: string) => {
    calls.push(host);
    const a = answers[host];
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return a.map((address) => ({ address, family: (net.isIP(address) === 6 ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(r, { calls });
}

async function refusal(p: Promise<unknown>): Promise<WebhookSendError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WebhookSendError) return e;
    throw e;
  }
  throw new Error('expected a WebhookSendError, but the webhook was sent');
}

/** The receiver's name resolves to loopback (injected resolver), and loopback is allowed for the test. */
const loopbackName = () => resolverFor({ 'hooks.acme.test': ['127.0.0.1'] });
const TEST_ALLOW: WebhookSendOptions = { allowAddresses: ['127.0.0.1'], resolver: loopbackName() };
const at = (route: string) => `https://hooks.acme.test:${port}${route}`;

describe('a real HTTPS receiver on loopback', () => {
  test('is REFUSED by default (loopback), before any connection: by name and as an IP literal', async () => {
    const byName = await refusal(sendWebhook(await delivery(at('/ok')), { ca: cert, resolver: loopbackName() }));
    expect([byName.code, byName.range]).toEqual(['address-refused', 'loopback']);
    const d = await delivery(at('/ok'));
    const literal = await refusal(sendWebhook({ ...d, url: `https://127.0.0.1:${port}/ok` }, { ca: cert }));
    expect([literal.code, literal.range]).toEqual(['address-refused', 'loopback']);
    expect(seen).toEqual([]);
  });

  test('is reached only with the explicit test allow-list; the body and signature arrive intact', async () => {
    const d = await delivery(at('/ok'));
    const result = await sendWebhook(d, { ...TEST_ALLOW, ca: cert });
    expect(result).toEqual({ delivered: true, status: 200, address: '127.0.0.1', body: 'ok', truncated: false });
    expect([seen[0].host, seen[0].servername]).toEqual([`hooks.acme.test:${port}`, 'hooks.acme.test']);
    expect(seen).toHaveLength(1);
    expect(seen[0].body).toBe(d.body);
    expect(seen[0].signature).toBe(webhookSignature('acme-secret', seen[0].timestamp!, seen[0].body));
  });

  test('certificate checks stay on: without the test CA the self-signed receiver is refused', async () => {
    const err = await refusal(sendWebhook(await delivery(at('/ok')), TEST_ALLOW));
    expect(err.code).toBe('connection-failed');
    expect(err.message).toMatch(/self[- ]signed/i);
  });

  test('a name is resolved ONCE and the connection goes to the vetted address; SNI and Host keep the name', async () => {
    // Rebinding: the first answer is loopback (allowed here), every later one would be the metadata service.
    let n = 0;
    const calls: string[] = [];
    const rebinding: HostResolver = async (host) => {
      calls.push(host);
      return [{ address: n++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 }];
    };
    const result = await sendWebhook(await delivery(`https://hooks.acme.test:${port}/ok`), { ...TEST_ALLOW, ca: cert, resolver: rebinding });
    expect([result.delivered, result.address]).toEqual([true, '127.0.0.1']);
    expect(calls).toEqual(['hooks.acme.test']);
    expect([seen[0].host, seen[0].servername]).toEqual([`hooks.acme.test:${port}`, 'hooks.acme.test']);
  });

  test('a 4xx/5xx is reported, not thrown', async () => {
    const result = await sendWebhook(await delivery(at('/fail')), { ...TEST_ALLOW, ca: cert });
    expect([result.delivered, result.status, result.body]).toEqual([false, 503, 'busy']);
  });
});

describe('redirects, time and size', () => {
  test('a redirect (to the metadata service) is NOT followed: redirect-refused with its Location', async () => {
    const err = await refusal(sendWebhook(await delivery(at('/redirect')), { ...TEST_ALLOW, ca: cert }));
    expect([err.code, err.extra.status, err.extra.location]).toEqual(['redirect-refused', 302, 'https://169.254.169.254/latest/meta-data/iam/security-credentials/']);
    expect(seen.map((s) => s.path)).toEqual(['/redirect']);
  });

  test('a receiver that never finishes is cut at totalTimeoutMs (timeout)', async () => {
    const started = Date.now();
    const err = await refusal(sendWebhook(await delivery(at('/slow')), { ...TEST_ALLOW, ca: cert, totalTimeoutMs: 400 }));
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a receiver that never completes the TLS handshake is cut at connectTimeoutMs (connect-timeout)', async () => {
    const started = Date.now();
    const err = await refusal(sendWebhook(await delivery(`https://hooks.acme.test:${stalledPort}/ok`), { ...TEST_ALLOW, ca: cert, connectTimeoutMs: 300 }));
    expect(err.code).toBe('connect-timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a huge body is cut at maxResponseBytes and the connection closed', async () => {
    const started = Date.now();
    const result = await sendWebhook(await delivery(at('/huge')), { ...TEST_ALLOW, ca: cert, maxResponseBytes: 1000 });
    expect([result.delivered, result.truncated, result.body.length]).toEqual([true, true, 1000]);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('names that resolve inside are refused (injected resolver; nothing is contacted)', () => {
  test.each<[string, string[], string]>([
    ['to a private address', ['10.0.3.7'], 'private'],
    ['to the metadata service', ['169.254.169.254'], 'metadata'],
    ['to loopback IPv6', ['::1'], 'loopback'],
    ['to an IPv4-mapped private address', ['::ffff:192.168.0.10'], 'private'],
    ['to a public AND a private address (every answer is checked)', ['93.184.215.14', '10.0.0.5'], 'private'],
    ['to a unique-local IPv6 address', ['fd00:1234::5'], 'unique-local'],
  ])('a name resolving %s -> address-refused (%s)', async (_why, answers, range) => {
    const resolver = resolverFor({ 'hooks.acme.test': answers });
    const err = await refusal(sendWebhook(await delivery('https://hooks.acme.test/jobs'), { resolver }));
    expect([err.code, err.range]).toEqual(['address-refused', range]);
    expect(err.message).toContain('hooks.acme.test resolves to');
    expect(resolver.calls).toEqual(['hooks.acme.test']);
  });

  test('a name that does not resolve -> dns-failed', async () => {
    const err = await refusal(sendWebhook(await delivery('https://nowhere.acme.test/jobs'), { resolver: resolverFor({}) }));
    expect(err.code).toBe('dns-failed');
  });

  test('localhost through the system resolver (/etc/hosts) -> loopback', async () => {
    const err = await refusal(sendWebhook({ url: `https://localhost:${port}/ok`, body: '{}', headers: {} }));
    expect([err.code, err.range]).toEqual(['address-refused', 'loopback']);
    expect(seen).toEqual([]);
  });
});

// Every spelling reaches sendWebhook directly (a delivery built by hand: prepareWebhookDelivery
// would already refuse the IP literals, tested below).
const literalCases: Array<[string, string]> = [
  ['https://127.0.0.1/', 'loopback'],
  ['https://2130706433/', 'loopback'],
  ['https://0x7f.1/', 'loopback'],
  ['https://017700000001/', 'loopback'],
  ['https://0x7f000001/', 'loopback'],
  ['https://127.1/', 'loopback'],
  ['https://0/', 'unspecified'],
  ['https://0.0.0.0/', 'unspecified'],
  ['https://10.0.0.1/', 'private'],
  ['https://012.0.0.1/', 'private'],
  ['https://172.16.9.9/', 'private'],
  ['https://192.168.0.1/', 'private'],
  ['https://169.254.169.254/latest/meta-data/', 'metadata'],
  ['https://2852039166/', 'metadata'],
  ['https://169.254.10.10/', 'link-local'],
  ['https://100.64.1.1/', 'cgnat'],
  ['https://224.0.0.251/', 'multicast'],
  ['https://255.255.255.255/', 'broadcast'],
  ['https://240.1.2.3/', 'reserved'],
  ['https://192.0.2.10/', 'documentation'],
  ['https://198.18.0.5/', 'benchmarking'],
  ['https://[::1]/', 'loopback'],
  ['https://[::]/', 'unspecified'],
  ['https://[::ffff:10.0.0.1]/', 'private'],
  ['https://[::ffff:127.0.0.1]/', 'loopback'],
  ['https://[::ffff:169.254.169.254]/', 'metadata'],
  ['https://[::10.0.0.1]/', 'private'],
  ['https://[64:ff9b::10.0.0.1]/', 'private'],
  ['https://[64:ff9b::169.254.169.254]/', 'metadata'],
  ['https://[2002:a00:1::1]/', 'private'],
  ['https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/', 'private'],
  ['https://[fe80::1]/', 'link-local'],
  ['https://[fc00::1]/', 'unique-local'],
  ['https://[fd00:ec2::254]/', 'metadata'],
  ['https://[ff02::1]/', 'multicast'],
  ['https://[2001:db8::1]/', 'documentation'],
];

describe('every host spelling of an internal address is refused with its range', () => {
  test.each(literalCases)('sendWebhook %s -> %s', async (url, range) => {
    const err = await refusal(sendWebhook({ url, body: '{}', headers: {} }, { resolver: resolverFor({}) }));
    expect([err.code, err.range]).toEqual(['address-refused', range]);
  });

  test.each(literalCases)('prepareWebhookDelivery / checkWebhookUrl %s -> address-refused', async (url) => {
    expect(() => checkWebhookUrl(url)).toThrow(WebhookDeliveryError);
    await expect(delivery(url)).rejects.toMatchObject({ reason: 'address-refused' });
  });
});

describe('only https, without credentials', () => {
  test.each<[string, WebhookSendErrorCode]>([
    ['http://hooks.acme.test/', 'insecure-url'],
    ['ftp://hooks.acme.test/', 'insecure-url'],
    ['https://user:pw@hooks.acme.test/', 'insecure-url'],
    ['not a url', 'insecure-url'],
  ])('%s -> %s', async (url, code) => {
    const err = await refusal(sendWebhook({ url, body: '{}', headers: {} }, { resolver: resolverFor({ 'hooks.acme.test': ['127.0.0.1'] }), ...TEST_ALLOW }));
    expect(err.code).toBe(code);
  });
});
