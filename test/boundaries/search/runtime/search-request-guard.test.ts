/**
 * The application-side search guard: body clauses that name another tenant's index are refused;
 * the same clauses inside the tenant's own prefix pass.
 */
import { assertQueryStaysInTenant, SearchGuardError, tenantIndexName } from '../../../../lib/boundaries/search/runtime/search-request-guard';
import { TenantId } from '../../../../lib/core/tenant-id';

const acme = TenantId.parse('acme');

describe('tenantIndexName', () => {
  test('builds tenant-<id>.<name>', () => {
    expect(tenantIndexName(acme, 'orders')).toBe('tenant-acme.orders');
  });
  test.each(['*', 'orders,x', 'Orders', 'a/b', '', '../x', 'x y', '_all'])('refuses %j', (name) => {
    expect(() => tenantIndexName(acme, name)).toThrow(SearchGuardError);
  });
});

describe('assertQueryStaysInTenant', () => {
  const foreign: Array<[string, unknown]> = [
    ['terms lookup into acme-corp', { query: { terms: { user: { index: 'tenant-acme-corp.users', id: '1', path: 'followers' } } } }],
    ['more_like_this naming acme-corp docs', { query: { more_like_this: { fields: ['t'], like: [{ _index: 'tenant-acme-corp.docs', _id: '9' }] } } }],
    ['geo_shape indexed_shape from acme-corp', { query: { geo_shape: { loc: { indexed_shape: { index: 'tenant-acme-corp.shapes', id: 'x', path: 'shape' } } } } }],
    ['percolate against acme-corp', { query: { percolate: { field: 'q', index: 'tenant-acme-corp.docs', id: '1' } } }],
    ['a prefix without the delimiter', { query: { terms: { f: { index: 'tenant-acme-corp', id: '1', path: 'p' } } } }],
    ['a comma list starting in acme', { query: { terms: { f: { index: 'tenant-acme.x,tenant-acme-corp.y', id: '1', path: 'p' } } } }],
    ['_all', { query: { terms: { f: { index: '_all', id: '1', path: 'p' } } } }],
    ['a wildcard across tenants', { query: { terms: { f: { index: 'tenant-*', id: '1', path: 'p' } } } }],
    ['an index list with one foreign entry', { query: { terms: { f: { index: ['tenant-acme.x', 'tenant-globex.y'], id: '1', path: 'p' } } } }],
    ['a non-string index', { query: { terms: { f: { index: { name: 'tenant-acme.x' }, id: '1', path: 'p' } } } }],
  ];
  test.each(foreign)('refuses %s', (_name, query) => {
    expect(() => assertQueryStaysInTenant(acme, query)).toThrow(/query refused for tenant "acme": \$\..* outside tenant-acme\.\*/);
  });

  test('accepts the same clauses inside the own prefix, and queries that name no index', () => {
    expect(() => assertQueryStaysInTenant(acme, { query: { terms: { f: { index: 'tenant-acme.users', id: '1', path: 'p' } } } })).not.toThrow();
    expect(() => assertQueryStaysInTenant(acme, { query: { more_like_this: { like: [{ _index: 'tenant-acme.docs', _id: '1' }] } } })).not.toThrow();
    expect(() => assertQueryStaysInTenant(acme, { query: { match: { title: 'index' } }, size: 10 })).not.toThrow();
  });

  test("an index-creation body cannot plant an alias in acme-corp's namespace", () => {
    expect(() => assertQueryStaysInTenant(acme, { settings: {}, aliases: { 'tenant-acme-corp.orders': {} } })).toThrow(/\$\.aliases names alias "tenant-acme-corp\.orders"/);
    expect(() => assertQueryStaysInTenant(acme, { aliases: { 'tenant-acme.current': {} } })).not.toThrow();
  });

  test('reports every offending clause at once', () => {
    expect(() =>
      assertQueryStaysInTenant(acme, { a: { index: 'tenant-b1.x' }, b: [{ _index: 'tenant-b2.y' }] }),
    ).toThrow(/\$\.a\.index names "tenant-b1\.x".*; \$\.b\[0\]\._index names "tenant-b2\.y"/);
  });
});
