/**
 * Errors of the application-side tenant runtime. Each refusal is a class plus a stable `code`,
 * so callers (and tests) branch on the reason without parsing messages, and an HTTP edge can map
 * them to a status without leaking which check failed to the client.
 */

/** Why a bearer token did not yield a TenantContext. */
export type TenantTokenErrorCode =
  /** No `Authorization: Bearer <token>` on the request. */
  | 'token-missing'
  /** Not a compact JWS, or its header/payload is not JSON. */
  | 'token-malformed'
  /** The header names an algorithm outside the allow-list (including `none`). */
  | 'algorithm-not-allowed'
  /** No key in the issuer's key set matches the token's `kid`/`alg`. */
  | 'unknown-key'
  /** The signature does not verify against the issuer's key. */
  | 'bad-signature'
  /** `exp` is in the past (beyond the clock tolerance). */
  | 'token-expired'
  /** `nbf` or `iat` is in the future. */
  | 'token-not-yet-valid'
  /** `iss` is not the configured issuer. */
  | 'wrong-issuer'
  /** `aud` does not contain the configured audience. */
  | 'wrong-audience'
  /** A claim the verifier requires (`exp`, `sub`, ...) is absent or has the wrong type. */
  | 'claim-invalid'
  /** The configured tenant claim is absent or empty. */
  | 'tenant-claim-missing'
  /** The tenant claim holds a value that is not a TenantId. */
  | 'tenant-claim-invalid'
  /** The caller belongs to several tenants and did not say which workspace is active. */
  | 'workspace-required'
  /** The requested workspace is not one of the token's tenants. */
  | 'workspace-not-member'
  /** The tenant is valid in form but the registry (or the application's lookup) does not know it. */
  | 'tenant-unknown'
  /** The tenant was offboarded (registry status `retired`): its data is kept, its access is not. */
  | 'tenant-retired'
  /** The tenant was purged (registry status `purged`): its data is gone, its id is never reused. */
  | 'tenant-purged'
  /** The tenant status lookup failed or answered something that is not a status: refused, never assumed active. */
  | 'tenant-status-unavailable';

/** A bearer token was refused. `code` says which check failed. */
export class TenantTokenError extends Error {
  public readonly code: TenantTokenErrorCode;
  constructor(code: TenantTokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${message} (code: ${code})`, options);
    this.name = 'TenantTokenError';
    this.code = code;
  }
}

/** A helper was given something that is not a TenantContext minted by the verifier. */
export class TenantContextRequiredError extends Error {
  public readonly code = 'not-a-tenant-context' as const;
  constructor(where: string, value: unknown) {
    const got = value === null ? 'null' : typeof value === 'object' ? 'an object not minted by TenantTokenVerifier' : typeof value;
    super(`${where}: expected a TenantContext from TenantTokenVerifier.verify(), got ${got} (code: not-a-tenant-context)`);
    this.name = 'TenantContextRequiredError';
  }
}

/** Why an object key was refused. */
export type ObjectKeyErrorCode =
  | 'key-type'
  | 'key-empty'
  | 'key-absolute'
  | 'key-backslash'
  | 'key-control-character'
  | 'key-dot-segment'
  | 'key-empty-segment'
  | 'key-too-long'
  | 'key-outside-tenant-prefix';

/** An object key would leave (or could be read as leaving) the tenant's prefix. */
export class ObjectKeyError extends Error {
  public readonly code: ObjectKeyErrorCode;
  public readonly key: unknown;
  constructor(code: ObjectKeyErrorCode, key: unknown, detail: string) {
    super(`refused object key ${JSON.stringify(key)}: ${detail} (code: ${code})`);
    this.name = 'ObjectKeyError';
    this.code = code;
    this.key = key;
  }
}

/** Why tenant-scoped credentials could not be vended. */
export type TenantCredentialsErrorCode =
  /** STS answered without credentials or without an expiration. */
  | 'sts-no-credentials'
  /** STS answered for a session whose tag does not name the requested tenant. */
  | 'credentials-tenant-mismatch'
  /** The configured source identity does not fit STS's rule. */
  | 'source-identity-invalid'
  /** A configuration value is out of range. */
  | 'config-invalid';

export class TenantCredentialsError extends Error {
  public readonly code: TenantCredentialsErrorCode;
  constructor(code: TenantCredentialsErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${message} (code: ${code})`, options);
    this.name = 'TenantCredentialsError';
    this.code = code;
  }
}

/** Why a tenant transaction was refused or rolled back by the helper itself. */
export type TenantTransactionErrorCode =
  /** The role to `SET LOCAL ROLE` to is not a plain SQL identifier. */
  | 'role-invalid'
  /** The callback tried to end the transaction, change role, or change the tenant setting. */
  | 'statement-refused'
  /** After the callback, the database's tenant was no longer the context's tenant. */
  | 'tenant-changed';

export class TenantTransactionError extends Error {
  public readonly code: TenantTransactionErrorCode;
  constructor(code: TenantTransactionErrorCode, message: string) {
    super(`${message} (code: ${code})`);
    this.name = 'TenantTransactionError';
    this.code = code;
  }
}
