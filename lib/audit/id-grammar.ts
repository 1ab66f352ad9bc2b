/**
 * The tenant id grammar the audit evaluates with: this project's TenantId (lib/core/tenant-id.ts,
 * the `blueprint` preset), UUIDs (`uuid`), or a regular expression from the config. The grammar
 * decides which literal strings in the templates are tenant ids, which tag values are hostile,
 * and which adversarial ids represent every relation between two tenants (tenant-classes.ts).
 */
import { TenantId } from '../core/tenant-id';
import { AuditConfig, ID_PATTERN_PRESETS, idPatternOf } from './config';

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

/** A grammar from a config regular expression: blueprint-style variants, kept where the regex accepts them. */
function regexGrammar(name: string, regex: RegExp): IdGrammar {
  const isValid = (s: string) => regex.test(s);
  const pick = (...c: string[]) => c.find(isValid) ?? c[0];
  return {
    name,
    isValid,
    base: pick('acme', 'acme1', 'a1', '1001', 'tenant-acme'),
    unrelated: pick('zz-unrelated', 'zzunrelated', 'zz9', '9999', 'tenant-zz'),
    variants: (id) => relationVariants(id, isValid),
  };
}

export function grammarOf(config: AuditConfig): IdGrammar {
  const p = idPatternOf(config);
  if (!p || p.name === 'blueprint') return BLUEPRINT_GRAMMAR;
  if (p.name === 'uuid') return UUID_GRAMMAR;
  return regexGrammar(p.name, p.regex);
}
