/**
 * TenantSearchClient: tenant acme names tenant globex's indexes in every body form and path the
 * issue lists (issue 20 item 1); each is refused with SearchGuardError before the transport sees
 * anything. A RecordingSearchTransportDouble stands in for the signed HTTP transport.
 */
import { TenantContextRequiredError } from '../../../../lib/boundaries/identity/runtime/errors';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { SearchGuardError } from '../../../../lib/boundaries/search/runtime/search-request-guard';
import { SearchMethod, TenantSearchClient } from '../../../../lib/boundaries/search/runtime/tenant-search-client';
import { TenantId } from '../../../../lib/core/tenant-id';
import { RecordingSearchTransportDouble } from '../../../helpers/recording-search-transport-double';
import { newTestIssuer } from '../../../helpers/token-issuer';

const LOOKUP = { terms: { user: { index: 'tenant-globex.users', id: '1', path: 'followers' } } };

let acme: TenantContext;
beforeAll(async () => {
  acme = await (await newTestIssuer()).context('acme');
});

function client(): { search: TenantSearchClient; wire: RecordingSearchTransportDouble } {
  const wire = new RecordingSearchTransportDouble();
  return { search: new TenantSearchClient(acme, wire), wire };
}

async function refusal(p: Promise<unknown>): Promise<SearchGuardError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SearchGuardError) return e;
    throw e;
  }
  throw new Error('expected a SearchGuardError, but the request was sent');
}

describe('acme names globex in a request body: refused, nothing sent', () => {
  const cases: Array<[string, SearchMethod, string, unknown, RegExp]> = [
    ['terms lookup', 'POST', '/tenant-acme.x/_search', { query: LOOKUP }, /\$\.query\.terms\.user\.index names "tenant-globex\.users"/],
    [
      'more_like_this like docs',
      'POST',
      '/tenant-acme.x/_search',
      { query: { more_like_this: { like: [{ _index: 'tenant-globex.docs', _id: '9' }] } } },
      /_index names "tenant-globex\.docs"/,
    ],
    [
      'percolate with index/id',
      'POST',
      '/tenant-acme.x/_search',
      { query: { percolate: { field: 'q', index: 'tenant-globex.q', id: '1' } } },
      /percolate\.index names "tenant-globex\.q"/,
    ],
    [
      'geo_shape indexed_shape',
      'POST',
      '/tenant-acme.x/_search',
      { query: { geo_shape: { l: { indexed_shape: { index: 'tenant-globex.s', id: '1', path: 'p' } } } } },
      /indexed_shape\.index names "tenant-globex\.s"/,
    ],
    [
      '_search/template with a JSON-string source',
      'POST',
      '/tenant-acme.x/_search/template',
      { source: JSON.stringify({ query: LOOKUP }) },
      /\$\.source<json>\.query\.terms\.user\.index names "tenant-globex\.users"/,
    ],
    [
      '_search/template with a Mustache source',
      'POST',
      '/tenant-acme.x/_search/template',
      { source: '{"query":{"terms":{"u":{"index":"tenant-globex.users","id":"1","path":"p"}}},"size":{{n}}}', params: { n: 3 } },
      /\(a template\) names "tenant-globex\.users" in "index"/,
    ],
    [
      '_search/template with a stored template id',
      'POST',
      '/tenant-acme.x/_search/template',
      { id: 'cluster-template', params: {} },
      /stored templates \("cluster-template"\) are cluster-wide/,
    ],
    ['_count with a lookup', 'POST', '/tenant-acme.x/_count', { query: LOOKUP }, /names "tenant-globex\.users"/],
    [
      '_update_by_query with a lookup',
      'POST',
      '/tenant-acme.x/_update_by_query',
      { query: LOOKUP, script: { source: 'ctx._source.n = 1' } },
      /names "tenant-globex\.users"/,
    ],
    ['_delete_by_query with a lookup', 'POST', '/tenant-acme.x/_delete_by_query', { query: LOOKUP }, /names "tenant-globex\.users"/],
    [
      'index creation planting globex alias',
      'PUT',
      '/tenant-acme.x',
      { aliases: { 'tenant-globex.orders': { is_write_index: true } } },
      /\$\.aliases names alias "tenant-globex\.orders"/,
    ],
    ['_mget naming globex docs', 'POST', '/tenant-acme.x/_mget', { docs: [{ _index: 'tenant-globex.x', _id: '1' }] }, /_index names "tenant-globex\.x"/],
    [
      '_settings naming nothing but carrying a lookup string',
      'PUT',
      '/tenant-acme.x/_settings',
      { index: { default_pipeline: JSON.stringify(LOOKUP) } },
      /names "tenant-globex\.users"/,
    ],
  ];
  test.each(cases)('%s', async (_name, method, path, body, message) => {
    const { search, wire } = client();
    const e = await refusal(search.request(method, path, body));
    expect(e.code).toMatch(/^(body-names-other-index|stored-template)$/);
    expect(e.message).toMatch(/tenant "acme"/);
    expect(e.message).toMatch(message);
    expect(wire.sent).toEqual([]);
  });

  test('_msearch: a header or a body naming globex', async () => {
    const { search, wire } = client();
    const header = await refusal(search.request('POST', '/tenant-acme.x/_msearch', [{ index: 'tenant-globex.x' }, { query: { match_all: {} } }]));
    expect(header.message).toMatch(/\$\.index names "tenant-globex\.x"/);
    const body = await refusal(search.request('POST', '/tenant-acme.x/_msearch', `{}\n${JSON.stringify({ query: LOOKUP })}\n`));
    expect(body.message).toMatch(/names "tenant-globex\.users"/);
    expect(wire.sent).toEqual([]);
  });

  test('_msearch/template: a string source or a stored template', async () => {
    const { search, wire } = client();
    const inline = await refusal(search.request('POST', '/tenant-acme.x/_msearch/template', [{}, { source: JSON.stringify({ query: LOOKUP }) }]));
    expect(inline.message).toMatch(/\$\.source<json>\.query\.terms\.user\.index names "tenant-globex\.users"/);
    const stored = await refusal(search.request('POST', '/tenant-acme.x/_msearch/template', [{}, { id: 'x' }]));
    expect(stored.code).toBe('stored-template');
    expect(wire.sent).toEqual([]);
  });

  test('_bulk: an action naming globex; documents themselves are data', async () => {
    const { search, wire } = client();
    const e = await refusal(search.request('POST', '/tenant-acme.x/_bulk', [{ index: { _index: 'tenant-globex.x', _id: '1' } }, { title: 't' }]));
    expect(e.message).toMatch(/\$\._index names "tenant-globex\.x"/);
    expect(wire.sent).toEqual([]);
    await search.request('POST', '/tenant-acme.x/_bulk', [{ index: { _id: '1' } }, { index: 'a field called index', note: 'tenant-globex.x' }, { delete: { _id: '2' } }]);
    expect(wire.sent.map((r) => [r.path, r.contentType, r.body])).toEqual([
      ['/tenant-acme.x/_bulk', 'application/x-ndjson', '{"index":{"_id":"1"}}\n{"index":"a field called index","note":"tenant-globex.x"}\n{"delete":{"_id":"2"}}\n'],
    ]);
  });
});

describe('acme names globex (or the cluster) in the path: refused, nothing sent', () => {
  test.each([
    ['GET', '/tenant-globex.x/_search'],
    ['POST', '/tenant-acme.x,tenant-globex.x/_search'],
    ['POST', '/tenant-acme.x%2Ctenant-globex.x/_search'],
    ['POST', '/tenant-acme.x/../tenant-globex.x/_search'],
    ['POST', '/tenant-acme*/_search'],
    ['POST', '/_search'],
    ['POST', '/_reindex'],
    ['POST', '/_aliases'],
    ['PUT', '/tenant-acme.x/_alias/tenant-globex.y'],
    ['POST', '/tenant-acme.x/_clone/tenant-globex.z'],
    ['POST', '/tenant-acme.x/_rollover/tenant-globex.z'],
    ['POST', '/_render/template'],
    ['PUT', '/_scripts/t'],
    ['POST', '/tenant-acme.x/_reindex'],
    ['PUT', '/tenant-acme.*'],
    ['DELETE', '/tenant-acme.*'],
  ] as Array<[SearchMethod, string]>)('%s %s', async (method, path) => {
    const { search, wire } = client();
    const e = await refusal(search.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}));
    expect(e.code).toBe('path-refused');
    expect(e.message).toMatch(/^request refused for tenant "acme": /);
    expect(wire.sent).toEqual([]);
  });
});

describe("acme's own requests go out unchanged", () => {
  test('search, template, index creation, documents, own-prefix lookup', async () => {
    const { search, wire } = client();
    await search.search('orders', { query: { terms: { f: { index: 'tenant-acme.users', id: '1', path: 'p' } } } });
    await search.searchTemplate('orders', { source: '{"query":{"match":{"title":"{{q}}"}}}', params: { q: 'index' } });
    await search.createIndex('orders', { settings: { index: { number_of_shards: 1 } }, mappings: { properties: { s: { type: 'keyword', index: false } } } });
    await search.putDocument('orders', 'a-1', { index: 'tenant-globex.x' });
    await search.request('GET', '/tenant-acme.logs-*/_search');
    expect(wire.sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /tenant-acme.orders/_search',
      'POST /tenant-acme.orders/_search/template',
      'PUT /tenant-acme.orders',
      'PUT /tenant-acme.orders/_doc/a-1',
      'GET /tenant-acme.logs-*/_search',
    ]);
    expect(JSON.parse(wire.sent[0].body!)).toEqual({ query: { terms: { f: { index: 'tenant-acme.users', id: '1', path: 'p' } } } });
  });

  test('a document id that needs percent-encoding is refused (the domain policy denies %2F, %2C, %2E)', async () => {
    const { search, wire } = client();
    const e = await refusal(search.putDocument('orders', 'a/1', {}));
    expect(e.code).toBe('path-refused');
    expect(e.message).toMatch(/document id "a\/1"/);
    expect(wire.sent).toEqual([]);
  });
});

test('a forged context is refused before any client exists', () => {
  const forged = { tenant: TenantId.parse('globex') } as unknown as TenantContext;
  expect(() => new TenantSearchClient(forged, new RecordingSearchTransportDouble())).toThrow(TenantContextRequiredError);
});
