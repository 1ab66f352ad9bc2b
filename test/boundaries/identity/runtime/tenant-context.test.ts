/**
 * TenantContext comes only from a verified token. Every forged, stale or misdirected token is
 * refused with a specific TenantTokenError code; nothing but the verifier can mint a context.
 */
import { SignJWT, base64url } from 'jose';
import { TenantContextRequiredError, TenantTokenError, TenantTokenErrorCode } from '../../../../lib/boundaries/identity/runtime/errors';
import {
  assertTenantContext,
  bearerToken,
  isTenantContext,
  TenantContext,
  TenantTokenVerifier,
  tenantStatusFromRegistry,
} from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { parseRegistry } from '../../../../lib/core/registry';
import { TenantId } from '../../../../lib/core/tenant-id';
import { newTestIssuer, TestIssuer, TEST_AUDIENCE, TEST_ISSUER } from '../../../helpers/token-issuer';

let idp: TestIssuer;
let attacker: TestIssuer;
let verifier: TenantTokenVerifier;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  idp = await newTestIssuer('idp-key');
  // A second key pair using the SAME kid: a forger who knows the kid but not the private key.
  attacker = await newTestIssuer('idp-key');
  verifier = idp.verifier();
});

async function refusal(promise: Promise<unknown>): Promise<TenantTokenError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TenantTokenError);
    return err as TenantTokenError;
  }
  throw new Error('expected the token to be refused, but it was accepted');
}

function unsecured(payload: Record<string, unknown>): string {
  const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
}

describe('accepted tokens', () => {
  test('a valid token yields the tenant from the configured claim', async () => {
    const ctx = await verifier.verify(await idp.sign({ tenants: ['acme'], sub: 'alice' }));
    expect(ctx).toBeInstanceOf(TenantContext);
    expect(ctx.tenant.value).toBe('acme');
    expect(ctx.subject).toBe('alice');
    expect(ctx.memberships.map((t) => t.value)).toEqual(['acme']);
    expect(isTenantContext(ctx)).toBe(true);
  });

  test('a string claim is one membership; a custom claim name is honoured', async () => {
    const v = idp.verifier({ tenantClaim: 'https://app.example/tenant' });
    const ctx = await v.verify(await idp.sign({ 'https://app.example/tenant': 'globex' }));
    expect(ctx.tenant.value).toBe('globex');
    // The default claim is NOT consulted when another is configured.
    const err = await refusal(v.verify(await idp.sign({ tenants: ['acme'] })));
    expect(err.code).toBe('tenant-claim-missing');
  });

  test('a multi-tenant user selects a workspace among the token tenants', async () => {
    const token = await idp.sign({ tenants: ['acme', 'acme-corp'] });
    expect((await verifier.verify(token, { workspace: 'acme-corp' })).tenant.value).toBe('acme-corp');
    expect((await verifier.verify(token, { workspace: 'acme' })).tenant.value).toBe('acme');
  });
});

describe('refused tokens (class TenantTokenError + code)', () => {
  const cases: Array<{ name: string; token: () => Promise<string>; workspace?: string; code: TenantTokenErrorCode }> = [
    { name: 'no token', token: async () => '', code: 'token-missing' },
    { name: 'garbage', token: async () => 'not-a-jwt', code: 'token-malformed' },
    { name: 'expired', token: () => idp.sign({ tenants: ['acme'], iat: now() - 3600, exp: now() - 60 }), code: 'token-expired' },
    { name: 'not yet valid (nbf)', token: () => idp.sign({ tenants: ['acme'], nbf: now() + 600 }), code: 'token-not-yet-valid' },
    { name: 'no exp', token: () => idp.sign({ tenants: ['acme'], exp: undefined }), code: 'claim-invalid' },
    { name: 'no sub', token: () => idp.sign({ tenants: ['acme'], sub: undefined }), code: 'claim-invalid' },
    { name: 'wrong issuer', token: () => idp.sign({ tenants: ['acme'], iss: 'https://evil.example/' }), code: 'wrong-issuer' },
    { name: 'issuer differs by a trailing slash', token: () => idp.sign({ tenants: ['acme'], iss: TEST_ISSUER.slice(0, -1) }), code: 'wrong-issuer' },
    { name: 'no issuer', token: () => idp.sign({ tenants: ['acme'], iss: undefined }), code: 'wrong-issuer' },
    { name: 'wrong audience', token: () => idp.sign({ tenants: ['acme'], aud: 'another-app' }), code: 'wrong-audience' },
    { name: 'no audience', token: () => idp.sign({ tenants: ['acme'], aud: undefined }), code: 'wrong-audience' },
    { name: 'signed by another key with the same kid', token: () => attacker.sign({ tenants: ['acme'] }), code: 'bad-signature' },
    {
      name: 'valid token with its tenant claim edited to another tenant',
      token: async () => {
        const [h, , s] = (await idp.sign({ tenants: ['acme'] })).split('.');
        const forged = { iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'user-1', exp: now() + 600, tenants: ['globex'] };
        return `${h}.${base64url.encode(JSON.stringify(forged))}.${s}`;
      },
      code: 'bad-signature',
    },
    { name: 'unknown kid', token: () => idp.sign({ tenants: ['acme'] }, { kid: 'other-key' }), code: 'unknown-key' },
    {
      name: 'alg: none',
      token: async () => unsecured({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'u', exp: now() + 600, tenants: ['acme'] }),
      code: 'algorithm-not-allowed',
    },
    {
      name: 'alg: HS256 keyed with the public JWK (algorithm confusion)',
      token: async () => {
        const secret = new TextEncoder().encode(JSON.stringify(idp.jwks.keys[0]));
        return new SignJWT({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'u', exp: now() + 600, tenants: ['acme'] })
          .setProtectedHeader({ alg: 'HS256', kid: 'idp-key' })
          .sign(secret);
      },
      code: 'algorithm-not-allowed',
    },
    { name: 'no tenant claim', token: () => idp.sign({}), code: 'tenant-claim-missing' },
    { name: 'empty tenant list', token: () => idp.sign({ tenants: [] }), code: 'tenant-claim-missing' },
    { name: 'tenant claim is a number', token: () => idp.sign({ tenants: 42 }), code: 'tenant-claim-invalid' },
    { name: 'tenant claim is an object', token: () => idp.sign({ tenants: { id: 'acme' } }), code: 'tenant-claim-invalid' },
    { name: 'uppercase tenant', token: () => idp.sign({ tenants: ['ACME'] }), code: 'tenant-claim-invalid' },
    { name: 'reserved tenant', token: () => idp.sign({ tenants: ['admin'] }), code: 'tenant-claim-invalid' },
    { name: 'path in tenant', token: () => idp.sign({ tenants: ['acme/../globex'] }), code: 'tenant-claim-invalid' },
    { name: 'wildcard tenant', token: () => idp.sign({ tenants: ['acme*'] }), code: 'tenant-claim-invalid' },
    { name: 'one bad entry among good ones', token: () => idp.sign({ tenants: ['acme', 'Globex'] }), code: 'tenant-claim-invalid' },
    { name: 'several tenants, no workspace', token: () => idp.sign({ tenants: ['acme', 'globex'] }), code: 'workspace-required' },
    { name: 'workspace the user does not belong to', token: () => idp.sign({ tenants: ['acme', 'globex'] }), workspace: 'initech', code: 'workspace-not-member' },
    { name: 'workspace sharing a prefix with a membership', token: () => idp.sign({ tenants: ['acme'] }), workspace: 'acme-corp', code: 'workspace-not-member' },
    { name: 'workspace that is a prefix of a membership', token: () => idp.sign({ tenants: ['acme-corp'] }), workspace: 'acme', code: 'workspace-not-member' },
    { name: 'workspace in another case', token: () => idp.sign({ tenants: ['acme'] }), workspace: 'ACME', code: 'workspace-not-member' },
  ];

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const err = await refusal(verifier.verify(await c.token(), { workspace: c.workspace }));
    expect(err.code).toBe(c.code);
  });

  test('token age limit refuses an old token that has not expired', async () => {
    const v = idp.verifier({ maxTokenAgeSeconds: 300 });
    const err = await refusal(v.verify(await idp.sign({ tenants: ['acme'], iat: now() - 900 })));
    expect(err.code).toBe('token-expired');
  });

  test('a verifier that allows only RS256 refuses an ES256 token', async () => {
    const err = await refusal(idp.verifier({ algorithms: ['RS256'] }).verify(await idp.sign({ tenants: ['acme'] })));
    expect(err.code).toBe('algorithm-not-allowed');
  });

  test('a verifier cannot be configured to accept alg none', () => {
    expect(() => idp.verifier({ algorithms: ['ES256', 'none'] })).toThrow(/must not contain "none"/);
    expect(() => new TenantTokenVerifier({ issuer: '', audience: [], keys: idp.jwks, tenantStatus: () => 'active' })).toThrow(/issuer.*audience/);
  });
});

describe('TenantContext is opaque', () => {
  test('nothing but the verifier mints one', async () => {
    const real = await idp.context('acme');
    const plain = { tenant: TenantId.parse('acme'), subject: 'x', memberships: [TenantId.parse('acme')], expiresAt: new Date() };
    const forgeries: Array<[string, unknown]> = [
      ['plain object cast', plain as unknown as TenantContext],
      ['prototype-linked object', Object.assign(Object.create(TenantContext.prototype), plain)],
      ['spread copy of a real context', { ...real }],
      ['JSON round trip of a real context', JSON.parse(JSON.stringify(real))],
      ['a tenant id string', 'acme'],
      ['a TenantId', TenantId.parse('acme')],
      ['undefined', undefined],
      ['null', null],
    ];
    for (const [name, forged] of forgeries) {
      expect([name, isTenantContext(forged)]).toEqual([name, false]);
      expect(() => assertTenantContext(forged, 'test')).toThrow(TenantContextRequiredError);
    }
    expect(() => assertTenantContext(real, 'test')).not.toThrow();
  });

  test('the constructor refuses callers without the module-private symbol', () => {
    const Ctor = TenantContext as unknown as new (...args: unknown[]) => TenantContext;
    expect(() => new Ctor(Symbol('TenantContext.mint'), TenantId.parse('acme'), 'x', [], new Date())).toThrow(TenantContextRequiredError);
    // No symbol-keyed static is reachable by reflection either.
    expect(Object.getOwnPropertySymbols(TenantContext)).toEqual([]);
  });

  test('a context is frozen: its tenant cannot be reassigned', async () => {
    const ctx = await idp.context('acme');
    expect(() => {
      (ctx as unknown as { tenant: TenantId }).tenant = TenantId.parse('globex');
    }).toThrow(TypeError);
    expect(ctx.tenant.value).toBe('acme');
  });
});

describe('bearerToken: the token comes from Authorization, nothing else', () => {
  test('reads Authorization case-insensitively and ignores tenant headers', () => {
    expect(bearerToken({ Authorization: 'Bearer abc.def.ghi' })).toBe('abc.def.ghi');
    expect(bearerToken({ authorization: 'bearer abc.def.ghi', 'x-tenant-id': 'globex' })).toBe('abc.def.ghi');
    expect(bearerToken({ 'x-tenant-id': 'globex', 'x-auth-token': 'abc.def.ghi' })).toBeUndefined();
    expect(bearerToken({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(bearerToken({ authorization: 'Bearer ' })).toBeUndefined();
    expect(bearerToken({ authorization: ['Bearer a.b.c', 'Bearer d.e.f'] })).toBeUndefined();
  });

  test('the key set the verifier trusts carries no private part', () => {
    const jwk = idp.jwks.keys[0] as Record<string, unknown>;
    expect(jwk.kty).toBe('EC');
    expect(jwk.d).toBeUndefined();
  });
});

describe('the tenant of a verified token is vetted against its status (registry or lookup)', () => {
  // The registry as the lifecycle CLI leaves it after onboarding acme and globex, offboarding
  // initech and purging umbrella (statuses of lib/core/registry.ts).
  const registry = parseRegistry(
    JSON.stringify({
      version: 1,
      tenants: [
        { id: 'acme', tier: 'pool', status: 'active' },
        { id: 'globex', tier: 'silo', status: 'active' },
        { id: 'initech', tier: 'pool', status: 'retired' },
        { id: 'umbrella', tier: 'pool', status: 'purged' },
      ],
    }),
    'test registry',
  );
  let vetted: TenantTokenVerifier;
  beforeAll(() => {
    vetted = idp.verifier({ tenantStatus: tenantStatusFromRegistry(registry) });
  });

  test('an active tenant gets a context', async () => {
    const ctx = await vetted.verify(await idp.sign({ tenants: ['acme'] }));
    expect(ctx.tenant.value).toBe('acme');
  });

  test.each<[string, TenantTokenErrorCode]>([
    ['initech', 'tenant-retired'],
    ['umbrella', 'tenant-purged'],
    ['hooli', 'tenant-unknown'],
  ])('a signed, unexpired token for %s is refused with %s', async (tenant, code) => {
    const err = await refusal(vetted.verify(await idp.sign({ tenants: [tenant] })));
    expect(err.code).toBe(code);
  });

  test('a multi-tenant user cannot select a retired workspace, and it is dropped from memberships', async () => {
    const token = await idp.sign({ tenants: ['acme', 'initech', 'globex'] });
    expect((await refusal(vetted.verify(token, { workspace: 'initech' }))).code).toBe('tenant-retired');
    const ctx = await vetted.verify(token, { workspace: 'globex' });
    expect([ctx.tenant.value, ctx.memberships.map((t) => t.value)]).toEqual(['globex', ['acme', 'globex']]);
  });

  test('an application lookup is honoured (async), and it sees the parsed TenantId', async () => {
    const seen: unknown[] = [];
    const v = idp.verifier({
      tenantStatus: async (t) => {
        seen.push(t);
        return t.value === 'acme' ? 'active' : 'retired';
      },
    });
    expect((await v.verify(await idp.sign({ tenants: ['acme'] }))).tenant.value).toBe('acme');
    expect((await refusal(v.verify(await idp.sign({ tenants: ['globex'] })))).code).toBe('tenant-retired');
    expect(seen.every((t) => t instanceof TenantId)).toBe(true);
  });

  test.each<[string, () => unknown]>([
    [
      'throws',
      () => {
        throw new Error('registry service down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('timeout'))],
    ['answers a non-status ("ACTIVE")', () => 'ACTIVE'],
    ['answers true', () => true],
  ])('a lookup that %s refuses with tenant-status-unavailable (fail closed)', async (_name, lookup) => {
    const v = idp.verifier({ tenantStatus: lookup as never });
    expect((await refusal(v.verify(await idp.sign({ tenants: ['acme'] })))).code).toBe('tenant-status-unavailable');
  });

  test('a verifier without a status lookup cannot be built', () => {
    expect(() => new TenantTokenVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: idp.jwks } as never)).toThrow(/tenantStatus must be a lookup function/);
  });
});
