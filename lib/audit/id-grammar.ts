/**
 * The tenant id grammar the audit evaluates with: this project's TenantId (lib/core/tenant-id.ts,
 * the `blueprint` preset), UUIDs (`uuid`), or a regular expression from the config. The grammar
 * decides which literal strings in the templates are tenant ids, which tag values are hostile,
 * and which adversarial ids represent every relation between two tenants (tenant-classes.ts).
 */
import { TenantId } from '../core/tenant-id';
import { AuditConfig, ID_PATTERN_PRESETS, idPatternOf } from './config';
import { analyzeIdRegex, DELIMITER_CHARS, IAM_WILDCARD_CHARS } from './regex-ids';

export interface IdGrammar {
  /** `blueprint`, `uuid`, or the config's regular expression. */
  readonly name: string;
  readonly isValid: (id: string) => boolean;
  /** The base id for policies that mention no literal tenant. */
  readonly base: string;
  /** An id related to no other id used in the audit. */
  readonly unrelated: string;
  /** Representatives of every relation to `id` (including `id`), all valid in the grammar. */
  readonly variants: (id: string) => string[];
  /** A regular-expression grammar: what the audit derived from it, and what it must say about it (TI-ID-GRAMMAR). */
  readonly analysis?: { readonly evidence: string; readonly warnings: readonly string[] };
}

/** Representatives of prefix / suffix / infix / length relations, as blueprint ids (see tenant-classes.ts). */
function relationVariants(id: string, isValid: (s: string) => boolean): string[] {
  const out = [id, `${id}-q`, `${id}q`];
  for (let n = id.length - 1; n >= 1; n--) {
    const p = id.slice(0, n);
    if (isValid(p)) {
      out.push(p);
      break;
    }
  }
  for (let k = 1; k < id.length; k++) {
    const suffix = id.slice(k);
    if (isValid(suffix)) {
      out.push(suffix);
      break;
    }
  }
  const lastHyphen = id.lastIndexOf('-');
  if (lastHyphen > 0) out.push(id.slice(0, lastHyphen));
  const firstHyphen = id.indexOf('-');
  if (firstHyphen > 0) out.push(id.slice(firstHyphen + 1));
  if (id.length >= 5) out.push(id.slice(1, -1));
  return out.filter((x) => isValid(x));
}

/** TenantId.isValid builds an error object for every refusal: memoised, as the matrix asks millions of times. */
const validity = new Map<string, boolean>();
function isTenantId(id: string): boolean {
  let v = validity.get(id);
  if (v === undefined) {
    v = TenantId.isValid(id);
    if (validity.size < 100_000) validity.set(id, v);
  }
  return v;
}
const variantCache = new Map<string, string[]>();

export const BLUEPRINT_GRAMMAR: IdGrammar = {
  name: 'blueprint',
  isValid: isTenantId,
  base: 'acme',
  unrelated: 'zz-unrelated',
  variants: (id) => {
    let v = variantCache.get(id);
    if (!v) {
      v = relationVariants(id, isTenantId);
      if (variantCache.size < 100_000) variantCache.set(id, v);
    }
    return v;
  },
};

const UUID_RE = new RegExp(ID_PATTERN_PRESETS.uuid);
/** Flips one hex digit: a valid UUID that shares everything but one position with `id`. */
const flip = (id: string, i: number) => id.slice(0, i) + (id[i] === '0' ? '1' : '0') + id.slice(i + 1);

/**
 * UUIDs all have 36 characters, so no valid id is a proper prefix, suffix or infix of another,
 * and a `?` always matches a character of the same class: the relations left are equal,
 * differing in one position (first, last) and unrelated.
 */
export const UUID_GRAMMAR: IdGrammar = {
  name: 'uuid',
  isValid: (id) => UUID_RE.test(id),
  base: '0c1d2e3f-0000-4000-8000-00000000a0c0',
  unrelated: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
  variants: (id) => [id, flip(id, 0), flip(id, 35)].filter((x) => UUID_RE.test(x)),
};

/**
 * A grammar from a config regular expression: the blueprint's relation variants it accepts,
 * plus ids derived from the expression itself (regex-ids.ts): its shortest member, a
 * prefix-colliding extension of each id by a letter and by every separator the expression
 * admits, case variants, and members containing each IAM-significant character it admits.
 */
export function regexGrammar(name: string, regex: RegExp): IdGrammar {
  const isValid = (s: string) => regex.test(s);
  const analysis = analyzeIdRegex(regex);
  const gen = analysis.generator;
  const pick = (...c: string[]) => c.find(isValid);
  const base = pick('acme', 'acme1', 'a1', '1001', 'tenant-acme') ?? analysis.shortest ?? 'acme';
  // An id sharing as short a prefix with `avoid` as the expression allows (none, when it can).
  const other = (avoid: string) => {
    for (let k = 0; k < avoid.length && gen; k++) {
      const first = [...'zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUTSRQPONMLKJIHGFEDCBA-_.'].filter((c) => c !== avoid[k]);
      const rest = gen.complete(avoid.slice(0, k), { first });
      if (rest !== undefined) return avoid.slice(0, k) + rest;
    }
    return undefined;
  };
  const extension = gen?.complete(base, { minLen: 1 });
  const unrelated = pick('zz-unrelated', 'zzunrelated', 'zz9', '9999', 'tenant-zz') ?? other(base) ?? (extension !== undefined ? base + extension : base);
  const extras = [analysis.shortest, ...(analysis.prefixPair ?? []), ...Object.values(analysis.admits)].filter((x): x is string => x !== undefined && isValid(x));
  const cache = new Map<string, string[]>();
  const variants = (id: string) => {
    let v = cache.get(id);
    if (!v) {
      v = [...new Set([...relationVariants(id, isValid), ...(gen ? gen.relatedTo(id) : []), ...(id === base ? extras : [])])].filter(isValid);
      if (cache.size < 100_000) cache.set(id, v);
    }
    return v;
  };
  const q = (x: string) => JSON.stringify(x);
  const warnings: string[] = [];
  const facts: string[] = [];
  if (analysis.unsupported) {
    warnings.push(
      `tenantIdPattern ${q(name)}: the audit cannot derive adversarial ids from it (${analysis.unsupported}); only the blueprint's relation variants it accepts are evaluated, so the proof does not cover its other ids`,
    );
  } else {
    if (analysis.shortest !== undefined) facts.push(`shortest member ${q(analysis.shortest)}`);
    else
      warnings.push(
        `tenantIdPattern ${q(name)}: the audit found no id that matches it${analysis.exhausted ? ' within its search budget' : ' (it matches nothing)'}, so the tenant ids evaluated are not members of the grammar`,
      );
    if (analysis.prefixPair) facts.push(`prefix-colliding pair ${q(analysis.prefixPair[0])} / ${q(analysis.prefixPair[1])}`);
    else if (analysis.exhausted)
      warnings.push(
        `tenantIdPattern ${q(name)}: too wide for the audit to generate a prefix-colliding pair within its search budget (or its look-arounds defeat the search), so prefix relations between tenant ids (acme / acme-corp) are not covered`,
      );
    else facts.push('no member is a proper prefix of another (prefix relations cannot occur)');
    const wild = IAM_WILDCARD_CHARS.filter((c) => analysis.admits[c] !== undefined);
    const delim = DELIMITER_CHARS.filter((c) => analysis.admits[c] !== undefined);
    if (wild.length > 0)
      warnings.push(
        `tenantIdPattern ${q(name)} admits ${wild.map(q).join(', ')} (e.g. ${q(analysis.admits[wild[0]])}): IAM-wildcard-significant characters — an id written into an ARN or a StringLike value then matches other tenants' ids (IAM User Guide, reference_policies_elements_resource); ids containing them were evaluated, but the finite-set proof assumes ids without them: narrow the pattern`,
      );
    if (delim.length > 0)
      warnings.push(
        `tenantIdPattern ${q(name)} admits ${delim.map(q).join(', ')} (e.g. ${q(analysis.admits[delim[0]])}): namespace delimiters — tenant "a"'s prefix tenants/a/ then holds tenant "a/b"'s data; ids containing them were evaluated, but the finite-set proof assumes ids without them: narrow the pattern`,
      );
  }
  return {
    name,
    isValid,
    base,
    unrelated,
    variants,
    analysis: { evidence: `derived from the expression: ${facts.join('; ') || 'nothing'}; base id ${q(base)}, unrelated id ${q(unrelated)}`, warnings },
  };
}

export function grammarOf(config: AuditConfig): IdGrammar {
  const p = idPatternOf(config);
  if (!p || p.name === 'blueprint') return BLUEPRINT_GRAMMAR;
  if (p.name === 'uuid') return UUID_GRAMMAR;
  return regexGrammar(p.name, p.regex);
}
