/**
 * Token vending: tenant-scoped AWS credentials for a TenantContext.
 *
 * The broker (the application's own role) assumes TenantAccessRole with exactly one session tag,
 * `TenantId=<ctx.tenant>`; the role's policies name `${aws:PrincipalTag/TenantId}`, so the
 * resulting credentials reach only that tenant's slice of every shared resource. The trust policy
 * allows `TenantId` as the only tag key (`aws:TagKeys`), so no other tag is sent.
 *
 * Credentials are cached per tenant (and per end user when a source identity is set, because
 * such a session names one user in CloudTrail) until `refreshBeforeExpirySeconds` before they
 * expire. Concurrent first requests for the same key share one AssumeRole call. The cache key is
 * derived from the verified TenantContext only, and every cache hit re-checks the tenant it was
 * issued for, so one tenant's credentials are never handed to another.
 *
 * Facts (IAM User Guide, id_credentials_temp_request / STS API AssumeRole):
 * - DurationSeconds ranges from 900 to the role's MaxSessionDuration (TenantAccessRole: 1 hour);
 *   role chaining caps it at 1 hour.
 * - RoleSessionName and SourceIdentity: 2-64 characters of `[\w+=,.@-]`.
 * - Setting SourceIdentity needs `sts:SetSourceIdentity` in the role's trust policy.
 * The AWS SDK v3 refreshes a provider's credentials when fewer than 300 s remain
 * (@smithy/core EXPIRATION_MS), so the default refresh window here is larger than that.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { APPLICATION_SOURCE_IDENTITY_PREFIX, TENANT_TAG_KEY } from '../../../core/namespace';
import { TenantId } from '../../../core/tenant-id';
import { TenantCredentialsError } from './errors';
import { assertTenantContext, TenantContext } from './tenant-context';

/** The one STS operation the vendor needs; an `STSClient` satisfies it. */
export interface StsAssumeRoleClient {
  send(command: AssumeRoleCommand): Promise<AssumeRoleCommandOutput>;
}

/** Temporary credentials of one tenant session (shape of the SDK's AwsCredentialIdentity). */
export interface TenantCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface TenantCredentialVendorProps {
  /** ARN of TenantAccessRole (PlatformStack output / `TenantAccessRole.arnForName`). */
  readonly roleArn: string;
  /** The STS client, already holding the broker's own credentials. */
  readonly sts: StsAssumeRoleClient;
  /** Region for the clients this vendor builds. */
  readonly region: string;
  /**
   * Requested session length in seconds (900 to the role's MaxSessionDuration).
   * @default 900 — the shortest STS allows
   */
  readonly sessionDurationSeconds?: number;
  /**
   * Credentials with fewer seconds left than this are replaced, never handed out.
   * Must be at least 300 (the AWS SDK's own refresh window) and below the session length.
   * @default 360
   */
  readonly refreshBeforeExpirySeconds?: number;
  /**
   * Set the STS source identity to name the end user: `'subject'` uses the token's `sub`, or a
   * function maps a context to a user name. The vendor always prefixes it with `app.`
   * (APPLICATION_SOURCE_IDENTITY_PREFIX): TenantAccessRole's trust allows `sts:SetSourceIdentity`
   * only for `app.?*`, and SupportAccessRole refuses that prefix, so an application session can
   * never pass for a person in CloudTrail. The user part must fit STS's rule with the prefix
   * (at most 60 characters of `[A-Za-z0-9_+=,.@-]`). With a source identity, credentials are
   * cached per tenant AND user.
   * @default no source identity
   */
  readonly sourceIdentity?: 'subject' | ((ctx: TenantContext) => string);
  /**
   * Most cache entries kept (least recently used evicted first).
   * @default 1000
   */
  readonly maxCacheEntries?: number;
  /** Clock for tests (milliseconds). @default Date.now */
  readonly now?: () => number;
}

/** STS's rule for RoleSessionName and SourceIdentity. */
const STS_NAME = /^[\w+=,.@-]{2,64}$/;
/** The AWS SDK v3 refreshes provider credentials inside this window (@smithy/core EXPIRATION_MS). */
const SDK_REFRESH_WINDOW_SECONDS = 300;

interface CacheEntry {
  readonly tenant: TenantId;
  readonly sourceIdentity: string | undefined;
  readonly credentials: TenantCredentials;
}

interface SessionKey {
  readonly tenant: TenantId;
  readonly sourceIdentity: string | undefined;
  readonly key: string;
}

export class TenantCredentialVendor {
  private readonly props: TenantCredentialVendorProps;
  private readonly duration: number;
  private readonly refreshBeforeMs: number;
  private readonly maxEntries: number;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<CacheEntry>>();
  private readonly s3Clients = new Map<string, S3Client>();
  private readonly dynamoDbClients = new Map<string, DynamoDBClient>();
  private assumeRoleCalls = 0;

  constructor(props: TenantCredentialVendorProps) {
    const duration = props.sessionDurationSeconds ?? 900;
    const refresh = props.refreshBeforeExpirySeconds ?? 360;
    const problems: string[] = [];
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+/.test(props.roleArn ?? '')) {
      problems.push(`roleArn ${JSON.stringify(props.roleArn)} is not an IAM role ARN`);
    }
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      problems.push(`sessionDurationSeconds ${duration} must be an integer from 900 to 43200 (STS AssumeRole)`);
    }
    if (!Number.isFinite(refresh) || refresh < SDK_REFRESH_WINDOW_SECONDS || refresh >= duration) {
      problems.push(
        `refreshBeforeExpirySeconds ${refresh} must be at least ${SDK_REFRESH_WINDOW_SECONDS} (the AWS SDK refresh window) and below sessionDurationSeconds ${duration}`,
      );
    }
    if (typeof props.region !== 'string' || props.region === '') problems.push('region must be set');
    if (problems.length > 0) throw new TenantCredentialsError('config-invalid', `TenantCredentialVendor: ${problems.join('; ')}`);
    this.props = props;
    this.duration = duration;
    this.refreshBeforeMs = refresh * 1000;
    this.maxEntries = props.maxCacheEntries ?? 1000;
  }

  /** AssumeRole calls made so far (for metrics and tests). */
  public get stsCalls(): number {
    return this.assumeRoleCalls;
  }

  /** Credentials of `ctx`'s tenant, valid for at least `refreshBeforeExpirySeconds`. */
  public async credentials(ctx: TenantContext): Promise<TenantCredentials> {
    assertTenantContext(ctx, 'TenantCredentialVendor.credentials');
    return this.credentialsFor(this.sessionKey(ctx));
  }

  /**
   * A credential provider bound to `ctx`'s tenant, for any AWS SDK v3 client
   * (`new SQSClient({ region, credentials: vendor.credentialProvider(ctx) })`). The provider
   * closes over the verified tenant (and user), not over the context object.
   */
  public credentialProvider(ctx: TenantContext): () => Promise<TenantCredentials> {
    assertTenantContext(ctx, 'TenantCredentialVendor.credentialProvider');
    const session = this.sessionKey(ctx);
    return () => this.credentialsFor(session);
  }

  /**
   * An S3 client whose every request is signed with `ctx`'s tenant credentials. One client per
   * tenant (and user, with a source identity) is kept. `config` may not set credentials or region.
   */
  public s3(ctx: TenantContext, config: Omit<S3ClientConfig, 'credentials' | 'region'> = {}): S3Client {
    assertTenantContext(ctx, 'TenantCredentialVendor.s3');
    const session = this.sessionKey(ctx);
    const cacheable = Object.keys(config).length === 0;
    const existing = cacheable ? this.s3Clients.get(session.key) : undefined;
    if (existing) return existing;
    // The provider closes over the session key (tenant, user) — never over a mutable "current tenant".
    const client = new S3Client({ ...config, region: this.props.region, credentials: () => this.credentialsFor(session) });
    if (cacheable) this.remember(this.s3Clients, session.key, client);
    return client;
  }

  /**
   * A DynamoDB client whose every request is signed with `ctx`'s tenant credentials, so IAM's
   * `dynamodb:LeadingKeys` confinement applies (TenantTable uses it). One client per tenant (and
   * user) is kept when `config` is empty. `config` may not set credentials or region.
   */
  public dynamodb(ctx: TenantContext, config: Omit<DynamoDBClientConfig, 'credentials' | 'region'> = {}): DynamoDBClient {
    assertTenantContext(ctx, 'TenantCredentialVendor.dynamodb');
    const session = this.sessionKey(ctx);
    const cacheable = Object.keys(config).length === 0;
    const existing = cacheable ? this.dynamoDbClients.get(session.key) : undefined;
    if (existing) return existing;
    const client = new DynamoDBClient({ ...config, region: this.props.region, credentials: () => this.credentialsFor(session) });
    if (cacheable) this.remember(this.dynamoDbClients, session.key, client);
    return client;
  }

  private sessionKey(ctx: TenantContext): SessionKey {
    const configured = this.props.sourceIdentity;
    let sourceIdentity: string | undefined;
    if (configured !== undefined) {
      const user: unknown = configured === 'subject' ? ctx.subject : configured(ctx);
      // The trust policy's `app.?*` needs at least one character after the prefix.
      sourceIdentity = typeof user === 'string' && user !== '' ? `${APPLICATION_SOURCE_IDENTITY_PREFIX}${user}` : undefined;
      if (sourceIdentity === undefined || !STS_NAME.test(sourceIdentity)) {
        throw new TenantCredentialsError(
          'source-identity-invalid',
          `source identity user ${JSON.stringify(user)} must be 1-${64 - APPLICATION_SOURCE_IDENTITY_PREFIX.length} characters of [A-Za-z0-9_+=,.@-] (STS AssumeRole SourceIdentity is 2-64 characters, and the vendor prefixes "${APPLICATION_SOURCE_IDENTITY_PREFIX}")`,
        );
      }
    }
    // NUL cannot occur in a TenantId or a source identity, so the two parts cannot run together.
    const key = sourceIdentity === undefined ? ctx.tenant.value : `${ctx.tenant.value}\u0000${sourceIdentity}`;
    return { tenant: ctx.tenant, sourceIdentity, key };
  }

  private async credentialsFor(session: SessionKey): Promise<TenantCredentials> {
    const cached = this.cache.get(session.key);
    if (cached && this.fresh(cached)) return this.checked(cached, session).credentials;

    let pending = this.inflight.get(session.key);
    if (!pending) {
      pending = this.assume(session).finally(() => this.inflight.delete(session.key));
      this.inflight.set(session.key, pending);
    }
    const entry = await pending;
    return this.checked(entry, session).credentials;
  }

  private fresh(entry: CacheEntry): boolean {
    const now = (this.props.now ?? Date.now)();
    return entry.credentials.expiration.getTime() - now > this.refreshBeforeMs;
  }

  /** Defence in depth: an entry is only ever returned for the tenant and user it was issued for. */
  private checked(entry: CacheEntry, session: SessionKey): CacheEntry {
    if (!entry.tenant.equals(session.tenant) || entry.sourceIdentity !== session.sourceIdentity) {
      throw new TenantCredentialsError(
        'credentials-tenant-mismatch',
        `credentials issued for tenant ${entry.tenant.value} were about to be returned for tenant ${session.tenant.value}`,
      );
    }
    return entry;
  }

  private async assume(session: SessionKey): Promise<CacheEntry> {
    const sessionName = `tenant-${session.tenant.value}`;
    this.assumeRoleCalls += 1;
    const out = await this.props.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.props.roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: this.duration,
        // Exactly one tag: the trust policy allows TenantId as the only key (aws:TagKeys).
        Tags: [{ Key: TENANT_TAG_KEY, Value: session.tenant.value }],
        ...(session.sourceIdentity === undefined ? {} : { SourceIdentity: session.sourceIdentity }),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !(c.Expiration instanceof Date)) {
      throw new TenantCredentialsError('sts-no-credentials', `AssumeRole for tenant ${session.tenant.value} returned no usable credentials`);
    }
    // STS names the session in the assumed-role ARN: .../assumed-role/<role>/<session name>.
    const arn = out.AssumedRoleUser?.Arn;
    if (arn !== undefined && !arn.endsWith(`/${sessionName}`)) {
      throw new TenantCredentialsError('credentials-tenant-mismatch', `AssumeRole for tenant ${session.tenant.value} returned a session for ${arn}`);
    }
    const entry: CacheEntry = {
      tenant: session.tenant,
      sourceIdentity: session.sourceIdentity,
      credentials: Object.freeze({
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      }),
    };
    this.remember(this.cache, session.key, entry);
    return entry;
  }

  private remember<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key);
    map.set(key, value);
    while (map.size > this.maxEntries) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
    }
  }
}
