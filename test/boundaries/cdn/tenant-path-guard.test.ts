/**
 * The CDN's CloudFront Function (policies/cdn/tenant-path-guard.js), run locally: the exact
 * source the construct deploys is loaded in node's `vm` and `handler(event)` is called with the
 * CloudFront Functions viewer-request event shape (CloudFront Developer Guide,
 * functions-event-structure: `event.request.uri`, `headers.<lower-case name>.value`).
 * Attacks act as one tenant's URL reaching for another's objects; every refusal asserts its
 * reason, every pass asserts the request goes on unchanged.
 */
import * as fs from 'fs';
import * as vm from 'vm';
import { TENANT_PATH_GUARD_FILE, tenantPathGuardSource } from '../../../lib/boundaries/cdn/tenant-path-guard-source';

interface CfRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
  cookies: Record<string, { value: string }>;
}
interface CfResponse {
  statusCode: number;
  headers: Record<string, { value: string }>;
}

function load(suffix = ''): (uri: string, host?: string) => CfRequest | CfResponse {
  const context = vm.createContext({});
  vm.runInContext(tenantPathGuardSource(suffix), context, { filename: 'tenant-path-guard.js' });
  const handler = context.handler as (event: unknown) => CfRequest | CfResponse;
  return (uri, host = 'd111111abcdef8.cloudfront.net') => {
    const request: CfRequest = { method: 'GET', uri, querystring: {}, headers: { host: { value: host } }, cookies: {} };
    const event = { version: '1.0', context: { eventType: 'viewer-request', distributionId: 'EDFDVBD6EXAMPLE' }, viewer: { ip: '198.51.100.1' }, request };
    return handler(event);
  };
}

const refusal = (r: CfRequest | CfResponse) => ('statusCode' in r ? `${r.statusCode} ${r.headers['x-tenant-refusal']?.value}` : 'passed');

describe('tenant path guard on the distribution domain (tenant from the path)', () => {
  const guard = load();

  it.each([['/tenants/acme/exports/2026/report.pdf'], ['/tenants/acme-corp/a'], ['/tenants/acme/name%20with%20spaces.txt'], ['/tenants/acme/caf%C3%A9.png']])(
    'passes %s unchanged',
    (uri) => {
      const out = guard(uri) as CfRequest;
      expect(refusal(out)).toBe('passed');
      expect(out.uri).toBe(uri);
    },
  );

  it.each([
    // Path traversal, raw and encoded, into another tenant's prefix.
    ['/tenants/acme/../globex/secret.pdf', 'unsafe-path'],
    ['/tenants/acme/./x', 'unsafe-path'],
    ['/tenants/acme/%2e%2e/globex/secret.pdf', 'unsafe-path'],
    ['/tenants/acme/%2E%2E/globex/secret.pdf', 'unsafe-path'],
    ['/tenants/acme/.%2e/globex/secret.pdf', 'unsafe-path'],
    ['/tenants/acme/%2e./globex/secret.pdf', 'unsafe-path'],
    ['/tenants/acme/x/%2e%2e/%2e%2e/globex/y', 'unsafe-path'],
    // Encoded slash and backslash: one raw segment, two decoded ones.
    ['/tenants/acme/..%2fglobex%2fsecret.pdf', 'unsafe-path'],
    ['/tenants/acme/x%2F..%2F..%2Fglobex%2Fy', 'unsafe-path'],
    ['/tenants/acme/..%5cglobex%5csecret', 'unsafe-path'],
    ['/tenants/acme/..\\globex\\secret', 'unsafe-path'],
    // Double slashes and empty keys.
    ['/tenants/acme//globex/x', 'unsafe-path'],
    ['/tenants/acme/x//y', 'unsafe-path'],
    ['/tenants/acme/', 'unsafe-path'],
    ['/tenants//acme/x', 'no-tenant-path'],
    ['//tenants/acme/x', 'no-tenant-path'],
    // Control characters and broken encodings.
    ['/tenants/acme/a%00b', 'unsafe-path'],
    ['/tenants/acme/a%0d%0aSet-Cookie:x', 'unsafe-path'],
    ['/tenants/acme/%E0%A4%A', 'unsafe-path'],
    // Case variants: tenant ids and the root are lower case; anything else is not a tenant path.
    ['/tenants/ACME/x', 'bad-tenant-id'],
    ['/tenants/Acme/x', 'bad-tenant-id'],
    ['/Tenants/acme/x', 'no-tenant-path'],
    ['/TENANTS/acme/x', 'no-tenant-path'],
    // Encoded tenant ids are not tenant ids.
    ['/tenants/%61cme/x', 'bad-tenant-id'],
    ['/tenants/acme%2dcorp/x', 'bad-tenant-id'],
    // Missing or malformed tenant.
    ['/', 'no-tenant-path'],
    ['/index.html', 'no-tenant-path'],
    ['/tenants/', 'no-tenant-path'],
    ['/tenants/acme', 'no-tenant-path'],
    ['/tenantsacme/x', 'no-tenant-path'],
    ['/tenants/a/x', 'bad-tenant-id'],
    ['/tenants/acme--corp/x', 'bad-tenant-id'],
    ['/tenants/acme-/x', 'bad-tenant-id'],
    ['/tenants/1acme/x', 'bad-tenant-id'],
    ['/tenants/*/x', 'bad-tenant-id'],
  ])('refuses %s (%s)', (uri, reason) => {
    const out = guard(uri) as CfResponse;
    expect(refusal(out)).toBe(`403 ${reason}`);
    expect(out.headers['cache-control'].value).toBe('no-store');
  });

  it('keeps prefix-colliding ids apart: acme and acme-corp are two tenants, each its own path', () => {
    expect((guard('/tenants/acme/x') as CfRequest).uri.split('/')[2]).toBe('acme');
    expect((guard('/tenants/acme-corp/x') as CfRequest).uri.split('/')[2]).toBe('acme-corp');
  });
});

describe('tenant path guard with host-based tenancy (<id>.files.example.com)', () => {
  const guard = load('.files.example.com');

  it('passes a host and a path of the same tenant', () => {
    expect(refusal(guard('/tenants/acme/x', 'acme.files.example.com'))).toBe('passed');
    expect(refusal(guard('/tenants/acme-corp/x', 'ACME-CORP.files.example.com:443'))).toBe('passed');
  });

  it.each([
    // A host of one tenant with a path of another.
    ['/tenants/globex/secret.pdf', 'acme.files.example.com', 'host-path-mismatch'],
    ['/tenants/acme-corp/x', 'acme.files.example.com', 'host-path-mismatch'],
    ['/tenants/acme/x', 'acme-corp.files.example.com', 'host-path-mismatch'],
    // Hosts that are no tenant host: the distribution domain, look-alikes, nested labels.
    ['/tenants/acme/x', 'd111111abcdef8.cloudfront.net', 'unknown-host'],
    ['/tenants/acme/x', 'acme.files.example.com.evil.test', 'unknown-host'],
    ['/tenants/acme/x', 'acmefiles.example.com', 'unknown-host'],
    ['/tenants/acme/x', 'x.acme.files.example.com', 'unknown-host'],
    ['/tenants/acme/x', '.files.example.com', 'unknown-host'],
    // The path checks come first, whatever the host.
    ['/tenants/acme/../globex/x', 'acme.files.example.com', 'unsafe-path'],
  ])('refuses %s on host %s (%s)', (uri, host, reason) => {
    expect(refusal(guard(uri, host))).toBe(`403 ${reason}`);
  });

  it('refuses a request without a Host header', () => {
    const context = vm.createContext({});
    vm.runInContext(tenantPathGuardSource('.files.example.com'), context);
    const out = (context.handler as (e: unknown) => CfResponse)({ request: { method: 'GET', uri: '/tenants/acme/x', headers: {}, querystring: {}, cookies: {} } });
    expect(refusal(out)).toBe('403 unknown-host');
  });

  it('refuses a host suffix that is not a DNS suffix (it is pasted into the function source)', () => {
    expect(() => tenantPathGuardSource('files.example.com')).toThrow(/led by a dot/);
    expect(() => tenantPathGuardSource(".example.com'; x='")).toThrow(/DNS suffix/);
  });
});

describe('tenant path guard source', () => {
  it('fits the CloudFront Functions code size quota (10 KB) and uses no runtime-1.0-only or Node API', () => {
    const source = tenantPathGuardSource('.files.example.com');
    expect(Buffer.byteLength(source)).toBeLessThan(10 * 1024); // CloudFront Developer Guide, cloudfront-limits (functions)
    expect(source).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
    expect(source).toContain("var TENANT_HOST_SUFFIX = '.files.example.com';");
  });

  it('fails closed if the placeholder were ever left in: every host is unknown', () => {
    const context = vm.createContext({});
    vm.runInContext(fs.readFileSync(TENANT_PATH_GUARD_FILE, 'utf8'), context);
    const out = (context.handler as (e: unknown) => CfResponse)({
      request: { method: 'GET', uri: '/tenants/acme/x', headers: { host: { value: 'acme.files.example.com' } }, querystring: {}, cookies: {} },
    });
    expect(refusal(out)).toBe('403 unknown-host');
  });
});
