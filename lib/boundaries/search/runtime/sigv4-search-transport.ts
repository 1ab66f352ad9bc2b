/**
 * `SigV4SearchTransport`: the production `SearchTransport` for `TenantSearchClient`. It signs each
 * request with Signature Version 4 for service `es` (OpenSearch Service's signing name, Developer
 * Guide, request-signing) using the credentials of the TENANT's session (from
 * `TenantCredentialVendor.credentials(ctx)`), so IAM's URL layer sees the tenant's own session
 * tag, and sends it with `fetch`: HTTPS only, no redirects followed, bounded time and response
 * size. Signing is `@smithy/signature-v4`, the AWS SDK's own signer.
 *
 * Use it only behind `TenantSearchClient`, which checks the request before this sees it.
 * No aws-cdk-lib import: this module runs in application code.
 */
import { createHash, createHmac, Hash, Hmac } from 'crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SearchHttpRequest, SearchHttpResponse, SearchTransport } from './tenant-search-client';

/** The credentials of one tenant session (`TenantCredentials` fits). */
export interface SearchSessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The subset of `fetch` this transport uses (tests pass a recording double). */
export type SearchFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; redirect: 'error'; signal: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface SigV4SearchTransportProps {
  /** The domain endpoint, `https://<host>` with no path (the domain's VPC endpoint). */
  readonly endpoint: string;
  /** The domain's Region, part of the signature's credential scope. */
  readonly region: string;
  /** Called for every request, so vended credentials refresh: `() => vendor.credentials(ctx)`. */
  readonly credentials: () => Promise<SearchSessionCredentials>;
  /** @default globalThis.fetch */
  readonly fetch?: SearchFetch;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** @default 10 MiB */
  readonly maxResponseBytes?: number;
}

/** node:crypto behind the Checksum interface the signer expects (a hash, or an HMAC with a key). */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as ArrayBuffer);
    return createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export class SigV4SearchTransport implements SearchTransport {
  private readonly host: string;
  private readonly signer: SignatureV4;
  private readonly fetch: SearchFetch;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(props: SigV4SearchTransportProps) {
    const url = (() => {
      try {
        return new URL(props.endpoint);
      } catch {
        throw new TypeError(`SigV4SearchTransport: endpoint ${JSON.stringify(props.endpoint)} is not a URL`);
      }
    })();
    if (url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.username || url.password) {
      throw new TypeError(`SigV4SearchTransport: endpoint ${JSON.stringify(props.endpoint)} must be https://<host> with no path, query or user info`);
    }
    this.host = url.host;
    this.signer = new SignatureV4({ service: 'es', region: props.region, credentials: props.credentials, sha256: NodeSha256 });
    this.fetch = props.fetch ?? (globalThis.fetch as unknown as SearchFetch);
    this.timeoutMs = props.timeoutMs ?? 10_000;
    this.maxResponseBytes = props.maxResponseBytes ?? 10 * 1024 * 1024;
  }

  public async send(request: SearchHttpRequest): Promise<SearchHttpResponse> {
    const [path, search = ''] = request.path.split('?', 2);
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(search)) query[k] = v;
    const headers: Record<string, string> = { host: this.host };
    if (request.body !== undefined) headers['content-type'] = request.contentType ?? 'application/json';
    const signed = await this.signer.sign({ method: request.method, protocol: 'https:', hostname: this.host, path, query, headers, body: request.body });
    const res = await this.fetch(`https://${this.host}${request.path}`, {
      method: request.method,
      headers: signed.headers as Record<string, string>,
      body: request.body,
      redirect: 'error',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > this.maxResponseBytes) throw new Error(`search response of ${declared} bytes exceeds ${this.maxResponseBytes}`);
    const body = await res.text();
    if (Buffer.byteLength(body) > this.maxResponseBytes) throw new Error(`search response exceeds ${this.maxResponseBytes} bytes`);
    return { status: res.status, body };
  }
}
