/**
 * Application-side guards for the search boundary, for what IAM cannot see.
 *
 * OpenSearch Service authorizes by URL (Developer Guide, ac). Some query clauses name another
 * index in the request BODY, where no IAM policy and no `rest.action.multi.allow_explicit_index`
 * setting looks: the terms lookup (`terms: { f: { index, id, path } }`), `more_like_this` with
 * `like: [{ _index, _id }]`, `geo_shape.indexed_shape.index`, `percolate.index`, `pinned.docs`,
 * `indices_boost`; and APIs whose body names indexes: `_reindex` (`source.index`, `dest.index`,
 * `source.remote`), `_aliases` (`actions[].add.index/alias/indices/aliases`), index creation
 * (`aliases`), `_update_by_query` / `_delete_by_query` (a query), and the `wrapper` query (a
 * whole query as base64 JSON). Search templates carry the query
 * as a JSON *string* (`source`), rendered by the server with Mustache, so the guard also reads
 * strings: a string that parses as JSON is checked like a body; one that does not (a Mustache
 * template) is scanned for index-naming keys, and any such key whose value is not a literal name
 * inside the tenant's prefix (a `{{param}}`, a number, an object) is refused — fail closed.
 * Stored templates and scripts (`id` instead of `source`) are cluster-wide and refused.
 *
 * With one IAM role for every tenant, only the application can refuse these (docs/search.md,
 * "Decision"). `TenantSearchClient` (tenant-search-client.ts) calls this guard on every request,
 * so an application that sends through it cannot skip it.
 *
 * No aws-cdk-lib import: this module runs in application code.
 */
import { indexPrefix } from '../../../core/namespace';
import { TenantId } from '../../../core/tenant-id';

/** Index name part after `tenant-<id>.`: lowercase letters, digits, `-` and `_`, at most 200. */
const INDEX_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,199}$/;

export type SearchGuardCode = 'body-names-other-index' | 'stored-template' | 'path-refused' | 'body-invalid' | 'not-a-tenant';

export class SearchGuardError extends Error {
  /** What was refused; the message names every offending place in the request. */
  public readonly code: SearchGuardCode;
  constructor(message: string, code: SearchGuardCode = 'body-names-other-index') {
    super(message);
    this.name = 'SearchGuardError';
    this.code = code;
  }
}

/** `tenant-<id>.<name>`: the only way application code should name an index. */
export function tenantIndexName(tenant: TenantId, name: string): string {
  if (!(tenant instanceof TenantId)) throw new SearchGuardError('tenantIndexName takes a parsed TenantId', 'not-a-tenant');
  if (!INDEX_NAME_PATTERN.test(name)) {
    throw new SearchGuardError(`index name ${JSON.stringify(name)} must be 1-200 of a-z, 0-9, - and _ (no wildcards, commas or delimiters)`, 'path-refused');
  }
  return `${indexPrefix(tenant)}${name}`;
}

/** Keys whose value names one index or several, wherever they appear in a body. */
const INDEX_KEYS = new Set(['index', '_index', 'indices']);
/** Keys whose value the server resolves somewhere the guard cannot see. */
const REFUSED_KEYS: Record<string, string> = {
  remote: 'reindex from a remote cluster',
};
/** Every key a Mustache template source could use to name an index or alias. */
const NAMING_KEY_IN_TEXT = /\\*"(_?index|indices|alias|aliases|remote|indices_boost|indexed_shape)\\*"\s*:\s*/g;

/** A name inside the tenant's prefix: one target, no list, no whitespace. */
function inPrefix(prefix: string, name: unknown): boolean {
  return typeof name === 'string' && name.startsWith(prefix) && name.length > prefix.length && !/[,\s{}]/.test(name);
}

/** JSON text of a Mustache template with \uXXXX escapes decoded (the server's parser decodes them). */
function decodeEscapes(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

interface Visit {
  readonly prefix: string;
  readonly problems: string[];
}

function checkNames(v: Visit, at: string, value: unknown, what: 'index' | 'alias'): void {
  const names = Array.isArray(value) ? value : [value];
  if (names.length === 0) v.problems.push(`${at} names no ${what} (an empty list may mean all), outside ${v.prefix}*`);
  for (const name of names) {
    if (!inPrefix(v.prefix, name) || (what === 'alias' && typeof name === 'string' && name.includes('*'))) {
      v.problems.push(`${at} names ${what === 'alias' ? 'alias ' : ''}${JSON.stringify(name)}, outside ${v.prefix}*`);
    }
  }
}

/** Scans a string that is not JSON (a Mustache template source) for index-naming keys. */
function scanTemplateText(v: Visit, at: string, raw: string): void {
  const text = decodeEscapes(raw);
  // A tag in a key position names the key from a parameter: not verifiable here.
  if (/\{\{[^}]*\}\}\}?\\*"?\s*:/.test(text)) {
    v.problems.push(`${at} (a template) takes a key from a Mustache tag, which the guard cannot verify, outside ${v.prefix}*`);
  }
  for (const m of text.matchAll(NAMING_KEY_IN_TEXT)) {
    const key = m[1];
    const rest = text.slice((m.index ?? 0) + m[0].length);
    if (key === 'remote' || key === 'indices_boost' || key === 'aliases') {
      v.problems.push(`${at} (a template) uses "${key}", which the guard cannot verify in a template, outside ${v.prefix}*`);
      continue;
    }
    if (key === 'indexed_shape') {
      if (!/"index"\s*:/.test(rest.slice(0, 400)))
        v.problems.push(`${at} (a template) uses indexed_shape without an index (the server would read its default "shapes" index), outside ${v.prefix}*`);
      continue;
    }
    // A literal string, or an array of literal strings; anything else (a {{param}}) is refused.
    const literal = /^\\*"([^"\\{}]*)\\*"/.exec(rest);
    const list = /^\[((?:\s*\\*"[^"\\{}]*\\*"\s*,?)*)\]/.exec(rest);
    if (literal) {
      if (!inPrefix(v.prefix, literal[1])) v.problems.push(`${at} (a template) names ${JSON.stringify(literal[1])} in "${key}", outside ${v.prefix}*`);
    } else if (list) {
      const names = [...list[1].matchAll(/\\*"([^"\\{}]*)\\*"/g)].map((x) => x[1]);
      if (names.length === 0) v.problems.push(`${at} (a template) names no index in "${key}", outside ${v.prefix}*`);
      for (const name of names) if (!inPrefix(v.prefix, name)) v.problems.push(`${at} (a template) names ${JSON.stringify(name)} in "${key}", outside ${v.prefix}*`);
    } else {
      v.problems.push(`${at} (a template) fills "${key}" with something that is not a literal index name (${JSON.stringify(rest.slice(0, 30))}), outside ${v.prefix}*`);
    }
  }
}

function visitString(v: Visit, at: string, s: string, inParams: boolean): void {
  // inParams: template parameters are checked like the source (a parameter may hold a query).
  // OpenSearch renders {{x}} JSON-escaped, so a parameter cannot add quotes or keys through it;
  // unescaped output ({{{x}}}, {{&x}}) can, also from inside a quoted value.
  if (/\{\{\{|\{\{\s*&/.test(s)) {
    v.problems.push(`${at} uses unescaped Mustache output ({{{...}}} or {{&...}}), which the guard cannot verify (use {{#toJson}}), outside ${v.prefix}*`);
    return;
  }
  const trimmed = s.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      visitValue(v, JSON.parse(trimmed), `${at}<json>`, undefined, inParams);
      return;
    } catch {
      // Not JSON on its own: a Mustache template. Scan its text.
    }
  }
  if (/"|\\u/.test(s)) scanTemplateText(v, at, s);
}

function visitValue(v: Visit, value: unknown, where: string, parentKey?: string, inParams = false): void {
  if (typeof value === 'string') {
    visitString(v, where, value, inParams);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((x, i) => visitValue(v, x, `${where}[${i}]`, parentKey, inParams));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, x] of Object.entries(value as Record<string, unknown>)) {
    const at = `${where}.${key}`;
    if (key.includes('{{')) {
      v.problems.push(`${at}: a key taken from a Mustache tag cannot be verified, outside ${v.prefix}*`);
      continue;
    }
    // Mappings describe fields (`index: false` is a field option) and name no other index.
    if (key === 'mappings' && parentKey === undefined) continue;
    if (key in REFUSED_KEYS) {
      v.problems.push(`${at}: ${REFUSED_KEYS[key]} is refused, outside ${v.prefix}*`);
      continue;
    }
    if (INDEX_KEYS.has(key)) {
      // Index creation and settings bodies: `settings.index` is an object of index settings.
      if (key === 'index' && parentKey === 'settings' && x !== null && typeof x === 'object' && !Array.isArray(x)) {
        visitValue(v, x, at, key, inParams);
        continue;
      }
      checkNames(v, at, x, 'index');
      continue;
    }
    if (key === 'alias') {
      checkNames(v, at, x, 'alias');
      continue;
    }
    if (key === 'aliases') {
      // Index creation: `aliases: { "<alias>": {...} }`; `_aliases` actions: `aliases: [..]`.
      if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
        checkNames(v, at, Object.keys(x), 'alias');
        for (const [alias, spec] of Object.entries(x as Record<string, unknown>)) visitValue(v, spec, `${at}[${JSON.stringify(alias)}]`, 'aliases', inParams);
      } else {
        checkNames(v, at, x, 'alias');
      }
      continue;
    }
    if (key === 'indices_boost') {
      const entries = Array.isArray(x) ? x : [x];
      for (const [i, entry] of entries.entries()) {
        const names = entry !== null && typeof entry === 'object' ? Object.keys(entry) : [entry];
        checkNames(v, `${at}[${i}]`, names, 'index');
      }
      continue;
    }
    if (key === 'wrapper' && x !== null && typeof x === 'object' && typeof (x as { query?: unknown }).query === 'string') {
      // The wrapper query carries a whole query as base64-encoded JSON.
      const decoded = Buffer.from((x as { query: string }).query, 'base64').toString('utf8');
      let inner: unknown;
      try {
        inner = JSON.parse(decoded);
      } catch {
        v.problems.push(`${at}.query is not base64-encoded JSON (the guard cannot verify it), outside ${v.prefix}*`);
        continue;
      }
      visitValue(v, inner, `${at}.query<base64>`, undefined, inParams);
      continue;
    }
    if (key === 'indexed_shape' && x !== null && typeof x === 'object' && !('index' in (x as object))) {
      // Without an index, geo_shape reads the server's default `shapes` index: shared by all.
      v.problems.push(`${at} has no index (the server would read its default "shapes" index), outside ${v.prefix}*`);
    }
    visitValue(v, x, at, key, inParams || key === 'params');
  }
}

/**
 * Throws when a request body names an index or alias outside the tenant's prefix, or several at
 * once, anywhere in the body — including inside JSON strings and Mustache template sources.
 * Apply it to query DSL, index settings and API bodies (`_reindex`, `_aliases`), not to document
 * sources (a document may have a field called `index`); `TenantSearchClient` knows which is which.
 */
export function assertQueryStaysInTenant(tenant: TenantId, query: unknown): void {
  if (!(tenant instanceof TenantId)) throw new SearchGuardError('assertQueryStaysInTenant takes a parsed TenantId', 'not-a-tenant');
  const v: Visit = { prefix: indexPrefix(tenant), problems: [] };
  visitValue(v, query, '$');
  if (v.problems.length > 0) throw new SearchGuardError(`query refused for tenant "${tenant.value}": ${v.problems.join('; ')}`);
}

/**
 * Throws for a search-template body that refers to a stored template (`id`): stored scripts are
 * cluster-wide (`_scripts` is outside every tenant's prefix), so their text is not the tenant's.
 * Then checks the inline `source` (object or string) and `params` like any body.
 */
export function assertTemplateStaysInTenant(tenant: TenantId, body: unknown): void {
  if (!(tenant instanceof TenantId)) throw new SearchGuardError('assertTemplateStaysInTenant takes a parsed TenantId', 'not-a-tenant');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SearchGuardError(`template refused for tenant "${tenant.value}": the body must be an object with an inline "source"`, 'body-invalid');
  }
  const b = body as Record<string, unknown>;
  if ('id' in b || !('source' in b)) {
    throw new SearchGuardError(
      `template refused for tenant "${tenant.value}": stored templates (${JSON.stringify(b.id ?? null)}) are cluster-wide; send the template inline as "source"`,
      'stored-template',
    );
  }
  assertQueryStaysInTenant(tenant, body);
}
