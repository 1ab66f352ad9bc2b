/**
 * Signed URLs and signed cookies for the CDN, from a TenantContext: every policy this signer
 * writes names one tenant's content at most, `https://<domain>/tenants/<id>/*` (cdnTenantResource,
 * lib/core/cdn.ts), and never another tenant's, whatever key the caller asks for.
 *
 * CloudFront's format (CloudFront Developer Guide, private-content-creating-signed-url-custom-policy
 * and private-content-setting-signed-cookie-custom-policy): a custom policy
 * `{"Statement":[{"Resource":...,"Condition":{"DateLessThan":{"AWS:EpochTime":<s>}}}]}` without
 * white space, signed with RSA-SHA1 by the private key of a public key in the behaviour's trusted
 * key group; the policy and the signature travel base64-encoded with `+` `=` `/` replaced by
 * `-` `_` `~` (query parameters `Policy`, `Signature`, `Key-Pair-Id`, or the cookies
 * `CloudFront-Policy`, `CloudFront-Signature`, `CloudFront-Key-Pair-Id`). In a policy's Resource
 * `*` matches any characters and `?` exactly one, so object keys are percent-encoded here with
 * `*` as `%2A` (encodeURIComponent leaves `*` alone), and an exact-object URL stays exact.
 *
 * Written with node's `crypto` rather than @aws-sdk/cloudfront-signer: the format is small and
 * documented, this module must write the policy's Resource itself (it is the isolation boundary),
 * and services install the runtime with no extra dependency. Tests check every URL and cookie
 * with CloudFrontSignedPolicyVerifier (test/helpers), which models CloudFront's check.
 */
import { createPrivateKey, createSign, KeyObject } from 'crypto';
import { cdnTenantPath, cdnTenantResource } from '../../../core/cdn';
import { assertTenantContext, TenantContext } from '../../identity/runtime/tenant-context';
import { tenantObjectKey } from '../../storage/runtime/tenant-objects';

/** The longest lifetime the signer writes unless configured otherwise (1 hour). */
export const DEFAULT_CDN_MAX_LIFETIME_SECONDS = 3600;
/** A hard ceiling: 7 days. */
export const CDN_LIFETIME_CEILING_SECONDS = 7 * 24 * 3600;

export type CdnSigningErrorCode = 'config-invalid' | 'lifetime-invalid';

export class CdnSigningError extends Error {
  public readonly code: CdnSigningErrorCode;
  constructor(code: CdnSigningErrorCode, message: string) {
    super(`${message} (code: ${code})`);
    this.name = 'CdnSigningError';
    this.code = code;
  }
}

export interface TenantCdnSignerProps {
  /** The distribution's domain (`d111111abcdef8.cloudfront.net`) or, with host-based tenancy, the tenant host suffix's parent. */
  readonly domain: string;
  /**
   * Host-based tenancy: the tenant's host is `<id><tenantHostSuffix>` (`.files.example.com`),
   * matching the distribution's TenantContentDistribution `tenantHostSuffix`; `domain` is ignored.
   * @default none (every tenant on `domain`)
   */
  readonly tenantHostSuffix?: string;
  /** The id of the CloudFront public key (in the trusted key group) whose private key signs. */
  readonly keyPairId: string;
  /** The RSA private key (PEM or KeyObject). Keep it in a secret only the application reads. */
  readonly privateKey: string | KeyObject;
  /** @default DEFAULT_CDN_MAX_LIFETIME_SECONDS (1 hour); at most CDN_LIFETIME_CEILING_SECONDS */
  readonly maxLifetimeSeconds?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

export interface CdnSignOptions {
  /** Seconds from now until the URL or cookies expire; at most the signer's maximum. */
  readonly expiresInSeconds: number;
}

export interface CdnSignedUrl {
  readonly url: string;
  /** The policy's Resource: what the URL opens. */
  readonly resource: string;
  readonly expiresAt: Date;
}

export interface CdnSignedCookies {
  /** Cookie name -> value (`CloudFront-Policy`, `CloudFront-Signature`, `CloudFront-Key-Pair-Id`). */
  readonly cookies: Readonly<Record<string, string>>;
  /** Attributes to set them with: the tenant's host, path `/tenants/<id>/`, Secure, HttpOnly. */
  readonly attributes: { readonly domain: string; readonly path: string; readonly secure: true; readonly httpOnly: true; readonly sameSite: 'Lax' };
  readonly resource: string;
  readonly expiresAt: Date;
}

/** CloudFront's URL-safe base64 (`+` -> `-`, `=` -> `_`, `/` -> `~`). */
export function cloudFrontBase64(data: Buffer | string): string {
  return Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

/** A path segment percent-encoded so that it is literal in a policy Resource (`*` too). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/\*/g, '%2A');
}

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export class TenantCdnSigner {
  private readonly key: KeyObject;
  private readonly maxLifetime: number;
  private readonly now: () => number;

  constructor(private readonly props: TenantCdnSignerProps) {
    const problems: string[] = [];
    const suffix = props.tenantHostSuffix;
    if (suffix !== undefined && !(suffix.startsWith('.') && HOST.test(suffix.slice(1))))
      problems.push(`tenantHostSuffix ${JSON.stringify(suffix)} must be a DNS suffix led by a dot`);
    if (suffix === undefined && (typeof props.domain !== 'string' || !HOST.test(props.domain))) {
      problems.push(`domain ${JSON.stringify(props.domain)} must be a lower-case host name (no scheme, port or path)`);
    }
    if (typeof props.keyPairId !== 'string' || !/^[A-Z0-9]{8,64}$/.test(props.keyPairId))
      problems.push(`keyPairId ${JSON.stringify(props.keyPairId)} must be a CloudFront public key id`);
    this.maxLifetime = props.maxLifetimeSeconds ?? DEFAULT_CDN_MAX_LIFETIME_SECONDS;
    if (!Number.isInteger(this.maxLifetime) || this.maxLifetime < 1 || this.maxLifetime > CDN_LIFETIME_CEILING_SECONDS) {
      problems.push(`maxLifetimeSeconds ${this.maxLifetime} must be an integer in 1..${CDN_LIFETIME_CEILING_SECONDS}`);
    }
    let key: KeyObject | undefined;
    try {
      key = typeof props.privateKey === 'string' ? createPrivateKey(props.privateKey) : props.privateKey;
      if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') problems.push('privateKey must be an RSA private key (CloudFront signs with RSA-SHA1)');
    } catch {
      problems.push('privateKey is not a readable private key');
    }
    if (problems.length > 0 || !key) throw new CdnSigningError('config-invalid', `TenantCdnSigner: ${problems.join('; ')}`);
    this.key = key;
    this.now = props.now ?? Date.now;
  }

  /** The host that serves `ctx`'s content. */
  public host(ctx: TenantContext): string {
    assertTenantContext(ctx, 'TenantCdnSigner.host');
    return this.props.tenantHostSuffix !== undefined ? `${ctx.tenant.value}${this.props.tenantHostSuffix}` : this.props.domain;
  }

  /** `https://<host>/tenants/<id>/*`: everything a tenant-wide signature of `ctx` opens. */
  public tenantResource(ctx: TenantContext): string {
    assertTenantContext(ctx, 'TenantCdnSigner.tenantResource');
    return cdnTenantResource(this.host(ctx), ctx.tenant);
  }

  /**
   * A signed URL for ONE object of `ctx`'s tenant (key relative to `tenants/<id>/`, checked like
   * TenantObjectStore keys). The policy names that object's URL exactly.
   */
  public signedObjectUrl(ctx: TenantContext, relativeKey: string, options: CdnSignOptions): CdnSignedUrl {
    assertTenantContext(ctx, 'TenantCdnSigner.signedObjectUrl');
    const url = this.objectUrl(ctx, relativeKey);
    return this.signUrl(url, url, options);
  }

  /**
   * A signed URL for one object whose policy covers the tenant's whole prefix
   * (`https://<host>/tenants/<id>/*`), so the same signature query opens the tenant's other
   * objects too (CloudFront accepts a custom-policy signature on any URL its Resource matches).
   */
  public signedTenantUrl(ctx: TenantContext, relativeKey: string, options: CdnSignOptions): CdnSignedUrl {
    assertTenantContext(ctx, 'TenantCdnSigner.signedTenantUrl');
    return this.signUrl(this.objectUrl(ctx, relativeKey), this.tenantResource(ctx), options);
  }

  /** Signed cookies for the tenant's whole prefix, for pages that load many objects. */
  public signedCookies(ctx: TenantContext, options: CdnSignOptions): CdnSignedCookies {
    assertTenantContext(ctx, 'TenantCdnSigner.signedCookies');
    const resource = this.tenantResource(ctx);
    const { policy, signature, expiresAt } = this.sign(resource, options);
    return {
      cookies: { 'CloudFront-Policy': policy, 'CloudFront-Signature': signature, 'CloudFront-Key-Pair-Id': this.props.keyPairId },
      attributes: { domain: this.host(ctx), path: cdnTenantPath(ctx.tenant), secure: true, httpOnly: true, sameSite: 'Lax' },
      resource,
      expiresAt,
    };
  }

  private objectUrl(ctx: TenantContext, relativeKey: string): string {
    const key = tenantObjectKey(ctx, relativeKey); // tenants/<id>/<checked key>
    return `https://${this.host(ctx)}/${key.split('/').map(encodeSegment).join('/')}`;
  }

  private signUrl(url: string, resource: string, options: CdnSignOptions): CdnSignedUrl {
    const { policy, signature, expiresAt } = this.sign(resource, options);
    return { url: `${url}?Policy=${policy}&Signature=${signature}&Key-Pair-Id=${this.props.keyPairId}`, resource, expiresAt };
  }

  private sign(resource: string, options: CdnSignOptions): { policy: string; signature: string; expiresAt: Date } {
    const seconds = options?.expiresInSeconds;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > this.maxLifetime) {
      throw new CdnSigningError('lifetime-invalid', `expiresInSeconds ${String(seconds)} must be an integer in 1..${this.maxLifetime}`);
    }
    const epoch = Math.floor(this.now() / 1000) + seconds;
    const policy = JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': epoch } } }] });
    const signature = createSign('RSA-SHA1').update(policy).sign(this.key);
    return { policy: cloudFrontBase64(policy), signature: cloudFrontBase64(signature), expiresAt: new Date(epoch * 1000) };
  }
}
