/**
 * IAM pattern matching with policy variables, compiled once and cached.
 *
 * - `*` matches any run of characters, `?` exactly one (IAM User Guide, reference_policies_elements_resource).
 * - Policy variables `${key}` and `${key, 'default'}` are replaced by the request's value for the
 *   key, as a literal (a tag value cannot contain `*` or `?`: STS refuses them, id_session-tags).
 *   `${*}`, `${?}` and `${$}` stand for the literal characters.
 * - A variable whose key is missing from the request makes the pattern match nothing; the caller
 *   decides what that means for its operator (AWS-FACTS.md: positive operators fail closed,
 *   negated ones match).
 * - ARNs are matched segment by segment for the first five colon-separated parts; the resource
 *   part (which may itself contain colons) as a whole (IAM User Guide, ArnLike).
 */

/** Request context: lowercased key -> values (one value for single-valued keys). */
export type Context = Readonly<Record<string, readonly string[] | undefined>>;

type Part = { readonly text: string; readonly glob: boolean; readonly globSrc: string; readonly litSrc: string } | { readonly key: string; readonly dflt?: string };

const textPart = (text: string, glob: boolean): Part => ({
  text,
  glob,
  globSrc: glob ? globToRegexSource(text) : escapeRegex(text),
  litSrc: escapeRegex(text),
});

const partsCache = new Map<string, readonly Part[]>();
const regexCache = new Map<string, RegExp>();

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function globToRegexSource(s: string): string {
  return escapeRegex(s).replace(/\\\*/g, '.*').replace(/\\\?/g, '.');
}

/** Splits a pattern into text and variables. */
function patternParts(pattern: string): readonly Part[] {
  let parts = partsCache.get(pattern);
  if (parts) return parts;
  const out: Part[] = [];
  const re = /\$\{([^}]*)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pattern)) !== null) {
    if (m.index > last) out.push(textPart(pattern.slice(last, m.index), true));
    const inner = m[1].trim();
    if (inner === '*' || inner === '?' || inner === '$') {
      out.push(textPart(inner, false));
    } else {
      const dm = /^([^,]+?)\s*,\s*'([^']*)'$/.exec(inner);
      out.push(dm ? { key: dm[1].trim().toLowerCase(), dflt: dm[2] } : { key: inner.toLowerCase() });
    }
    last = m.index + m[0].length;
  }
  if (last < pattern.length) out.push(textPart(pattern.slice(last), true));
  parts = out;
  partsCache.set(pattern, parts);
  return parts;
}

/** The names (lowercased) of the variables a pattern uses. */
export function variablesOf(pattern: string): string[] {
  return patternParts(pattern).flatMap((p) => ('key' in p ? [p.key] : []));
}

/** Regex source for the pattern with variables substituted as literals; undefined if one is missing. */
function source(pattern: string, ctx: Context, glob: boolean): string | undefined {
  let out = '';
  for (const p of patternParts(pattern)) {
    if ('text' in p) {
      out += glob ? p.globSrc : p.litSrc;
    } else {
      const v = ctx[p.key];
      if (v && v.length === 1) out += escapeRegex(v[0]);
      else if (p.dflt !== undefined) out += escapeRegex(p.dflt);
      else return undefined;
    }
  }
  return out;
}

/** The pattern with its variables replaced (no glob conversion); undefined if one is missing. */
export function substitute(pattern: string, ctx: Context): string | undefined {
  let out = '';
  for (const p of patternParts(pattern)) {
    if ('text' in p) out += p.text;
    else {
      const v = ctx[p.key];
      if (v && v.length === 1) out += v[0];
      else if (p.dflt !== undefined) out += p.dflt;
      else return undefined;
    }
  }
  return out;
}

function compiled(src: string, flags: string): RegExp {
  const k = flags + '\u0000' + src;
  let r = regexCache.get(k);
  if (!r) {
    r = new RegExp(`^${src}$`, flags);
    regexCache.set(k, r);
  }
  return r;
}

/** Glob match (StringLike); undefined when the pattern uses a variable the request lacks. */
const staticCache = new Map<string, RegExp | null>();

export function globMatch(value: string, pattern: string, ctx: Context, ignoreCase = false): boolean | undefined {
  if (pattern === '*') return true;
  const sk = (ignoreCase ? 'i' : 's') + pattern;
  let st = staticCache.get(sk);
  if (st === undefined) {
    const parts = patternParts(pattern);
    st = parts.some((p) => 'key' in p) ? null : compiled(parts.map((p) => ('globSrc' in p ? p.globSrc : '')).join(''), ignoreCase ? 'is' : 's');
    staticCache.set(sk, st);
  }
  if (st) return st.test(value);
  const src = source(pattern, ctx, true);
  if (src === undefined) return undefined;
  return compiled(src, ignoreCase ? 'is' : 's').test(value);
}

/** Exact match (StringEquals): `*` and `?` are literal characters. */
export function exactMatch(value: string, pattern: string, ctx: Context, ignoreCase = false): boolean | undefined {
  const s = substitute(pattern, ctx);
  if (s === undefined) return undefined;
  return ignoreCase ? s.toLowerCase() === value.toLowerCase() : s === value;
}

const splitCache = new Map<string, string[] | undefined>();

function splitArn(s: string): string[] | undefined {
  if (splitCache.has(s)) return splitCache.get(s);
  if (splitCache.size > 200_000) splitCache.clear();
  const r = splitArnUncached(s);
  splitCache.set(s, r);
  return r;
}

function splitArnUncached(s: string): string[] | undefined {
  const parts: string[] = [];
  let rest = s;
  for (let i = 0; i < 5; i++) {
    const idx = rest.indexOf(':');
    if (idx < 0) return undefined;
    parts.push(rest.slice(0, idx));
    rest = rest.slice(idx + 1);
  }
  parts.push(rest);
  return parts;
}

/** ARN match, segment by segment (ArnLike semantics, also used for the Resource element). */
export function arnMatch(value: string, pattern: string, ctx: Context): boolean | undefined {
  if (pattern === '*') return true;
  const pp = splitArn(pattern);
  const vp = splitArn(value);
  if (!pp || !vp) return globMatch(value, pattern, ctx);
  let missing = false;
  for (let i = 0; i < 6; i++) {
    const r = globMatch(vp[i], pp[i], ctx);
    if (r === undefined) missing = true;
    else if (!r) return false;
  }
  return missing ? undefined : true;
}

/** Action match: case-insensitive glob, no variables. */
const actionCache = new Map<string, RegExp>();

export function actionMatch(action: string, pattern: string): boolean {
  if (pattern === '*') return true;
  let r = actionCache.get(pattern);
  if (!r) {
    r = compiled(globToRegexSource(pattern), 'i');
    actionCache.set(pattern, r);
  }
  return r.test(action);
}
