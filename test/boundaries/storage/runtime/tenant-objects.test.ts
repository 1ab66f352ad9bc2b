/**
 * Object keys and presigned URLs go through a TenantContext: every key lands under
 * `tenants/<tenant>/`, keys that could escape the prefix are refused with a specific code, and a
 * presigned URL is short, capped and signed with the tenant's own session.
 */
import { ObjectKeyError, ObjectKeyErrorCode, TenantContextRequiredError } from '../../../../lib/boundaries/identity/runtime/errors';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { TenantCredentialVendor } from '../../../../lib/boundaries/identity/runtime/tenant-credentials';
import { checkRelativeKey, TenantObjectStore, tenantObjectKey, tenantRelativeKey } from '../../../../lib/boundaries/storage/runtime/tenant-objects';
import { TenantId } from '../../../../lib/core/tenant-id';
import { DOUBLE_ROLE_ARN, RecordingStsDouble } from '../../../helpers/recording-sts-double';
import { newTestIssuer, TestIssuer } from '../../../helpers/token-issuer';

let idp: TestIssuer;
let acme: TenantContext;
let acmeCorp: TenantContext;
beforeAll(async () => {
  idp = await newTestIssuer();
  acme = await idp.context('acme');
  acmeCorp = await idp.context('acme-corp');
});

function expectKeyError(fn: () => unknown, code: ObjectKeyErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ObjectKeyError);
  expect((thrown as ObjectKeyError).code).toBe(code);
}

describe('tenantObjectKey', () => {
  test.each([
    ['exports/2026/report.csv', 'tenants/acme/exports/2026/report.csv'],
    ['résumé.pdf', 'tenants/acme/résumé.pdf'],
    ['.hidden', 'tenants/acme/.hidden'],
    ['a..b/...', 'tenants/acme/a..b/...'],
    ['tenants/globex/x', 'tenants/acme/tenants/globex/x'],
  ])('%s -> %s', (relative, full) => {
    expect(tenantObjectKey(acme, relative)).toBe(full);
  });

  const refused: Array<[string, unknown, ObjectKeyErrorCode]> = [
    ['empty', '', 'key-empty'],
    ['not a string', 42, 'key-type'],
    ['absolute', '/etc/passwd', 'key-absolute'],
    ['absolute into another tenant', '/tenants/globex/x', 'key-absolute'],
    ['parent segment', '../globex/x', 'key-dot-segment'],
    ['parent segment deeper', 'a/../../acme-corp/x', 'key-dot-segment'],
    ['trailing parent', 'a/..', 'key-dot-segment'],
    ['current segment', './x', 'key-dot-segment'],
    ['backslash traversal', '..\\globex\\x', 'key-backslash'],
    ['backslash', 'a\\b', 'key-backslash'],
    ['NUL', 'a\u0000b', 'key-control-character'],
    ['newline', 'a\nb', 'key-control-character'],
    ['DEL', 'a\u007fb', 'key-control-character'],
    ['C1 control', 'a\u0085b', 'key-control-character'],
    ['line separator', 'a\u2028b', 'key-control-character'],
    ['double slash', 'a//b', 'key-empty-segment'],
    ['trailing slash', 'a/', 'key-empty-segment'],
    ['too long', 'x'.repeat(1024 - 'tenants/acme/'.length + 1), 'key-too-long'],
  ];
  test.each(refused)('refuses %s', (_name, key, code) => {
    expectKeyError(() => tenantObjectKey(acme, key as string), code);
  });

  test('the longest key that fits is accepted', () => {
    const key = 'x'.repeat(1024 - 'tenants/acme/'.length);
    expect(tenantObjectKey(acme, key)).toHaveLength(1024);
  });

  test('checkRelativeKey is the same rule without a tenant', () => {
    expectKeyError(() => checkRelativeKey('../x'), 'key-dot-segment');
    expect(checkRelativeKey('a/b')).toBe('a/b');
  });
});

describe('tenantRelativeKey: a full key from elsewhere must be under the context prefix', () => {
  test('accepts its own prefix', () => {
    expect(tenantRelativeKey(acme, 'tenants/acme/exports/1.csv')).toBe('exports/1.csv');
  });
  test.each([
    ['a neighbour whose id starts with the same letters', 'tenants/acme-corp/exports/1.csv', 'key-outside-tenant-prefix'],
    ['the prefix without its delimiter', 'tenants/acmex/1.csv', 'key-outside-tenant-prefix'],
    ['another tenant', 'tenants/globex/1.csv', 'key-outside-tenant-prefix'],
    ['the bucket root', 'exports/1.csv', 'key-outside-tenant-prefix'],
    ['the prefix itself', 'tenants/acme/', 'key-empty'],
    ['escape after the prefix', 'tenants/acme/../globex/1.csv', 'key-dot-segment'],
  ] as const)('refuses %s', (_name, key, code) => {
    expectKeyError(() => tenantRelativeKey(acme, key), code);
  });
  test('acme-corp reads its own key that acme was refused', () => {
    expect(tenantRelativeKey(acmeCorp, 'tenants/acme-corp/exports/1.csv')).toBe('exports/1.csv');
  });
});

describe('TenantObjectStore presigned URLs', () => {
  function setup(storeProps: Partial<ConstructorParameters<typeof TenantObjectStore>[0]> = {}) {
    let clock = Date.parse('2026-11-26T09:00:00Z');
    const now = () => clock;
    const sts = new RecordingStsDouble({ now });
    const vendor = new TenantCredentialVendor({ roleArn: DOUBLE_ROLE_ARN, sts, region: 'eu-west-1', now });
    const store = new TenantObjectStore({ clients: vendor, bucket: 'pool-bucket', now, ...storeProps });
    return { store, vendor, sts, advance: (s: number) => (clock += s * 1000) };
  }

  test('a GET URL is under the tenant prefix, short, and signed with the tenant session', async () => {
    const { store, vendor } = setup();
    const signed = await store.presignGet(acme, 'exports/e1.csv');
    const url = new URL(signed.url);
    expect(url.hostname).toBe('pool-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/tenants/acme/exports/e1.csv');
    expect(signed.key).toBe('tenants/acme/exports/e1.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(signed.expiresInSeconds).toBe(60);
    const creds = await vendor.credentials(acme);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(creds.sessionToken);
    expect(RecordingStsDouble.tenantOfToken(url.searchParams.get('X-Amz-Security-Token')!)).toBe('acme');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${creds.accessKeyId}/20261126/eu-west-1/s3/aws4_request$`));
  });

  test('acme and acme-corp URLs carry their own sessions and prefixes', async () => {
    const { store } = setup();
    const [a, b] = await Promise.all([store.presignGet(acme, 'x'), store.presignGet(acmeCorp, 'x')]);
    const ua = new URL(a.url);
    const ub = new URL(b.url);
    expect([ua.pathname, RecordingStsDouble.tenantOfToken(ua.searchParams.get('X-Amz-Security-Token')!)]).toEqual(['/tenants/acme/x', 'acme']);
    expect([ub.pathname, RecordingStsDouble.tenantOfToken(ub.searchParams.get('X-Amz-Security-Token')!)]).toEqual(['/tenants/acme-corp/x', 'acme-corp']);
  });

  test('a long request is clamped to the maximum', async () => {
    const { store } = setup();
    const signed = await store.presignGet(acme, 'x', { expiresInSeconds: 7 * 24 * 3600 });
    expect(signed.expiresInSeconds).toBe(300);
    expect(new URL(signed.url).searchParams.get('X-Amz-Expires')).toBe('300');
  });

  test('the lifetime never exceeds what is left of the tenant session', async () => {
    const { store, advance } = setup({ maxPresignSeconds: 900 });
    await store.presignGet(acme, 'x'); // session issued: 900 s
    advance(500); // 400 s left, still above the 360 s refresh window
    const signed = await store.presignGet(acme, 'x', { expiresInSeconds: 900 });
    expect(signed.expiresInSeconds).toBe(400);
  });

  test('a PUT URL is under the prefix; escapes are refused before signing', async () => {
    const { store, sts } = setup();
    expect(new URL((await store.presignPut(acme, 'uploads/in.csv', { contentType: 'text/csv' })).url).pathname).toBe('/tenants/acme/uploads/in.csv');
    const calls = sts.requests.length;
    await expect(store.presignPut(acme, '../globex/in.csv')).rejects.toMatchObject({ code: 'key-dot-segment' });
    await expect(store.presignGet(acme, '/tenants/globex/x')).rejects.toMatchObject({ code: 'key-absolute' });
    expect(sts.requests.length).toBe(calls);
  });

  test('a silo tenant is signed for its own bucket', async () => {
    const { store } = setup({ bucket: (t: TenantId) => (t.value === 'acme-corp' ? 'acme-corp-silo' : 'pool-bucket') });
    expect(new URL((await store.presignGet(acmeCorp, 'x')).url).hostname).toBe('acme-corp-silo.s3.eu-west-1.amazonaws.com');
    expect(new URL((await store.presignGet(acme, 'x')).url).hostname).toBe('pool-bucket.s3.eu-west-1.amazonaws.com');
  });

  test('helpers refuse anything but a minted TenantContext', async () => {
    const { store } = setup();
    const forged = Object.assign(Object.create(TenantContext.prototype), { tenant: TenantId.parse('globex') }) as TenantContext;
    expect(() => tenantObjectKey(forged, 'x')).toThrow(TenantContextRequiredError);
    expect(() => tenantRelativeKey(forged, 'tenants/globex/x')).toThrow(TenantContextRequiredError);
    expect(() => store.client(forged)).toThrow(TenantContextRequiredError);
    await expect(store.presignGet(forged, 'x')).rejects.toBeInstanceOf(TenantContextRequiredError);
  });

  test('configuration out of range is refused', () => {
    const { vendor } = setup();
    expect(() => new TenantObjectStore({ clients: vendor, bucket: 'Bad_Bucket', maxPresignSeconds: 86400 })).toThrow(/maxPresignSeconds 86400.*bucket "Bad_Bucket"/);
  });
});
