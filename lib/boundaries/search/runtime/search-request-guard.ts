/**
 * Application-side guards for the search boundary, for what IAM cannot see.
 *
 * OpenSearch Service authorizes by URL (Developer Guide, ac). Some query clauses name another
 * index in the request BODY, where no IAM policy and no `rest.action.multi.allow_explicit_index`
 * setting looks: the terms lookup (`terms: { f: { index, id, path } }`), `more_like_this` with
 * `like: [{ _index, _id }]`, `geo_shape.indexed_shape.index`, `percolate.index`. With one IAM role
 * for every tenant, only the application can refuse them. Build queries in code; if any part of a
 * query comes from a user, pass it through `assertQueryStaysInTenant` before sending it.
 *
 * No aws-cdk-lib import: this module runs in application code.
 */
import { indexPrefix } from '../../../core/namespace';
import { TenantId } from '../../../core/tenant-id';

/** Index name part after `tenant-<id>.`: lowercase letters, digits, `-` and `_`, at most 200. */
const INDEX_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,199}$/;

export class SearchGuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchGuardError';
  }
}

/** `tenant-<id>.<name>`: the only way application code should name an index. */
export function tenantIndexName(tenant: TenantId, name: string): string {
  if (!(tenant instanceof TenantId)) throw new SearchGuardError('tenantIndexName takes a parsed TenantId');
  if (!INDEX_NAME_PATTERN.test(name)) {
    throw new SearchGuardError(`index name ${JSON.stringify(name)} must be 1-200 of a-z, 0-9, - and _ (no wildcards, commas or delimiters)`);
  }
  return `${indexPrefix(tenant)}${name}`;
}

/** Keys whose string value names an index, wherever they appear in a query body. */
const INDEX_KEYS = new Set(['index', '_index']);

/**
 * Throws when a query body (or an index-creation body) names an index or alias outside the
 * tenant's prefix, or several at once, anywhere in the body. Apply it to query DSL and index
 * settings, not to document sources (a document may have a field called `index`).
 */
export function assertQueryStaysInTenant(tenant: TenantId, query: unknown): void {
  if (!(tenant instanceof TenantId)) throw new SearchGuardError('assertQueryStaysInTenant takes a parsed TenantId');
  const prefix = indexPrefix(tenant);
  const problems: string[] = [];
  const visit = (value: unknown, where: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${where}[${i}]`));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      const at = `${where}.${key}`;
      if (INDEX_KEYS.has(key)) {
        const names = Array.isArray(v) ? v : [v];
        for (const name of names) {
          if (typeof name !== 'string' || !name.startsWith(prefix) || /[,\s]/.test(name)) {
            problems.push(`${at} names ${JSON.stringify(name)}, outside ${prefix}*`);
          }
        }
      }
      // Index-creation bodies: `aliases: { "<alias>": {...} }` names aliases in the body.
      if (key === 'aliases' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const alias of Object.keys(v)) {
          if (!alias.startsWith(prefix) || /[,\s*]/.test(alias)) problems.push(`${at} names alias ${JSON.stringify(alias)}, outside ${prefix}*`);
        }
      }
      visit(v, at);
    }
  };
  visit(query, '$');
  if (problems.length > 0) throw new SearchGuardError(`query refused for tenant "${tenant.value}": ${problems.join('; ')}`);
}
