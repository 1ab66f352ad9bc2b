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
import { stsAcceptsTagValue } from '../core/tenant-id-iam';
import { BLUEPRINT_GRAMMAR, IdGrammar } from './id-grammar';

/** An id related to no other id used in the audit (no shared prefix with the base id). */
export const UNRELATED_ID = BLUEPRINT_GRAMMAR.unrelated;
/** The base id for policies that mention no literal tenant. */
export const BASE_ID = BLUEPRINT_GRAMMAR.base;

/** Representatives of every relation to `id` (including `id` itself), all valid TenantIds. */
export function variantsOf(id: string, grammar: IdGrammar = BLUEPRINT_GRAMMAR): string[] {
  return grammar.variants(id);
}

/** The tenant ids to evaluate for a check whose policies mention `literals`. */
export function tenantClasses(literals: Iterable<string>, grammar: IdGrammar = BLUEPRINT_GRAMMAR): string[] {
  const set = new Set<string>([grammar.unrelated]);
  let any = false;
  for (const l of literals) {
    if (!grammar.isValid(l)) continue;
    any = true;
    for (const v of grammar.variants(l)) set.add(v);
  }
  if (!any) for (const v of grammar.variants(grammar.base)) set.add(v);
  return [...set].sort();
}

/**
 * Session-tag values STS accepts (id_session-tags) that are not TenantIds: an ABAC role whose
 * trust policy lets one of them through has a session that belongs to no tenant, or pretends
 * to be several.
 */
export function hostileTagValues(base: string, grammar: IdGrammar = BLUEPRINT_GRAMMAR): string[] {
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
  return values.filter((v) => stsAcceptsTagValue(v) && !grammar.isValid(v));
}
