/**
 * The application-side search guard: body clauses that name another tenant's index are refused;
 * the same clauses inside the tenant's own prefix pass.
 */
import { assertQueryStaysInTenant, assertTemplateStaysInTenant, SearchGuardError, tenantIndexName } from '../../../../lib/boundaries/search/runtime/search-request-guard';
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
    expect(() => assertQueryStaysInTenant(acme, { settings: {}, aliases: { 'tenant-acme-corp.orders': {} } })).toThrow(
      /\$\.aliases names alias "tenant-acme-corp\.orders"/,
    );
    expect(() => assertQueryStaysInTenant(acme, { aliases: { 'tenant-acme.current': {} } })).not.toThrow();
  });

  test('reports every offending clause at once', () => {
    expect(() => assertQueryStaysInTenant(acme, { a: { index: 'tenant-b1.x' }, b: [{ _index: 'tenant-b2.y' }] })).toThrow(
      /\$\.a\.index names "tenant-b1\.x".*; \$\.b\[0\]\._index names "tenant-b2\.y"/,
    );
  });
});

/** A terms lookup into globex's index, as a template source string (issue 20 item 1). */
const LOOKUP = '{"query":{"terms":{"user":{"index":"tenant-globex.users","id":"1","path":"followers"}}}}';

describe('string-embedded sources and APIs that name indexes in the body (issue 20 item 1)', () => {
  const refused: Array<[string, unknown]> = [
    ['a JSON-string template source with a terms lookup', { source: LOOKUP, params: {} }],
    [
      'a Mustache template source with a terms lookup',
      { source: '{"query":{"terms":{"user":{"index":"tenant-globex.users","id":"{{id}}","path":"p"}}},"size":{{size}}}', params: { id: '1', size: 3 } },
    ],
    [
      'a template that fills the index from a parameter',
      { source: '{"query":{"terms":{"u":{"index":"{{idx}}","id":"1","path":"p"}}}}', params: { idx: 'tenant-globex.users' } },
    ],
    [
      'a template with an unquoted parameter as the index',
      { source: '{"query":{"terms":{"u":{"index":{{#toJson}}idx{{/toJson}},"id":"1","path":"p"}}}}', params: { idx: 'tenant-globex.users' } },
    ],
    ['a template whose key comes from a parameter', { source: '{"query":{"terms":{"u":{"{{k}}":"tenant-globex.users","id":"1","path":"p"}}}}', params: { k: 'index' } }],
    ['a template with a unicode-escaped key', { source: '{"query":{"terms":{"u":{"\\u0069ndex":"tenant-globex.users","id":"1","path":"p"}}}}' }],
    ['more_like_this like docs in a template string', { source: '{"query":{"more_like_this":{"like":[{"_index":"tenant-globex.docs","_id":"9"}]}}}' }],
    ['percolate with index/id in a template string', { source: '{"query":{"percolate":{"field":"q","index":"tenant-globex.docs","id":"1"}}}' }],
    [
      'geo_shape indexed_shape in a template string',
      { source: '{"query":{"geo_shape":{"loc":{"indexed_shape":{"index":"tenant-globex.shapes","id":"x","path":"s"}}}}}' },
    ],
    ['a parameter holding a JSON query with a lookup', { source: '{"query": {{#toJson}}q{{/toJson}} }', params: { q: JSON.parse(LOOKUP).query } }],
    ['a parameter holding the lookup as a JSON string', { source: '{"query": {{{q}}} }', params: { q: JSON.stringify(JSON.parse(LOOKUP).query) } }],
    [
      'unescaped fragments that assemble the key',
      { source: '{"query":{"terms":{"u":{{{{a}}}{{{b}}},"id":"1","path":"p"}}}}', params: { a: '"ind', b: 'ex":"tenant-globex.users"' } },
    ],
    ['a JSON string nested in a JSON string', { source: JSON.stringify({ query: { bool: { filter: [{ nested_text: LOOKUP }] } } }) }],
    ['_reindex from globex', { source: { index: 'tenant-globex.orders' }, dest: { index: 'tenant-acme.copy' } }],
    ['_reindex into globex', { source: { index: 'tenant-acme.orders' }, dest: { index: 'tenant-globex.orders' } }],
    ['_reindex from a remote cluster', { source: { remote: { host: 'https://10.0.0.1:9200' }, index: 'tenant-acme.x' }, dest: { index: 'tenant-acme.y' } }],
    ['_aliases add an alias in globex', { actions: [{ add: { index: 'tenant-acme.orders', alias: 'tenant-globex.orders' } }] }],
    ['_aliases add over globex indices', { actions: [{ add: { indices: ['tenant-acme.a', 'tenant-globex.b'], alias: 'tenant-acme.all' } }] }],
    ['_aliases aliases list', { actions: [{ add: { index: 'tenant-acme.orders', aliases: ['tenant-acme.x', 'tenant-globex.y'] } }] }],
    ['_update_by_query with a terms lookup', { query: { terms: { f: { index: 'tenant-globex.users', id: '1', path: 'p' } } }, script: { source: 'ctx._source.x = 1' } }],
    [
      '_delete_by_query with a terms lookup in a base64 wrapper query',
      { query: { wrapper: { query: Buffer.from('{"terms":{"f":{"index":"tenant-globex.u","id":"1","path":"p"}}}').toString('base64') } } },
    ],
    ['index creation planting a write alias in globex', { settings: { index: { number_of_shards: 1 } }, aliases: { 'tenant-globex.orders': { is_write_index: true } } }],
    ['an alias with a wildcard', { actions: [{ add: { index: 'tenant-acme.orders', alias: 'tenant-acme.*' } }] }],
    ['indices_boost naming globex', { indices_boost: [{ 'tenant-globex.x': 2 }], query: { match_all: {} } }],
    ['pinned docs in globex', { query: { pinned: { docs: [{ _index: 'tenant-globex.x', _id: '1' }], organic: { match_all: {} } } } }],
    ['geo_shape indexed_shape without index (the shared default "shapes" index)', { query: { geo_shape: { loc: { indexed_shape: { id: 'x', path: 's' } } } } }],
  ];
  test.each(refused)('refuses %s', (_name, body) => {
    let error: unknown;
    try {
      assertQueryStaysInTenant(acme, body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SearchGuardError);
    expect((error as SearchGuardError).code).toBe('body-names-other-index');
    expect((error as Error).message).toMatch(/^query refused for tenant "acme": \$.* outside tenant-acme\.\*/);
  });

  test('a stored template (id) is refused: stored scripts are cluster-wide', () => {
    expect(() => assertTemplateStaysInTenant(acme, { id: 'shared-template', params: { q: 'x' } })).toThrow(
      expect.objectContaining({ code: 'stored-template', message: expect.stringMatching(/stored templates \("shared-template"\) are cluster-wide/) }),
    );
  });

  const accepted: Array<[string, unknown]> = [
    ['a Mustache template on own fields', { source: '{"query":{"match":{"title":"{{q}}"}},"size":{{size}}}', params: { q: 'index', size: 10 } }],
    ['a template with a lookup into the own prefix', { source: '{"query":{"terms":{"u":{"index":"tenant-acme.users","id":"{{id}}","path":"p"}}}}', params: { id: '1' } }],
    ['a JSON-string source inside the own prefix', { source: LOOKUP.replace('tenant-globex.users', 'tenant-acme.users') }],
    ['an own reindex', { source: { index: 'tenant-acme.a' }, dest: { index: 'tenant-acme.b' } }],
    [
      'index creation with settings, mappings (index: false) and an own alias',
      { settings: { index: { number_of_shards: 1 } }, mappings: { properties: { secret: { type: 'keyword', index: false } } }, aliases: { 'tenant-acme.current': {} } },
    ],
    ['a match query on the word "index"', { query: { match: { body: 'index' } } }],
  ];
  test.each(accepted)('accepts %s', (_name, body) => {
    expect(() => assertQueryStaysInTenant(acme, body)).not.toThrow();
  });
});
