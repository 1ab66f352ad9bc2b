/**
 * Test support: a local token issuer. Real keys (jose generateKeyPair), real signatures, a local
 * JWKS object — no network. Stands in for the identity provider only; verification is the real
 * TenantTokenVerifier.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { TenantContext, TenantTokenVerifier, TenantTokenVerifierProps } from '../../lib/boundaries/identity/runtime/tenant-context';

export const TEST_ISSUER = 'https://idp.test.example/';
export const TEST_AUDIENCE = 'tenant-isolation-app';

export interface TestIssuer {
  /** The public key set a verifier trusts. */
  readonly jwks: JSONWebKeySet;
  /** Signs `claims` with the issuer's key. Defaults: iss, aud, sub, iat, exp = now + 10 min. */
  sign(claims: JWTPayload, header?: { alg?: string; kid?: string }): Promise<string>;
  /** A verifier trusting this issuer; every tenant is `active` unless `tenantStatus` says otherwise. */
  verifier(props?: Partial<TenantTokenVerifierProps>): TenantTokenVerifier;
  /** A verified TenantContext for `tenant` (the one way tests obtain one). */
  context(tenant: string, subject?: string): Promise<TenantContext>;
}

export async function newTestIssuer(kid = 'test-key-1'): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const jwks: JSONWebKeySet = { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] };
  const sign = async (claims: JWTPayload, header: { alg?: string; kid?: string } = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'user-1', iat: now, exp: now + 600, ...claims };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    return new SignJWT(payload).setProtectedHeader({ alg: header.alg ?? 'ES256', kid: header.kid ?? kid }).sign(privateKey);
  };
  const verifier = (props: Partial<TenantTokenVerifierProps> = {}): TenantTokenVerifier =>
    new TenantTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: jwks, tenantStatus: () => 'active', ...props });
  const shared = verifier();
  return {
    jwks,
    sign,
    verifier,
    context: async (tenant, subject = 'user-1') => shared.verify(await sign({ tenants: [tenant], sub: subject })),
  };
}
