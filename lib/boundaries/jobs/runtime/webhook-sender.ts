/**
 * Sends a prepared webhook delivery (prepareWebhookDelivery) so that a tenant-registered URL
 * cannot reach the inside:
 *
 * 1. HTTPS only; the URL is parsed by Node's WHATWG `URL`, which normalises host spellings
 *    (`2130706433`, `0x7f.1`, `017700000001` are `127.0.0.1`).
 * 2. The host is resolved ONCE (`dns.lookup` with `all: true`, or an injected resolver); EVERY
 *    answer must be public unicast (webhook-address.ts), or the delivery is refused naming the
 *    address and its range. An IP literal is classified as it is.
 * 3. The connection goes to the vetted address: `https.request` gets a `lookup` function that
 *    returns it, so no second resolution can answer differently (DNS rebinding). SNI and the
 *    `Host` header keep the name, so certificate checks are unchanged (default CA store, or `ca`).
 * 4. No redirect is followed: a 3xx is a failed delivery, reported with its `Location`.
 * 5. Time is bounded (resolution + connect, and the whole exchange) and so is the response body:
 *    at most `maxResponseBytes` are read, then the connection is closed.
 * 6. `allowAddresses` (exact addresses or CIDRs) lets tests and deliberate internal receivers
 *    through; it is empty by default, so nothing internal is reachable unless a caller says so.
 *
 * It uses no connection pool (`agent: false`): a kept-alive socket must never carry one tenant's
 * delivery to an address vetted for another.
 */
import { lookup as dnsLookup } from 'dns/promises';
import * as https from 'https';
import type { LookupFunction } from 'net';
import { isIP } from 'net';
import { addressAllowed, AddressRange, classifyAddress } from './webhook-address';
import type { WebhookDelivery } from './webhook-delivery';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has (A and AAAA). */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (`getaddrinfo`, as any connection would use), all addresses, in order. */
export const systemResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface WebhookSendOptions {
  /**
   * Addresses (or CIDRs) allowed even though they are not public: for tests against a server on
   * loopback (`['127.0.0.1']`) or a receiver you run inside on purpose.
   * @default [] — only public unicast addresses
   */
  readonly allowAddresses?: readonly string[];
  /** @default systemResolver */
  readonly resolver?: HostResolver;
  /**
   * Extra trusted CA certificates (PEM) for the TLS check, e.g. a test CA. Certificate checks
   * cannot be turned off.
   * @default Node's CA store
   */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Resolution + TCP + TLS handshake must finish within this. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** The whole delivery (resolution to last byte read) must finish within this. @default 10000 */
  readonly totalTimeoutMs?: number;
  /** Most response body bytes read; the rest is cut and the connection closed. @default 65536 */
  readonly maxResponseBytes?: number;
}

export interface WebhookSendResult {
  /** True for a 2xx answer. A 4xx/5xx is reported here (the caller decides on retries). */
  readonly delivered: boolean;
  readonly status: number;
  /** The address the request went to (the vetted one). */
  readonly address: string;
  /** The response body, at most maxResponseBytes of it (UTF-8). */
  readonly body: string;
  /** True when the body was longer than maxResponseBytes and was cut. */
  readonly truncated: boolean;
}

export type WebhookSendErrorCode =
  /** The URL is not https, or not a URL. */
  | 'insecure-url'
  /** The host (or one of its addresses) is not public unicast; `range` says which range. */
  | 'address-refused'
  /** The name did not resolve. */
  | 'dns-failed'
  /** The receiver answered 3xx; redirects are never followed. */
  | 'redirect-refused'
  /** Resolution + connect + handshake took longer than connectTimeoutMs. */
  | 'connect-timeout'
  /** The whole delivery took longer than totalTimeoutMs. */
  | 'timeout'
  /** The connection or the TLS handshake failed. */
  | 'connection-failed';

export class WebhookSendError extends Error {
  constructor(
    public readonly code: WebhookSendErrorCode,
    detail: string,
    public readonly extra: {
      readonly address?: string;
      readonly range?: AddressRange;
      readonly embedded?: string;
      readonly location?: string;
      readonly status?: number;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(`webhook send refused (${code}): ${detail}`, options);
    this.name = 'WebhookSendError';
  }
  public get range(): AddressRange | undefined {
    return this.extra.range;
  }
}

/** POSTs `delivery` to its URL under the rules above. */
export async function sendWebhook(delivery: WebhookDelivery, options: WebhookSendOptions = {}): Promise<WebhookSendResult> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const totalTimeoutMs = options.totalTimeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? 65_536;
  const allow = options.allowAddresses ?? [];
  for (const entry of allow) addressAllowed('0.0.0.0', [entry]); // validates every entry up front

  let url: URL;
  try {
    url = new URL(delivery.url);
  } catch {
    throw new WebhookSendError('insecure-url', `${JSON.stringify(delivery.url)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new WebhookSendError('insecure-url', `only https is sent, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new WebhookSendError('insecure-url', 'credentials in the URL are refused');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;

  const started = Date.now();
  const remaining = (budget: number) => Math.max(0, budget - (Date.now() - started));
  const target = await withTimeout(
    vet(host, allow, options.resolver ?? systemResolver),
    remaining(Math.min(connectTimeoutMs, totalTimeoutMs)),
    () => new WebhookSendError('connect-timeout', `resolving ${host} took longer than ${connectTimeoutMs} ms`),
  );

  // The one address we connect to, whatever the socket layer asks (`all` is set when Node's
  // happy-eyeballs autoSelectFamily is on).
  const pinned: LookupFunction = ((_hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (opts?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;

  return new Promise<WebhookSendResult>((resolve, reject) => {
    let settled = false;
    const finish = (err: WebhookSendError | undefined, result?: WebhookSendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      req.destroy();
      if (err) reject(err);
      else resolve(result!);
    };
    const req = https.request({
      method: 'POST',
      protocol: 'https:',
      hostname: host,
      port: url.port === '' ? 443 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: { ...delivery.headers, 'content-length': Buffer.byteLength(delivery.body).toString() },
      lookup: pinned,
      // SNI carries a name only (RFC 6066: IP literals are not sent as server names).
      servername: isIP(host) ? undefined : host,
      ca: options.ca as https.RequestOptions['ca'],
      agent: false,
      rejectUnauthorized: true,
    });
    const connectTimer = setTimeout(
      () => finish(new WebhookSendError('connect-timeout', `no TLS connection to ${target.address} within ${connectTimeoutMs} ms`, { address: target.address })),
      remaining(connectTimeoutMs),
    );
    const totalTimer = setTimeout(
      () => finish(new WebhookSendError('timeout', `delivery to ${target.address} took longer than ${totalTimeoutMs} ms`, { address: target.address })),
      remaining(totalTimeoutMs),
    );
    req.on('socket', (socket) => socket.once('secureConnect', () => clearTimeout(connectTimer)));
    req.on('error', (e) => {
      finish(new WebhookSendError('connection-failed', `${target.address}: ${(e as Error).message}`, { address: target.address }, { cause: e }));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
        finish(
          new WebhookSendError('redirect-refused', `the receiver answered ${status}${location ? ` to ${location}` : ''}; redirects are never followed`, {
            address: target.address,
            location,
            status,
          }),
        );
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = maxResponseBytes - size;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size = maxResponseBytes;
          truncated = true;
          done();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      const done = () =>
        finish(undefined, {
          delivered: status >= 200 && status < 300,
          status,
          address: target.address,
          body: Buffer.concat(chunks).toString('utf8'),
          truncated,
        });
      res.on('end', done);
      res.on('error', (e) => finish(new WebhookSendError('connection-failed', `${target.address}: ${e.message}`, { address: target.address }, { cause: e })));
    });
    req.end(delivery.body);
  });
}

/** Resolves `host` once and returns the address to connect to; refuses any non-public answer. */
async function vet(host: string, allow: readonly string[], resolver: HostResolver): Promise<ResolvedAddress> {
  let addresses: readonly ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolver(host);
    } catch (e) {
      throw new WebhookSendError('dns-failed', `${host} did not resolve: ${(e as Error).message}`, {}, { cause: e });
    }
    if (addresses.length === 0) throw new WebhookSendError('dns-failed', `${host} resolved to no address`);
  }
  // Every answer is checked, not only the first: a name with one public and one private address
  // could be connected to either by a later, independent lookup.
  for (const a of addresses) {
    if (addressAllowed(a.address, allow)) continue;
    const verdict = classifyAddress(a.address);
    if (verdict.refused) {
      const via = verdict.embedded ? ` (embeds ${verdict.embedded})` : '';
      const name = isIP(host) !== 0 ? `address ${a.address}` : `${host} resolves to ${a.address}`;
      throw new WebhookSendError('address-refused', `${name}${via}, which is ${verdict.refused}: webhooks go to public addresses only`, {
        address: a.address,
        range: verdict.refused,
        embedded: verdict.embedded,
      });
    }
  }
  return addresses[0];
}

async function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
