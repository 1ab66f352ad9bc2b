/**
 * Token vending: AssumeRole carries exactly the tenant's tag, credentials are cached per tenant
 * until shortly before expiry, concurrent first requests share one call, and no request ever
 * receives another tenant's credentials. STS is a RecordingStsDouble (no AWS account here).
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { Readable } from 'stream';
import { TenantContextRequiredError, TenantCredentialsError } from '../../../../lib/boundaries/identity/runtime/errors';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { StsAssumeRoleClient, TenantCredentialVendor, TenantCredentialVendorProps } from '../../../../lib/boundaries/identity/runtime/tenant-credentials';
import { TenantId } from '../../../../lib/core/tenant-id';
import { DOUBLE_ROLE_ARN, RecordingStsDouble, RecordingStsDoubleOptions } from '../../../helpers/recording-sts-double';
import { newTestIssuer, TestIssuer } from '../../../helpers/token-issuer';

let idp: TestIssuer;
beforeAll(async () => {
  idp = await newTestIssuer();
});

function setup(props: Partial<TenantCredentialVendorProps> = {}, options: RecordingStsDoubleOptions = {}) {
  let clock = Date.parse('2026-11-26T09:00:00Z');
  const now = () => clock;
  const sts = new RecordingStsDouble({ now, ...options });
  const vendor = new TenantCredentialVendor({ roleArn: DOUBLE_ROLE_ARN, sts, region: 'eu-west-1', now, ...props });
  return { sts, vendor, advance: (seconds: number) => (clock += seconds * 1000), now };
}

async function expectRejects<E extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(cls);
    return err as E;
  }
  throw new Error(`expected ${cls.name}`);
}

describe('the AssumeRole request', () => {
  test('carries exactly the TenantId tag of the context, nothing the caller chose', async () => {
    const { sts, vendor } = setup();
    await vendor.credentials(await idp.context('acme', 'alice'));
    expect(sts.requests).toEqual([
      {
        RoleArn: DOUBLE_ROLE_ARN,
        RoleSessionName: 'tenant-acme',
        DurationSeconds: 900,
        Tags: [{ Key: 'TenantId', Value: 'acme' }],
      },
    ]);
  });

  test('with sourceIdentity "subject", the end user is named and sessions are per user', async () => {
    const { sts, vendor } = setup({ sourceIdentity: 'subject' });
    const alice = await vendor.credentials(await idp.context('acme', 'alice'));
    const bob = await vendor.credentials(await idp.context('acme', 'bob'));
    expect(sts.requests.map((r) => [r.Tags, r.SourceIdentity])).toEqual([
      [[{ Key: 'TenantId', Value: 'acme' }], 'app.alice'],
      [[{ Key: 'TenantId', Value: 'acme' }], 'app.bob'],
    ]);
    expect(alice.sessionToken).not.toBe(bob.sessionToken);
    // Alice again: cached, no third call.
    await vendor.credentials(await idp.context('acme', 'alice'));
    expect(sts.requests).toHaveLength(2);
  });

  test('a subject STS cannot carry as a source identity is refused, not mangled', async () => {
    const { sts, vendor } = setup({ sourceIdentity: 'subject' });
    const err = await expectRejects(vendor.credentials(await idp.context('acme', 'auth0|abc')), TenantCredentialsError);
    expect(err.code).toBe('source-identity-invalid');
    expect(sts.requests).toHaveLength(0);
  });

  test('the user part leaves room for the app. prefix: 60 characters pass, 61 are refused', async () => {
    const { sts, vendor } = setup({ sourceIdentity: 'subject' });
    await vendor.credentials(await idp.context('acme', 'u'.repeat(60)));
    expect(sts.requests[0].SourceIdentity).toBe(`app.${'u'.repeat(60)}`);
    const err = await expectRejects(vendor.credentials(await idp.context('acme', 'u'.repeat(61))), TenantCredentialsError);
    expect(err.code).toBe('source-identity-invalid');
    expect(sts.requests).toHaveLength(1);
  });
});

describe('per-tenant cache', () => {
  test('reuses credentials until refreshBeforeExpirySeconds before expiry, then assumes again', async () => {
    const { sts, vendor, advance } = setup(); // 900 s sessions, refresh 360 s before expiry
    const ctx = await idp.context('acme');
    const first = await vendor.credentials(ctx);
    advance(900 - 361); // 361 s left: still handed out
    expect(await vendor.credentials(ctx)).toBe(first);
    expect(sts.requests).toHaveLength(1);
    advance(1); // 360 s left: replaced
    const second = await vendor.credentials(ctx);
    expect(second.sessionToken).not.toBe(first.sessionToken);
    expect(sts.requests).toHaveLength(2);
    expect(vendor.stsCalls).toBe(2);
  });

  test('each tenant has its own entry: acme and acme-corp never share credentials', async () => {
    const { sts, vendor } = setup();
    const acme = await vendor.credentials(await idp.context('acme'));
    const acmeCorp = await vendor.credentials(await idp.context('acme-corp'));
    expect(RecordingStsDouble.tenantOfToken(acme.sessionToken)).toBe('acme');
    expect(RecordingStsDouble.tenantOfToken(acmeCorp.sessionToken)).toBe('acme-corp');
    expect(sts.requests.map((r) => r.Tags)).toEqual([[{ Key: 'TenantId', Value: 'acme' }], [{ Key: 'TenantId', Value: 'acme-corp' }]]);
  });

  test('concurrent first requests for one tenant share one AssumeRole call', async () => {
    const { sts, vendor } = setup({}, { delayMs: () => 20 });
    const ctx = await idp.context('acme');
    const all = await Promise.all(Array.from({ length: 25 }, () => vendor.credentials(ctx)));
    expect(sts.requests).toHaveLength(1);
    expect(new Set(all.map((c) => c.sessionToken)).size).toBe(1);
  });

  test('concurrent requests for two tenants, answered out of order, never cross', async () => {
    // acme's AssumeRole answers LAST; acme-corp's answers first.
    const { sts, vendor } = setup({}, { delayMs: (input) => (input.Tags?.[0]?.Value === 'acme' ? 40 : 5) });
    const acme = await idp.context('acme');
    const acmeCorp = await idp.context('acme-corp');
    const order = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? acme : acmeCorp));
    const results = await Promise.all(order.map((ctx) => vendor.credentials(ctx).then((c) => [ctx.tenant.value, c] as const)));
    for (const [tenant, creds] of results) {
      expect([tenant, RecordingStsDouble.tenantOfToken(creds.sessionToken)]).toEqual([tenant, tenant]);
    }
    expect(sts.requests).toHaveLength(2);
  });

  test('a failed AssumeRole is not cached: the next request tries again', async () => {
    const { sts, vendor } = setup({}, { failCall: { index: 0, error: new Error('Throttling') } });
    const ctx = await idp.context('acme');
    await expect(vendor.credentials(ctx)).rejects.toThrow('Throttling');
    const creds = await vendor.credentials(ctx);
    expect(RecordingStsDouble.tenantOfToken(creds.sessionToken)).toBe('acme');
    expect(sts.requests).toHaveLength(2);
  });

  test('a session STS names for another tenant is refused (credentials-tenant-mismatch)', async () => {
    const { vendor } = setup({}, { wrongSessionName: 'tenant-globex' });
    const err = await expectRejects(vendor.credentials(await idp.context('acme')), TenantCredentialsError);
    expect(err.code).toBe('credentials-tenant-mismatch');
  });

  test('the cache is bounded (least recently stored evicted)', async () => {
    const { sts, vendor } = setup({ maxCacheEntries: 2 });
    const [a, b, c] = await Promise.all(['acme', 'globex', 'initech'].map((t) => idp.context(t)));
    await vendor.credentials(a);
    await vendor.credentials(b);
    await vendor.credentials(c); // evicts acme
    await vendor.credentials(a);
    expect(sts.requests.map((r) => r.Tags?.[0]?.Value)).toEqual(['acme', 'globex', 'initech', 'acme']);
  });
});

describe('S3 clients', () => {
  test('sign every request with the tenant session, one client per tenant', async () => {
    const { vendor } = setup();
    const acme = await idp.context('acme');
    const globex = await idp.context('globex');
    expect(vendor.s3(acme)).toBe(vendor.s3(acme));
    expect(vendor.s3(acme)).not.toBe(vendor.s3(globex));

    // Capture the signed HTTP request instead of sending it (no network).
    const captured: Array<{ headers: Record<string, string>; path: string }> = [];
    const requestHandler = {
      handle: async (req: { headers: Record<string, string>; path: string }) => {
        captured.push({ headers: req.headers, path: req.path });
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    };
    for (const ctx of [acme, globex]) {
      const client = vendor.s3(ctx, { requestHandler: requestHandler as never, forcePathStyle: true });
      await client.send(new HeadObjectCommand({ Bucket: 'pool-bucket', Key: `tenants/${ctx.tenant.value}/x` }));
    }
    expect(captured.map((c) => RecordingStsDouble.tenantOfToken(c.headers['x-amz-security-token']))).toEqual(['acme', 'globex']);
    expect(captured[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIADOUBLE\d+\/\d{8}\/eu-west-1\/s3\//);
  });
});

describe('credential providers for other SDK clients', () => {
  test('are bound to the tenant they were made for', async () => {
    const { sts, vendor } = setup();
    const forAcme = vendor.credentialProvider(await idp.context('acme'));
    const forAcmeCorp = vendor.credentialProvider(await idp.context('acme-corp'));
    const [a, b] = await Promise.all([forAcme(), forAcmeCorp()]);
    expect(RecordingStsDouble.tenantOfToken(a.sessionToken)).toBe('acme');
    expect(RecordingStsDouble.tenantOfToken(b.sessionToken)).toBe('acme-corp');
    expect(await forAcme()).toBe(a);
    expect(sts.requests).toHaveLength(2);
  });
});

describe('only a TenantContext opens the vendor', () => {
  test('a forged context is refused before any STS call', async () => {
    const { sts, vendor } = setup();
    const forged = { tenant: TenantId.parse('acme'), subject: 'x', memberships: [], expiresAt: new Date() } as unknown as TenantContext;
    await expectRejects(vendor.credentials(forged), TenantContextRequiredError);
    expect(() => vendor.s3(forged)).toThrow(TenantContextRequiredError);
    expect(() => vendor.credentialProvider(forged)).toThrow(TenantContextRequiredError);
    expect(sts.requests).toHaveLength(0);
  });

  test('a real STSClient satisfies the STS contract (tsc checks this line; nothing is sent)', () => {
    const sts: StsAssumeRoleClient = new STSClient({ region: 'eu-west-1' });
    expect(() => new TenantCredentialVendor({ roleArn: DOUBLE_ROLE_ARN, sts, region: 'eu-west-1' })).not.toThrow();
  });

  test('configuration out of range is refused, naming every problem', () => {
    const sts = new RecordingStsDouble();
    expect(() => new TenantCredentialVendor({ roleArn: 'role', sts, region: '', sessionDurationSeconds: 60, refreshBeforeExpirySeconds: 10 })).toThrow(
      /roleArn "role".*sessionDurationSeconds 60.*refreshBeforeExpirySeconds 10.*region/,
    );
  });
});
