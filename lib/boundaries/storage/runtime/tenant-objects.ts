/**
 * Object storage through a TenantContext: keys under the tenant's prefix (`objectPrefix` from the
 * namespace contract) and short-lived presigned URLs signed with the tenant's own session.
 *
 * Keys are given RELATIVE to the tenant prefix and refused when they could be read as leaving it:
 * S3 itself treats `..` literally, but browsers, proxies and HTTP libraries normalise dot
 * segments in URL paths (RFC 3986 section 5.2.4), so `tenants/acme/../globex/x` in a presigned
 * URL can arrive as `tenants/globex/x`. Backslashes are turned into `/` by some clients, control
 * characters break logs and headers, and empty segments make two keys look alike.
 *
 * Facts (S3 User Guide: object-keys, using-presigned-url; knowledge-center
 * presigned-url-s3-bucket-expiration): an object key is at most 1,024 bytes of UTF-8; a presigned
 * URL is signed with the credentials of whoever made it and stops working when those temporary
 * credentials expire, whatever its own expiry says — so the expiry is capped by the session's
 * remaining life, and reported truthfully.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { objectPrefix } from '../../../core/namespace';
import type { TenantId } from '../../../core/tenant-id';
import { ObjectKeyError } from '../../identity/runtime/errors';
import { assertTenantContext, TenantContext } from '../../identity/runtime/tenant-context';
import type { TenantCredentials } from '../../identity/runtime/tenant-credentials';

/** S3's limit on a key's UTF-8 length. */
export const MAX_OBJECT_KEY_BYTES = 1024;
/** Hard ceiling on presigned URL lifetime this library will produce (15 minutes). */
export const PRESIGN_CEILING_SECONDS = 900;

// C0 controls, DEL, C1 controls and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Validates a key relative to the tenant prefix; throws ObjectKeyError naming the rule. */
export function checkRelativeKey(relativeKey: unknown): string {
  if (typeof relativeKey !== 'string') throw new ObjectKeyError('key-type', relativeKey, 'an object key must be a string');
  if (relativeKey === '') throw new ObjectKeyError('key-empty', relativeKey, 'an object key must not be empty');
  if (CONTROL.test(relativeKey)) throw new ObjectKeyError('key-control-character', relativeKey, 'control characters are not allowed');
  if (relativeKey.includes('\\')) throw new ObjectKeyError('key-backslash', relativeKey, 'backslashes are not allowed');
  if (relativeKey.startsWith('/')) {
    throw new ObjectKeyError('key-absolute', relativeKey, 'keys are relative to the tenant prefix and must not start with "/"');
  }
  for (const segment of relativeKey.split('/')) {
    if (segment === '.' || segment === '..') {
      throw new ObjectKeyError('key-dot-segment', relativeKey, '"." and ".." segments are not allowed');
    }
    if (segment === '') throw new ObjectKeyError('key-empty-segment', relativeKey, 'empty path segments ("//" or a trailing "/") are not allowed');
  }
  return relativeKey;
}

/** `tenants/<ctx.tenant>/<relativeKey>`, after refusing keys that could escape the prefix. */
export function tenantObjectKey(ctx: TenantContext, relativeKey: string): string {
  assertTenantContext(ctx, 'tenantObjectKey');
  const key = objectPrefix(ctx.tenant) + checkRelativeKey(relativeKey);
  if (Buffer.byteLength(key, 'utf8') > MAX_OBJECT_KEY_BYTES) {
    throw new ObjectKeyError('key-too-long', relativeKey, `the full key exceeds S3's ${MAX_OBJECT_KEY_BYTES}-byte limit`);
  }
  return key;
}

/**
 * The key relative to the tenant prefix, for a FULL key read from elsewhere (a database row, an
 * event). Refuses a key outside `ctx`'s prefix — including a neighbour such as `tenants/acme-corp/`
 * when the context is `acme`.
 */
export function tenantRelativeKey(ctx: TenantContext, fullKey: string): string {
  assertTenantContext(ctx, 'tenantRelativeKey');
  const prefix = objectPrefix(ctx.tenant);
  if (typeof fullKey !== 'string' || !fullKey.startsWith(prefix)) {
    throw new ObjectKeyError('key-outside-tenant-prefix', fullKey, `the key is not under ${prefix}`);
  }
  return checkRelativeKey(fullKey.slice(prefix.length));
}

/** What the store needs from the credential vendor (TenantCredentialVendor satisfies it). */
export interface TenantClientSource {
  credentials(ctx: TenantContext): Promise<TenantCredentials>;
  s3(ctx: TenantContext): S3Client;
}

export interface TenantObjectStoreProps {
  /** Tenant-scoped clients and credentials. */
  readonly clients: TenantClientSource;
  /**
   * The bucket holding a tenant's objects: the pool bucket, or a function choosing a silo
   * tenant's own bucket.
   */
  readonly bucket: string | ((tenant: TenantId) => string);
  /**
   * Lifetime of a presigned URL when the caller does not ask for one.
   * @default 60
   */
  readonly defaultPresignSeconds?: number;
  /**
   * Longest presigned URL lifetime; requests above it are clamped. At most PRESIGN_CEILING_SECONDS.
   * @default 300
   */
  readonly maxPresignSeconds?: number;
  /** Clock for tests (ms). @default Date.now */
  readonly now?: () => number;
}

export interface PresignOptions {
  /** Requested lifetime in seconds (clamped to the maximum and to the session's remaining life). */
  readonly expiresInSeconds?: number;
}

export interface PresignedUrl {
  readonly url: string;
  /** The full key the URL is for (always under the tenant prefix). */
  readonly key: string;
  /** The lifetime actually signed into the URL. */
  readonly expiresInSeconds: number;
  readonly expiresAt: Date;
}

export class TenantObjectStore {
  private readonly props: TenantObjectStoreProps;
  private readonly defaultSeconds: number;
  private readonly maxSeconds: number;

  constructor(props: TenantObjectStoreProps) {
    const maxSeconds = props.maxPresignSeconds ?? 300;
    const defaultSeconds = props.defaultPresignSeconds ?? Math.min(60, maxSeconds);
    const problems: string[] = [];
    if (!Number.isInteger(maxSeconds) || maxSeconds < 1 || maxSeconds > PRESIGN_CEILING_SECONDS) {
      problems.push(`maxPresignSeconds ${maxSeconds} must be an integer from 1 to ${PRESIGN_CEILING_SECONDS}`);
    }
    if (!Number.isInteger(defaultSeconds) || defaultSeconds < 1 || defaultSeconds > maxSeconds) {
      problems.push(`defaultPresignSeconds ${defaultSeconds} must be an integer from 1 to maxPresignSeconds (${maxSeconds})`);
    }
    if (typeof props.bucket === 'string' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucket)) {
      problems.push(`bucket ${JSON.stringify(props.bucket)} is not a valid S3 bucket name`);
    }
    if (problems.length > 0) throw new Error(`TenantObjectStore: ${problems.join('; ')}`);
    this.props = props;
    this.defaultSeconds = defaultSeconds;
    this.maxSeconds = maxSeconds;
  }

  /** The full key of `relativeKey` for `ctx`'s tenant. */
  public key(ctx: TenantContext, relativeKey: string): string {
    return tenantObjectKey(ctx, relativeKey);
  }

  /** The bucket of `ctx`'s tenant. */
  public bucket(ctx: TenantContext): string {
    assertTenantContext(ctx, 'TenantObjectStore.bucket');
    return typeof this.props.bucket === 'string' ? this.props.bucket : this.props.bucket(ctx.tenant);
  }

  /** An S3 client signing with `ctx`'s tenant session (TenantAccessRole + TenantId tag). */
  public client(ctx: TenantContext): S3Client {
    assertTenantContext(ctx, 'TenantObjectStore.client');
    return this.props.clients.s3(ctx);
  }

  /** A presigned GET for `relativeKey` under the tenant prefix. */
  public async presignGet(ctx: TenantContext, relativeKey: string, options: PresignOptions = {}): Promise<PresignedUrl> {
    const key = tenantObjectKey(ctx, relativeKey);
    return this.presign(ctx, key, new GetObjectCommand({ Bucket: this.bucket(ctx), Key: key }), options);
  }

  /** A presigned PUT for `relativeKey` under the tenant prefix. */
  public async presignPut(ctx: TenantContext, relativeKey: string, options: PresignOptions & { readonly contentType?: string } = {}): Promise<PresignedUrl> {
    const key = tenantObjectKey(ctx, relativeKey);
    const command = new PutObjectCommand({ Bucket: this.bucket(ctx), Key: key, ContentType: options.contentType });
    return this.presign(ctx, key, command, options);
  }

  private async presign(ctx: TenantContext, key: string, command: GetObjectCommand | PutObjectCommand, options: PresignOptions): Promise<PresignedUrl> {
    const requested = options.expiresInSeconds ?? this.defaultSeconds;
    if (!Number.isInteger(requested) || requested < 1) {
      throw new Error(`presign: expiresInSeconds ${requested} must be a positive integer`);
    }
    const now = (this.props.now ?? Date.now)();
    const credentials = await this.props.clients.credentials(ctx);
    const sessionLeft = Math.floor((credentials.expiration.getTime() - now) / 1000);
    const expiresIn = Math.min(requested, this.maxSeconds, sessionLeft);
    if (expiresIn < 1) throw new Error('presign: the tenant session has no time left');
    const url = await getSignedUrl(this.client(ctx), command, { expiresIn, signingDate: new Date(now) });
    return { url, key, expiresInSeconds: expiresIn, expiresAt: new Date(now + expiresIn * 1000) };
  }
}
