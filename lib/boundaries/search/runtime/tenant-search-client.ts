/**
 * `TenantSearchClient`: the one way application code talks to the search domain. It takes a
 * verified TenantContext and a transport, and checks EVERY request before the transport sees it:
 *
 * - the path names exactly one index (or an index pattern for reads) inside `tenant-<id>.`, and an
 *   endpoint from a closed list (aliases, reindex, clone/split/shrink/rollover, stored scripts and
 *   `_render/template` are operator work and refused; IAM denies them too);
 * - the body goes through `assertQueryStaysInTenant` / `assertTemplateStaysInTenant`
 *   (search-request-guard.ts) according to what the endpoint reads: query DSL, index creation,
 *   templates, NDJSON `_msearch` / `_msearch/template` lines, `_bulk` action lines (documents
 *   themselves are data and are not inspected).
 *
 * IAM authorizes the URL (docs/search.md); this client is the layer for the body, which IAM does
 * not see. A refused request never reaches the transport.
 *
 * The transport signs and sends (SigV4, service `es`, with the tenant session's credentials from
 * TenantCredentialVendor); it is an interface so that this module has no SDK dependency and
 * tests can record what would be sent. No aws-cdk-lib import: this module runs in application code.
 */
import { assertTenantContext, TenantContext } from '../../identity/runtime/tenant-context';
import { indexPrefix } from '../../../core/namespace';
import { TenantId } from '../../../core/tenant-id';
import { assertQueryStaysInTenant, assertTemplateStaysInTenant, SearchGuardError, tenantIndexName } from './search-request-guard';

export type SearchMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface SearchHttpRequest {
  readonly method: SearchMethod;
  /** `/tenant-<id>.<name>/<endpoint>`, optionally with a query string. */
  readonly path: string;
  /** JSON, or NDJSON for `_bulk` and the `_msearch` endpoints. */
  readonly body?: string;
  readonly contentType?: 'application/json' | 'application/x-ndjson';
}

export interface SearchHttpResponse {
  readonly status: number;
  readonly body: string;
}

/** Signs (SigV4, service `es`) and sends one request to the domain endpoint. */
export interface SearchTransport {
  send(request: SearchHttpRequest): Promise<SearchHttpResponse>;
}

/** What an endpoint's body is, which decides how it is checked. */
type BodyKind = 'none' | 'query' | 'index-create' | 'settings' | 'mappings' | 'template' | 'msearch' | 'msearch-template' | 'bulk' | 'document';

interface Endpoint {
  readonly pattern: RegExp;
  readonly methods: readonly SearchMethod[];
  readonly body: BodyKind;
  /** Reads may target an index pattern inside the prefix (`tenant-acme.logs-*`). */
  readonly read?: boolean;
}

/** The endpoints a tenant may call below its own index. Everything else is refused. */
const ENDPOINTS: readonly Endpoint[] = [
  { pattern: /^$/, methods: ['PUT'], body: 'index-create' },
  { pattern: /^$/, methods: ['GET', 'HEAD', 'DELETE'], body: 'none' },
  { pattern: /^_search$/, methods: ['GET', 'POST'], body: 'query', read: true },
  { pattern: /^_count$/, methods: ['GET', 'POST'], body: 'query', read: true },
  { pattern: /^_validate\/query$/, methods: ['GET', 'POST'], body: 'query', read: true },
  { pattern: /^_explain\/[^/]+$/, methods: ['GET', 'POST'], body: 'query' },
  { pattern: /^_search\/template$/, methods: ['GET', 'POST'], body: 'template', read: true },
  { pattern: /^_msearch$/, methods: ['GET', 'POST'], body: 'msearch', read: true },
  { pattern: /^_msearch\/template$/, methods: ['GET', 'POST'], body: 'msearch-template', read: true },
  { pattern: /^_update_by_query$/, methods: ['POST'], body: 'query' },
  { pattern: /^_delete_by_query$/, methods: ['POST'], body: 'query' },
  { pattern: /^_mget$/, methods: ['GET', 'POST'], body: 'query' },
  { pattern: /^_bulk$/, methods: ['POST', 'PUT'], body: 'bulk' },
  { pattern: /^_doc$/, methods: ['POST'], body: 'document' },
  { pattern: /^_(?:doc|create)\/[^/]+$/, methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'], body: 'document' },
  { pattern: /^_update\/[^/]+$/, methods: ['POST'], body: 'document' },
  { pattern: /^_source\/[^/]+$/, methods: ['GET', 'HEAD'], body: 'none' },
  { pattern: /^_mappings?$/, methods: ['GET', 'PUT', 'POST'], body: 'mappings' },
  { pattern: /^_settings$/, methods: ['GET', 'PUT'], body: 'settings' },
  { pattern: /^_refresh$/, methods: ['GET', 'POST'], body: 'none' },
  { pattern: /^_analyze$/, methods: ['GET', 'POST'], body: 'query' },
];

const NAME = /^[a-z0-9][a-z0-9_-]{0,199}$/;
const NAME_PATTERN = /^[a-z0-9*][a-z0-9_*-]{0,199}$/;

function parseJson(text: string, where: string, tenant: TenantId): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SearchGuardError(`request refused for tenant "${tenant.value}": ${where} is not valid JSON`, 'body-invalid');
  }
}

function ndjsonLines(body: unknown): string[] {
  if (Array.isArray(body)) return body.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  if (typeof body === 'string') return body.split('\n').filter((l) => l.trim() !== '');
  throw new TypeError('an NDJSON body is an array of lines (objects or JSON strings) or a string');
}

export class TenantSearchClient {
  /** The tenant every request of this client is checked against. */
  public readonly tenant: TenantId;
  private readonly prefix: string;

  constructor(
    ctx: TenantContext,
    private readonly transport: SearchTransport,
  ) {
    assertTenantContext(ctx, 'TenantSearchClient');
    this.tenant = ctx.tenant;
    this.prefix = indexPrefix(ctx.tenant);
  }

  /** `tenant-<id>.<name>` for this client's tenant. */
  public indexName(name: string): string {
    return tenantIndexName(this.tenant, name);
  }

  public search(name: string, body: unknown = { query: { match_all: {} } }): Promise<SearchHttpResponse> {
    return this.request('POST', `/${this.indexName(name)}/_search`, body);
  }

  public searchTemplate(name: string, body: { source: unknown; params?: Record<string, unknown> }): Promise<SearchHttpResponse> {
    return this.request('POST', `/${this.indexName(name)}/_search/template`, body);
  }

  public createIndex(name: string, body: unknown = {}): Promise<SearchHttpResponse> {
    return this.request('PUT', `/${this.indexName(name)}`, body);
  }

  public putDocument(name: string, id: string, doc: unknown): Promise<SearchHttpResponse> {
    // The domain policy denies percent-encoded `/`, `,` and `.` in paths (docs/search.md).
    if (id === '' || encodeURIComponent(id) !== id || id.includes('.')) {
      return Promise.reject(
        new SearchGuardError(
          `request refused for tenant "${this.tenant.value}": document id ${JSON.stringify(id)} must be URL-safe without "." (a-z, 0-9, -, _, ~)`,
          'path-refused',
        ),
      );
    }
    return this.request('PUT', `/${this.indexName(name)}/_doc/${id}`, doc);
  }

  /**
   * Checks and sends any request below one of the tenant's indexes. `body` is an object (sent as
   * JSON), or for `_bulk` / `_msearch` / `_msearch/template` an array of lines or an NDJSON
   * string. Throws SearchGuardError before anything is sent when the request leaves the tenant.
   */
  public async request(method: SearchMethod, path: string, body?: unknown): Promise<SearchHttpResponse> {
    const endpoint = this.checkPath(method, path);
    const request = this.checkBody(endpoint, method, path, body);
    return this.transport.send(request);
  }

  private refuse(message: string, code: 'path-refused' | 'body-invalid' = 'path-refused'): never {
    throw new SearchGuardError(`request refused for tenant "${this.tenant.value}": ${message}`, code);
  }

  private checkPath(method: SearchMethod, fullPath: string): Endpoint {
    const [path] = fullPath.split('?', 1);
    if (/%|\.\.|,|\/\/|\\/.test(path)) this.refuse(`path ${JSON.stringify(path)} has an encoded character, "..", a comma or an empty segment`);
    if (!path.startsWith(`/${this.prefix}`))
      this.refuse(`path ${JSON.stringify(path)} is not below one of ${this.prefix}* (cluster, root and other tenants' paths are refused)`);
    const rest = path.slice(1 + this.prefix.length);
    const slash = rest.indexOf('/');
    const name = slash === -1 ? rest : rest.slice(0, slash);
    const tail = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/$/, '');
    const endpoint = ENDPOINTS.find((e) => e.pattern.test(tail) && e.methods.includes(method));
    if (!endpoint) {
      this.refuse(
        `${method} ${JSON.stringify(tail === '' ? '/' : tail)} is not an endpoint a tenant may call (aliases, reindex, clone, split, shrink, rollover, scripts and templates stored on the cluster are operator work)`,
      );
    }
    if (!(endpoint.read ? NAME_PATTERN : NAME).test(name)) {
      this.refuse(
        `index ${JSON.stringify(this.prefix + name)} must be ${this.prefix}<name> with <name> of a-z, 0-9, - and _${endpoint.read ? ' (and * for reads)' : ''}`,
      );
    }
    return endpoint;
  }

  private checkBody(endpoint: Endpoint, method: SearchMethod, path: string, body: unknown): SearchHttpRequest {
    if (body === undefined) return { method, path };
    const t = this.tenant;
    const json = (value: unknown): SearchHttpRequest => ({
      method,
      path,
      body: typeof value === 'string' ? value : JSON.stringify(value),
      contentType: 'application/json',
    });
    const asObject = (value: unknown, where: string): unknown => (typeof value === 'string' ? parseJson(value, where, t) : value);
    switch (endpoint.body) {
      case 'none':
        return this.refuse(`${method} ${path} takes no body`, 'body-invalid');
      case 'document':
        // Data, not instructions: a document may have a field called "index".
        return json(body);
      case 'query':
      case 'index-create':
        assertQueryStaysInTenant(t, asObject(body, 'the body'));
        return json(body);
      case 'settings':
        assertQueryStaysInTenant(t, { settings: asObject(body, 'the body') });
        return json(body);
      case 'mappings':
        // Mappings describe fields (`index: false` is a field option); they name no other index.
        asObject(body, 'the body');
        return json(body);
      case 'template':
        assertTemplateStaysInTenant(t, asObject(body, 'the body'));
        return json(body);
      case 'msearch':
      case 'msearch-template': {
        const lines = ndjsonLines(body);
        if (lines.length % 2 !== 0) this.refuse('an _msearch body is pairs of header and body lines', 'body-invalid');
        lines.forEach((line, i) => {
          const value = parseJson(line, `line ${i + 1}`, t);
          if (i % 2 === 0 || endpoint.body === 'msearch') assertQueryStaysInTenant(t, value);
          else assertTemplateStaysInTenant(t, value);
        });
        return { method, path, body: lines.join('\n') + '\n', contentType: 'application/x-ndjson' };
      }
      case 'bulk': {
        const lines = ndjsonLines(body);
        for (let i = 0; i < lines.length; i++) {
          const action = parseJson(lines[i], `line ${i + 1}`, t) as Record<string, unknown>;
          const verbs = action !== null && typeof action === 'object' ? Object.keys(action) : [];
          if (verbs.length !== 1 || !['index', 'create', 'update', 'delete'].includes(verbs[0])) {
            this.refuse(`_bulk line ${i + 1} is not one action (index, create, update or delete)`, 'body-invalid');
          }
          const meta = (action[verbs[0]] ?? {}) as Record<string, unknown>;
          if ('_index' in meta) assertQueryStaysInTenant(t, { _index: meta._index });
          // Every action but delete is followed by its document (data: not inspected).
          if (verbs[0] !== 'delete') i += 1;
        }
        return { method, path, body: lines.join('\n') + '\n', contentType: 'application/x-ndjson' };
      }
    }
  }
}
