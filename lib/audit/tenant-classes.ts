/**
 * The tenant ids the abuse matrix is evaluated for, chosen so the result holds for every pair
 * of tenants, not a sample (docs/audit.md, "Why a finite set of tenants is a proof").
 *
 * Policies mention tenants only through the session-tag variable or literal ids. Whether a
 * pattern built from them matches a string built from another tenant's id depends only on how
 * the two ids relate: equal, one a proper prefix / suffix / infix of the other, one a literal
 * the policy names, or unrelated; plus length for `?`. So for every literal id the templates
 * mention (and a fixed base id for policies that mention none), we evaluate the id itself and
 * representatives of every relation: a hyphen extension (`acme` -> `acme-q`, the `acme` /
 * `acme-corp` case), a letter extension (`acmeq`), the longest valid proper prefix (`acm`) and
 * suffix (`cme`), the part before the last hyphen and after the first hyphen, an infix, and an
 * unrelated id. Tag values that
 * STS accepts but are not TenantIds (`acme/`, `ACME`, ...) are added for roles whose trust
 * policy accepts them.
 */
import { TenantId } from '../core/tenant-id';
import { stsAcceptsTagValue } from '../core/tenant-id-iam';

/** An id related to no other id used in the audit (no shared prefix with the base id). */
export const UNRELATED_ID = 'zz-unrelated';
/** The base id for policies that mention no literal tenant. */
export const BASE_ID = 'acme';

/** Representatives of every relation to `id` (including `id` itself), all valid TenantIds. */
export function variantsOf(id: string): string[] {
  const out = [id, `${id}-q`, `${id}q`];
  for (let n = id.length - 1; n >= 3; n--) {
    const p = id.slice(0, n);
    if (TenantId.isValid(p)) {
      out.push(p);
      break;
    }
  }
  for (let k = 1; k <= id.length - 3; k++) {
    const suffix = id.slice(k);
    if (TenantId.isValid(suffix)) {
      out.push(suffix);
      break;
    }
  }
  const lastHyphen = id.lastIndexOf('-');
  if (lastHyphen > 0) out.push(id.slice(0, lastHyphen));
  const firstHyphen = id.indexOf('-');
  if (firstHyphen > 0) out.push(id.slice(firstHyphen + 1));
  // An infix: drop the first and the last character.
  if (id.length >= 5) out.push(id.slice(1, -1));
  return out.filter((x) => TenantId.isValid(x));
}

/** The tenant ids to evaluate for a check whose policies mention `literals`. */
export function tenantClasses(literals: Iterable<string>): string[] {
  const set = new Set<string>([UNRELATED_ID]);
  let any = false;
  for (const l of literals) {
    any = true;
    for (const v of variantsOf(l)) set.add(v);
  }
  if (!any) for (const v of variantsOf(BASE_ID)) set.add(v);
  return [...set].sort();
}

/**
 * Session-tag values STS accepts (id_session-tags) that are not TenantIds: an ABAC role whose
 * trust policy lets one of them through has a session that belongs to no tenant, or pretends
 * to be several.
 */
export function hostileTagValues(base: string): string[] {
  const values = [
    base.toUpperCase(),
    `${base}/`,
    `${base}/x`,
    `${base}:`,
    `${base}.x`,
    `${base} `,
    `${base}--x`,
    `${base}-`,
    `${base}@x`,
    '',
    'ab',
    'default',
    'tenants',
    `1${base}`,
    'x'.repeat(41),
    // Non-ASCII letters: STS accepts them and IAM StringLike cannot list them (tenant-id-iam.ts).
    `${base}\u00e9`,
  ];
  return values.filter((v) => stsAcceptsTagValue(v) && !TenantId.isValid(v));
}
