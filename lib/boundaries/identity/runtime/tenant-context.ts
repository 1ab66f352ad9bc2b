/**
 * TenantContext: the one value application code holds to reach tenant data.
 *
 * It is minted ONLY by `TenantTokenVerifier.verify()` from a JWT whose signature, issuer,
 * audience and expiry were checked against the issuer's keys by `jose`. The tenant comes from a
 * configured claim of that verified token and is parsed as a TenantId; when the caller belongs to
 * several tenants, the requested workspace must be one of the token's tenants. A header or a
 * request body can select among the token's tenants but can never add one.
 *
 * A verified claim is not yet a live tenant: every tenant of the token is then vetted against the
 * tenant's status (the registry, `tenantStatusFromRegistry`, or a lookup the application provides).
 * Unknown, retired and purged tenants are refused with distinct codes; a lookup that fails or
 * answers nonsense refuses (fail closed). Only active tenants become memberships.
 *
 * The value is opaque: the constructor is private and checks a module-private symbol, and every
 * minted instance is recorded in a module-private WeakSet. `assertTenantContext` (used by every
 * helper in lib/runtime) consults that set, so a plain object, a cast, `Object.create(
 * TenantContext.prototype)` or a JSON round trip is refused at run time, not only by the compiler.
 */
import { errors as joseErrors, createLocalJWKSet, createRemoteJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose';
import { findTenant, Registry, TENANT_STATUSES, TenantStatus } from '../../../core/registry';
import { TenantId } from '../../../core/tenant-id';
import { TenantContextRequiredError, TenantTokenError } from './errors';

/** Module-private: only this module can pass it to the constructor. */
const MINT: unique symbol = Symbol('TenantContext.mint');
/** Module-private: every TenantContext this module minted. */
const minted = new WeakSet<object>();
/** Module-private minting function, assigned by the class's static block (not reachable by reflection). */
let mint: (tenant: TenantId, subject: string, memberships: TenantId[], expiresAt: Date) => TenantContext;

export class TenantContext {
  /** The active tenant. Every helper scopes by this and nothing else. */
  public readonly tenant: TenantId;
  /** The verified end user (`sub`), for audit trails and STS source identity. */
  public readonly subject: string;
  /** Every tenant the token lists for this user; `tenant` is one of them. */
  public readonly memberships: readonly TenantId[];
  /** The token's expiry: a context must not outlive the request it was verified for. */
  public readonly expiresAt: Date;

  private constructor(mint: symbol, tenant: TenantId, subject: string, memberships: TenantId[], expiresAt: Date) {
    if (mint !== MINT) {
      throw new TenantContextRequiredError('new TenantContext()', undefined);
    }
    this.tenant = tenant;
    this.subject = subject;
    this.memberships = Object.freeze([...memberships]);
    this.expiresAt = expiresAt;
    Object.freeze(this);
    minted.add(this);
  }

  static {
    mint = (tenant, subject, memberships, expiresAt) => new TenantContext(MINT, tenant, subject, memberships, expiresAt);
  }

  public toString(): string {
    return `TenantContext(${this.tenant.value})`;
  }
}

/** True only for a TenantContext minted by TenantTokenVerifier in this process. */
export function isTenantContext(value: unknown): value is TenantContext {
  return typeof value === 'object' && value !== null && minted.has(value);
}

/** Throws TenantContextRequiredError unless `value` was minted by TenantTokenVerifier. */
export function assertTenantContext(value: unknown, where: string): asserts value is TenantContext {
  if (!isTenantContext(value)) throw new TenantContextRequiredError(where, value);
}

/** Asymmetric algorithms only: a symmetric secret shared with the issuer could mint tokens here. */
export const DEFAULT_TOKEN_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519'];

/**
 * Answers a tenant's lifecycle status: `active`, `retired`, `purged`, or undefined for a tenant
 * that does not exist. It may be synchronous or asynchronous (a registry read, a database or
 * cache lookup); it is called on every `verify`, so cache in it if the source is slow, and keep
 * the cache short: an offboarded tenant keeps access for as long as the cache says `active`.
 */
export type TenantStatusLookup = (tenant: TenantId) => TenantStatus | undefined | Promise<TenantStatus | undefined>;

/** A TenantStatusLookup over a loaded registry (lib/core/registry.ts): its entries' `status`. */
export function tenantStatusFromRegistry(registry: Registry): TenantStatusLookup {
  return (tenant) => findTenant(registry, tenant.value)?.status;
}

export interface TenantTokenVerifierProps {
  /**
   * Where the tenant's status comes from. Required: a token names a tenant, the registry says
   * whether it is still a tenant. `tenantStatusFromRegistry(loadRegistry(...))` for the registry;
   * any function for a database or a control-plane API.
   */
  readonly tenantStatus: TenantStatusLookup;
  /** Expected `iss` (exact match). */
  readonly issuer: string;
  /** Expected `aud`: the token's audience must contain one of these. */
  readonly audience: string | readonly string[];
  /**
   * The issuer's public keys: a JWKS object (verified locally, no network), or the JWKS URL
   * (fetched and cached by jose's `createRemoteJWKSet`), or a jose key-resolver function.
   */
  readonly keys: JSONWebKeySet | URL | JWTVerifyGetKey;
  /**
   * The claim that names the caller's tenants: a string (one tenant) or an array of strings
   * (a user of several workspaces). Each value is parsed as a TenantId.
   * @default 'tenants'
   */
  readonly tenantClaim?: string;
  /**
   * Algorithms accepted in the token header. `none` is always refused.
   * @default DEFAULT_TOKEN_ALGORITHMS (asymmetric only)
   */
  readonly algorithms?: readonly string[];
  /**
   * Clock skew tolerated on `exp`/`nbf`/`iat`, in seconds.
   * @default 5
   */
  readonly clockToleranceSeconds?: number;
  /**
   * Refuse tokens issued longer ago than this many seconds (needs `iat`).
   * @default no limit beyond `exp`
   */
  readonly maxTokenAgeSeconds?: number;
  /** Clock for tests. @default Date.now */
  readonly now?: () => number;
}

export interface VerifyOptions {
  /**
   * The workspace the request asks for (for example from a path segment or an `X-Workspace`
   * header). It only SELECTS among the verified token's tenants; it never adds one.
   * Required when the token lists more than one tenant.
   * @default the token's only tenant
   */
  readonly workspace?: string;
}

/** Verifies bearer tokens and mints TenantContexts. One instance per issuer, reused across requests. */
export class TenantTokenVerifier {
  private readonly getKey: JWTVerifyGetKey;
  private readonly props: TenantTokenVerifierProps;
  private readonly tenantClaim: string;
  private readonly algorithms: string[];

  constructor(props: TenantTokenVerifierProps) {
    const problems: string[] = [];
    if (typeof props.issuer !== 'string' || props.issuer === '') problems.push('issuer must be a non-empty string');
    const audiences = typeof props.audience === 'string' ? [props.audience] : [...(props.audience ?? [])];
    if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === '')) {
      problems.push(`audience ${JSON.stringify(props.audience)} must be one or more non-empty strings`);
    }
    const algorithms = [...(props.algorithms ?? DEFAULT_TOKEN_ALGORITHMS)];
    if (algorithms.length === 0 || algorithms.some((a) => a.toLowerCase() === 'none')) {
      problems.push(`algorithms ${JSON.stringify(algorithms)} must be non-empty and must not contain "none"`);
    }
    if (typeof props.tenantStatus !== 'function') {
      problems.push('tenantStatus must be a lookup function (e.g. tenantStatusFromRegistry(registry)): a verified claim is not proof that the tenant is active');
    }
    if (problems.length > 0) throw new Error(`TenantTokenVerifier: ${problems.join('; ')}`);

    this.props = props;
    this.algorithms = algorithms;
    this.tenantClaim = props.tenantClaim ?? 'tenants';
    this.getKey = typeof props.keys === 'function' ? props.keys : props.keys instanceof URL ? createRemoteJWKSet(props.keys) : createLocalJWKSet(props.keys);
  }

  /**
   * Verifies `token` and returns the TenantContext for the active workspace.
   * Throws TenantTokenError (with a `code`) on every refusal.
   */
  public async verify(token: string | undefined, options: VerifyOptions = {}): Promise<TenantContext> {
    if (typeof token !== 'string' || token === '') {
      throw new TenantTokenError('token-missing', 'no bearer token');
    }
    const payload = await this.verifySignatureAndClaims(token);

    const subject = payload.sub;
    if (typeof subject !== 'string' || subject === '') {
      throw new TenantTokenError('claim-invalid', 'the token has no subject (sub)');
    }
    const claimed = this.memberships(payload);
    const tenant = selectWorkspace(claimed, options.workspace);
    const statuses = await Promise.all(claimed.map((t) => this.statusOf(t)));
    refuseUnlessActive(tenant, statuses[claimed.indexOf(tenant)]);
    // Memberships are the token's ACTIVE tenants only: a retired workspace is not offered again.
    const memberships = claimed.filter((_t, i) => statuses[i] === 'active');
    return mint(tenant, subject, memberships, new Date((payload.exp as number) * 1000));
  }

  /** The tenant's status, or 'unavailable' when the lookup failed or answered something else. */
  private async statusOf(tenant: TenantId): Promise<TenantStatus | undefined | { unavailable: unknown }> {
    try {
      const status = await this.props.tenantStatus(tenant);
      if (status === undefined || (TENANT_STATUSES as readonly unknown[]).includes(status)) return status;
      return { unavailable: `the lookup answered ${JSON.stringify(status)}` };
    } catch (err) {
      return { unavailable: err };
    }
  }

  private async verifySignatureAndClaims(token: string): Promise<JWTPayload> {
    try {
      const now = this.props.now?.();
      const { payload } = await jwtVerify(token, this.getKey, {
        issuer: this.props.issuer,
        audience: typeof this.props.audience === 'string' ? this.props.audience : [...this.props.audience],
        algorithms: this.algorithms,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: this.props.clockToleranceSeconds ?? 5,
        maxTokenAge: this.props.maxTokenAgeSeconds,
        currentDate: now === undefined ? undefined : new Date(now),
      });
      return payload;
    } catch (err) {
      throw tokenErrorFrom(err);
    }
  }

  private memberships(payload: JWTPayload): TenantId[] {
    const claim = this.tenantClaim;
    const raw = payload[claim];
    const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
    if (raw === undefined || raw === null || (values !== undefined && values.length === 0)) {
      throw new TenantTokenError('tenant-claim-missing', `the token has no tenant claim "${claim}"`);
    }
    if (values === undefined) {
      throw new TenantTokenError('tenant-claim-invalid', `tenant claim "${claim}" must be a string or an array of strings`);
    }
    const tenants: TenantId[] = [];
    for (const value of values) {
      const problem = TenantId.check(value);
      if (problem) {
        throw new TenantTokenError('tenant-claim-invalid', `tenant claim "${claim}": ${problem.message}`, { cause: problem });
      }
      const id = TenantId.parse(value);
      if (!tenants.some((t) => t.equals(id))) tenants.push(id);
    }
    return tenants;
  }
}

/** Throws the specific TenantTokenError unless `status` is `active`. */
function refuseUnlessActive(tenant: TenantId, status: TenantStatus | undefined | { unavailable: unknown }): void {
  if (status === 'active') return;
  if (status === undefined) throw new TenantTokenError('tenant-unknown', `tenant ${tenant.value} is not a registered tenant`);
  if (status === 'retired') throw new TenantTokenError('tenant-retired', `tenant ${tenant.value} was offboarded (retired)`);
  if (status === 'purged') throw new TenantTokenError('tenant-purged', `tenant ${tenant.value} was purged`);
  const cause = status.unavailable;
  const detail = cause instanceof Error ? cause.message : String(cause);
  throw new TenantTokenError('tenant-status-unavailable', `the status of tenant ${tenant.value} could not be checked: ${detail}`, { cause });
}

/** The active tenant: the requested workspace if it is a membership, else the only membership. */
function selectWorkspace(memberships: TenantId[], workspace: string | undefined): TenantId {
  if (workspace === undefined || workspace === '') {
    if (memberships.length === 1) return memberships[0];
    throw new TenantTokenError('workspace-required', `the caller belongs to ${memberships.length} tenants; the request must name its workspace`);
  }
  // A string that is not even a TenantId cannot be a membership; compare on the parsed value only.
  const match = TenantId.isValid(workspace) ? memberships.find((t) => t.value === workspace) : undefined;
  if (!match) {
    throw new TenantTokenError('workspace-not-member', `workspace ${JSON.stringify(workspace)} is not one of the caller's tenants`);
  }
  return match;
}

/** Maps jose's error classes to our codes. Anything unrecognised is `token-malformed`, never a pass. */
function tokenErrorFrom(err: unknown): TenantTokenError {
  if (err instanceof TenantTokenError) return err;
  const e = err as { message?: string };
  const detail = typeof e?.message === 'string' ? e.message : String(err);
  if (err instanceof joseErrors.JWTExpired) return new TenantTokenError('token-expired', `token expired: ${detail}`, { cause: err });
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return new TenantTokenError('wrong-issuer', `issuer refused: ${detail}`, { cause: err });
      case 'aud':
        return new TenantTokenError('wrong-audience', `audience refused: ${detail}`, { cause: err });
      case 'nbf':
      case 'iat':
        if (err.reason === 'check_failed') {
          return new TenantTokenError('token-not-yet-valid', `token not yet valid: ${detail}`, { cause: err });
        }
        return new TenantTokenError('claim-invalid', `claim ${err.claim} refused: ${detail}`, { cause: err });
      default:
        return new TenantTokenError('claim-invalid', `claim ${err.claim} refused: ${detail}`, { cause: err });
    }
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) {
    return new TenantTokenError('algorithm-not-allowed', `algorithm refused: ${detail}`, { cause: err });
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new TenantTokenError('bad-signature', 'signature verification failed', { cause: err });
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return new TenantTokenError('unknown-key', `no single issuer key matches the token: ${detail}`, { cause: err });
  }
  return new TenantTokenError('token-malformed', `token refused: ${detail}`, { cause: err });
}

/** The token from `Authorization: Bearer <token>` (header names are case-insensitive), or undefined. */
export function bearerToken(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'authorization') continue;
    const v = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
    const m = typeof v === 'string' ? /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/i.exec(v.trim()) : null;
    return m ? m[1] : undefined;
  }
  return undefined;
}
