/**
 * Object keys of several depths and shapes. A probe at `tenants/<victim>/audit-probe` only
 * tells what a pattern ending in `*` does; a pattern with text after a wildcard
 * (`tenants/*\/shared/*`), several wildcards, `?`, or a literal key matches keys of other
 * shapes only. `*` and `?` match any characters, `/` included (IAM User Guide,
 * reference_policies_elements_resource), so for each such pattern naming the bucket the
 * probes add the keys it matches inside the victim's namespace: every tail of the pattern after
 * a `/`, its wildcards witnessed (`*`, `?` -> `x`), `${aws:PrincipalTag/TenantId}` -> the acting
 * tenant (`{actor}`), and one deep key (`a/b/c/audit-probe`). Patterns that end in their only
 * wildcard add nothing: the default key already decides them.
 */
import { globMatch } from '../engine/patterns';
import { Statement } from '../policy-model';

export const DEFAULT_KEY = 'audit-probe';
export const DEEP_KEY = 'a/b/c/audit-probe';

const TENANT_VAR = /\$\{aws:principaltag\/tenantid\}/gi;

/** `*`/`?` -> `x`, the tenant variable -> `{actor}`, any other variable -> `x`. */
function witnessKey(pattern: string): string {
  return pattern
    .replace(TENANT_VAR, '{actor}')
    .replace(/\$\{[^}]*\}/g, 'x')
    .replace(/[*?]/g, 'x');
}

/** A key pattern whose shape the default key does not decide. */
function hasShape(keyPattern: string): boolean {
  const stripped = keyPattern.replace(/\$\{[^}]*\}/g, 'v');
  const wild = [...stripped].filter((c) => c === '*' || c === '?').length;
  if (wild === 0) return !/\$\{/.test(keyPattern); // a literal key
  return wild > 1 || stripped.includes('?') || !/^[^*?]*\*$/.test(stripped);
}

export interface KeyShape {
  /** The key after the victim's namespace; may contain `{actor}`. */
  readonly suffix: string;
  /** The statements whose patterns call for it: only their actions can decide it differently. */
  readonly statements: readonly Statement[];
}

/**
 * Key suffixes (after the victim's namespace) to probe in the bucket named `bucket`, from every
 * Resource / NotResource of `statements` that can name its objects. The default key is not
 * listed: it is always probed. Every other pattern (a prefix ending in its only `*`) matches
 * the default key exactly when it matches a shape, so a shape needs probing only for the actions
 * of the statements that produced it.
 */
export function objectKeyShapes(bucket: string, statements: readonly Statement[]): KeyShape[] {
  const out = new Map<string, Statement[]>();
  const add = (suffix: string, st: Statement) => {
    if (suffix === DEFAULT_KEY) return;
    const list = out.get(suffix) ?? [];
    if (!list.includes(st)) list.push(st);
    out.set(suffix, list);
  };
  for (const st of statements) {
    for (const res of [...(st.resources ?? []), ...(st.notResources ?? [])]) {
      const m = /^arn:[^:]*:s3:::([^/]*)\/(.*)$/.exec(res);
      if (!m) continue;
      const [, bucketPattern, keyPattern] = m;
      if (bucketPattern.includes('${') || globMatch(bucket, bucketPattern, {}) !== true) continue;
      if (!hasShape(keyPattern)) continue;
      add(DEEP_KEY, st);
      // Split the witnessed key: a `/` inside `${aws:PrincipalTag/TenantId}` is no separator.
      const witnessed = witnessKey(keyPattern);
      for (let j = witnessed.indexOf('/'); j >= 0; j = witnessed.indexOf('/', j + 1)) {
        const tail = witnessed.slice(j + 1);
        if (tail !== '' && tail !== 'x') add(tail, st);
      }
    }
  }
  return [...out].map(([suffix, sts]) => ({ suffix, statements: sts }));
}

/**
 * The same for listing: `s3:prefix` values of the statements' conditions with text after a
 * wildcard (`tenants/*\/public/*`) or a literal sub-prefix give the prefixes, inside the
 * victim's namespace, that a listing probe must also try (`tenants/<victim>/public/`).
 */
export function prefixShapes(statements: readonly Statement[]): KeyShape[] {
  const out = new Map<string, Statement[]>();
  for (const st of statements) {
    for (const c of st.conditions) {
      if (c.key.toLowerCase() !== 's3:prefix') continue;
      for (const v of c.values) {
        if (!hasShape(v)) continue;
        const witnessed = witnessKey(v).replace(/x$/, '');
        for (let j = witnessed.indexOf('/'); j >= 0; j = witnessed.indexOf('/', j + 1)) {
          const tail = witnessed.slice(j + 1);
          if (tail === '' || tail === 'x' || tail === 'x/') continue;
          const list = out.get(tail) ?? [];
          if (!list.includes(st)) list.push(st);
          out.set(tail, list);
        }
      }
    }
  }
  return [...out].map(([suffix, sts]) => ({ suffix, statements: sts }));
}
