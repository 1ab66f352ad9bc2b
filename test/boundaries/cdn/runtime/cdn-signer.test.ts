/**
 * TenantCdnSigner: every URL and cookie it issues is checked the way CloudFront checks it
 * (CloudFrontSignedPolicyVerifier, a model of CloudFront's signed-request check), and a signature
 * issued for one tenant is presented for another tenant's objects: refused with `resource-mismatch`.
 */
import { generateKeyPairSync } from 'crypto';
import { CdnSigningError, TenantCdnSigner } from '../../../../lib/boundaries/cdn/runtime/cdn-signer';
import { ObjectKeyError, TenantContextRequiredError } from '../../../../lib/boundaries/identity/runtime/errors';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { CloudFrontSignedPolicyVerifier, cloudFrontWildcardMatch } from '../../../helpers/cloudfront-signed-policy-verifier';
import { newTestIssuer } from '../../../helpers/token-issuer';

const DOMAIN = 'd111111abcdef8.cloudfront.net';
const KEY_ID = 'K2JCJMDEHXQW5F';
const NOW = Date.UTC(2026, 11, 1, 10, 0, 0);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const verifier = new CloudFrontSignedPolicyVerifier({ [KEY_ID]: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
const signer = new TenantCdnSigner({ domain: DOMAIN, keyPairId: KEY_ID, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), now: () => NOW });

let acme: TenantContext;
let acmeCorp: TenantContext;
let globex: TenantContext;
beforeAll(async () => {
  const idp = await newTestIssuer();
  [acme, acmeCorp, globex] = await Promise.all([idp.context('acme'), idp.context('acme-corp'), idp.context('globex')]);
});

/** The signing query of a signed URL, put on another URL. */
const withSignatureOf = (signed: string, target: string) => `${target}?${signed.split('?')[1]}`;
const decision = (url: string, at = NOW + 1000, cookies?: Record<string, string>) => {
  const d = verifier.check(url, at, cookies);
  return d.allowed ? 'allowed' : d.reason;
};

describe('signed object URLs', () => {
  it('opens exactly the object it was signed for, until it expires', () => {
    const s = signer.signedObjectUrl(acme, 'exports/2026/report.pdf', { expiresInSeconds: 300 });
    expect(s.url.startsWith(`https://${DOMAIN}/tenants/acme/exports/2026/report.pdf?Policy=`)).toBe(true);
    expect(s.resource).toBe(`https://${DOMAIN}/tenants/acme/exports/2026/report.pdf`);
    expect(s.expiresAt.getTime()).toBe(NOW + 300_000);
    expect(decision(s.url)).toBe('allowed');
    expect(decision(s.url, NOW + 300_000)).toBe('expired');
    // The same signature on the tenant's other object: the policy names one object.
    expect(decision(withSignatureOf(s.url, `https://${DOMAIN}/tenants/acme/exports/2026/other.pdf`))).toBe('resource-mismatch');
  });

  it.each([
    ['another tenant', `https://${DOMAIN}/tenants/globex/exports/2026/report.pdf`],
    ['a tenant whose id starts with the same letters', `https://${DOMAIN}/tenants/acme-corp/exports/2026/report.pdf`],
    ['the bucket root through the distribution', `https://${DOMAIN}/exports/2026/report.pdf`],
    ['another host', `https://d222222abcdef8.cloudfront.net/tenants/acme/exports/2026/report.pdf`],
    ['plain http', `http://${DOMAIN}/tenants/acme/exports/2026/report.pdf`],
  ])("acme's signature does not open %s", (_what, target) => {
    const s = signer.signedObjectUrl(acme, 'exports/2026/report.pdf', { expiresInSeconds: 300 });
    expect(decision(withSignatureOf(s.url, target))).toBe('resource-mismatch');
  });

  it('keeps wildcard characters in keys literal: a key with * or ? opens only itself', () => {
    const s = signer.signedObjectUrl(acme, 'a*?b.txt', { expiresInSeconds: 60 });
    expect(s.resource).toBe(`https://${DOMAIN}/tenants/acme/a%2A%3Fb.txt`);
    expect(decision(s.url)).toBe('allowed');
    expect(decision(withSignatureOf(s.url, `https://${DOMAIN}/tenants/acme/a-anything-xb.txt`))).toBe('resource-mismatch');
  });

  it.each([
    ['../globex/secret.pdf', 'key-dot-segment'],
    ['x/../../globex/secret.pdf', 'key-dot-segment'],
    ['/tenants/globex/secret.pdf', 'key-absolute'],
    ['a//b', 'key-empty-segment'],
    ['a\\..\\globex', 'key-backslash'],
  ])('refuses the key %s before signing anything (%s)', (key, code) => {
    let thrown: unknown;
    try {
      signer.signedObjectUrl(acme, key, { expiresInSeconds: 60 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ObjectKeyError);
    expect((thrown as ObjectKeyError).code).toBe(code);
  });

  it('puts a key that looks like another tenant path under the own prefix', () => {
    const s = signer.signedObjectUrl(acme, 'tenants/globex/secret.pdf', { expiresInSeconds: 60 });
    expect(s.resource).toBe(`https://${DOMAIN}/tenants/acme/tenants/globex/secret.pdf`);
    expect(decision(withSignatureOf(s.url, `https://${DOMAIN}/tenants/globex/secret.pdf`))).toBe('resource-mismatch');
  });
});

describe('tenant-wide signed URLs and cookies', () => {
  it('a tenant-wide URL signature opens the tenant, and no other tenant', () => {
    const s = signer.signedTenantUrl(acme, 'a.txt', { expiresInSeconds: 600 });
    expect(s.resource).toBe(`https://${DOMAIN}/tenants/acme/*`);
    expect(decision(s.url)).toBe('allowed');
    expect(decision(withSignatureOf(s.url, `https://${DOMAIN}/tenants/acme/deep/b.txt`))).toBe('allowed');
    for (const victim of ['globex/a.txt', 'acme-corp/a.txt', 'acme', 'acme-corp']) {
      expect(decision(withSignatureOf(s.url, `https://${DOMAIN}/tenants/${victim}`))).toBe('resource-mismatch');
    }
  });

  it('the Resource wildcard alone would let /tenants/acme/../globex/ through: the edge function refuses it (tenant-path-guard.test.ts), the signer never writes it', () => {
    // Documents why the path guard exists: CloudFront's `*` matches `../` too.
    expect(cloudFrontWildcardMatch(`https://${DOMAIN}/tenants/acme/*`, `https://${DOMAIN}/tenants/acme/../globex/x`)).toBe(true);
    expect(() => signer.signedTenantUrl(acme, '../globex/x', { expiresInSeconds: 60 })).toThrow(ObjectKeyError);
  });

  it("signed cookies are scoped to the tenant's path and open nothing of another tenant", () => {
    const c = signer.signedCookies(acmeCorp, { expiresInSeconds: 900 });
    expect(c.resource).toBe(`https://${DOMAIN}/tenants/acme-corp/*`);
    expect(c.attributes).toEqual({ domain: DOMAIN, path: '/tenants/acme-corp/', secure: true, httpOnly: true, sameSite: 'Lax' });
    expect(Object.keys(c.cookies).sort()).toEqual(['CloudFront-Key-Pair-Id', 'CloudFront-Policy', 'CloudFront-Signature']);
    expect(decision(`https://${DOMAIN}/tenants/acme-corp/x.png`, NOW + 1000, { ...c.cookies })).toBe('allowed');
    expect(decision(`https://${DOMAIN}/tenants/acme/x.png`, NOW + 1000, { ...c.cookies })).toBe('resource-mismatch');
    expect(decision(`https://${DOMAIN}/tenants/globex/x.png`, NOW + 1000, { ...c.cookies })).toBe('resource-mismatch');
    expect(decision(`https://${DOMAIN}/tenants/acme-corp/x.png`, NOW + 901_000, { ...c.cookies })).toBe('expired');
  });

  it('a tampered policy (Resource widened to another tenant or to *) fails the signature check', () => {
    const s = signer.signedTenantUrl(acme, 'a.txt', { expiresInSeconds: 600 });
    const params = new URLSearchParams(s.url.split('?')[1]);
    for (const resource of [`https://${DOMAIN}/tenants/globex/*`, `https://${DOMAIN}/*`, '*']) {
      const forged = Buffer.from(JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': 4102444800 } } }] }))
        .toString('base64')
        .replace(/\+/g, '-')
        .replace(/=/g, '_')
        .replace(/\//g, '~');
      const url = `https://${DOMAIN}/tenants/globex/a.txt?Policy=${forged}&Signature=${params.get('Signature')}&Key-Pair-Id=${KEY_ID}`;
      expect(decision(url)).toBe('bad-signature');
    }
  });

  it('a signature by a key outside the key group, or under another key id, is refused', () => {
    const rogue = new TenantCdnSigner({ domain: DOMAIN, keyPairId: KEY_ID, privateKey: other.privateKey, now: () => NOW });
    expect(decision(rogue.signedObjectUrl(globex, 'a.txt', { expiresInSeconds: 60 }).url)).toBe('bad-signature');
    const unknownId = new TenantCdnSigner({ domain: DOMAIN, keyPairId: 'KUNKNOWN00000', privateKey, now: () => NOW });
    expect(decision(unknownId.signedObjectUrl(globex, 'a.txt', { expiresInSeconds: 60 }).url)).toBe('unknown-key');
    expect(decision(`https://${DOMAIN}/tenants/globex/a.txt`)).toBe('missing-signature');
  });
});

describe('host-based tenancy', () => {
  const hosts = new TenantCdnSigner({ domain: 'unused.example.com', tenantHostSuffix: '.files.example.com', keyPairId: KEY_ID, privateKey, now: () => NOW });

  it("signs on the tenant's own host; the signature does not open another tenant's host or path", () => {
    const s = hosts.signedTenantUrl(acme, 'a.txt', { expiresInSeconds: 60 });
    expect(s.resource).toBe('https://acme.files.example.com/tenants/acme/*');
    expect(decision(s.url)).toBe('allowed');
    expect(decision(withSignatureOf(s.url, 'https://globex.files.example.com/tenants/globex/a.txt'))).toBe('resource-mismatch');
    expect(decision(withSignatureOf(s.url, 'https://globex.files.example.com/tenants/acme/a.txt'))).toBe('resource-mismatch');
  });
});

describe('refusals', () => {
  it('refuses lifetimes outside 1..max and anything but a TenantContext', () => {
    for (const expiresInSeconds of [0, -1, 3601, 1.5, Number.NaN]) {
      expect(() => signer.signedObjectUrl(acme, 'a', { expiresInSeconds })).toThrow(CdnSigningError);
    }
    expect(() => signer.signedCookies({ tenant: globex.tenant } as unknown as TenantContext, { expiresInSeconds: 60 })).toThrow(TenantContextRequiredError);
  });

  it('refuses a bad configuration, naming every problem', () => {
    let thrown: unknown;
    try {
      new TenantCdnSigner({ domain: 'https://x.example.com/', keyPairId: 'k', privateKey: 'not a key', maxLifetimeSeconds: 0 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CdnSigningError);
    expect((thrown as CdnSigningError).code).toBe('config-invalid');
    expect(String(thrown)).toMatch(/domain .*keyPairId .*maxLifetimeSeconds .*privateKey/);
  });
});
