/**
 * Adversarial tenant ids derived from a custom `tenantIdPattern` regular expression (config.ts),
 * so a grammar the audit did not write is still covered by the relations the finite-set proof
 * needs (tenant-classes.ts, docs/audit.md "Why a finite set of tenant ids is a proof"): the
 * shortest member, a prefix-colliding pair (`acme` / `acme-corp`), members containing each
 * separator or IAM-significant character the expression admits, case variants.
 *
 * The expression is compiled to an automaton over printable ASCII plus one non-ASCII letter
 * (`é`): enough to tell every character class of a tenant id apart. Look-arounds and word
 * boundaries are read as "always true" (the automaton accepts a superset) and every generated
 * id is checked with the real expression, so an id is only ever produced if it matches.
 * Back-references and Unicode property escapes are not supported: `analyzeIdRegex` then
 * reports that it cannot derive ids (the audit says so as a TI-ID-GRAMMAR warning).
 */

/** The characters the automaton distinguishes, in the order generated ids prefer them. */
const ALPHABET: readonly string[] = [
  ...'acmeqbdfghijklnoprstuvwxyz',
  ...'0123456789',
  '-',
  '_',
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ...' !"#$%&\'()*+,./:;<=>?@[\\]^`{|}~',
  '\u00e9',
];
const INDEX = new Map(ALPHABET.map((c, i) => [c, i]));
const N = ALPHABET.length;

/**
 * Characters that change what an id does inside an IAM policy or a namespace: `*` and `?` are
 * wildcards wherever an id is written literally into an ARN or a StringLike value (IAM User
 * Guide, reference_policies_elements_resource: "You can use wildcard characters (* and ?)"),
 * `$` starts a policy variable (`${...}`), and `/`, `:`, `.`, `#`, `|` end the tenant part of a
 * namespace (`tenants/<id>/`, `tenant:<id>:`, `tenant-<id>.`, `TENANT#<id>`).
 */
export const IAM_WILDCARD_CHARS = ['*', '?', '$'] as const;
export const DELIMITER_CHARS = ['/', ':', '.', '#', '|'] as const;
/** Separators tried when extending an id into a prefix-colliding one. */
const SEPARATORS = ['-', '_', '.', '/', ':', '#', '|', '*', '?', '$', '+', '@', '=', ' '];

export class UnsupportedRegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRegexError';
  }
}

type CharSet = Uint8Array;
type Node =
  | { readonly t: 'chars'; readonly set: CharSet }
  | { readonly t: 'seq'; readonly items: Node[] }
  | { readonly t: 'alt'; readonly items: Node[] }
  | { readonly t: 'rep'; readonly node: Node; readonly min: number; readonly max: number }
  | { readonly t: 'eps' };

const setOf = (pred: (c: string) => boolean): CharSet => Uint8Array.from(ALPHABET, (c) => (pred(c) ? 1 : 0));
const DIGIT = setOf((c) => /\d/.test(c));
const WORD = setOf((c) => /\w/.test(c));
const SPACE = setOf((c) => /\s/.test(c));
const invert = (s: CharSet): CharSet => s.map((x) => 1 - x);

/** A recursive-descent parser for the JavaScript regular expression syntax tenant id patterns use. */
class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  public parse(): Node {
    const n = this.alt();
    if (this.i < this.src.length) throw new UnsupportedRegexError(`unexpected "${this.src[this.i]}" at ${this.i}`);
    return n;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alt(): Node {
    const items = [this.seq()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.seq());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  private seq(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') items.push(this.quantified());
    return { t: 'seq', items };
  }

  private quantified(): Node {
    let node = this.atom();
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.peek() === '?') this.i++; // lazy: same language
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(): Node {
    const c = this.src[this.i++];
    if (c === '(') {
      let lookaround = false;
      if (this.src.startsWith('?:', this.i)) this.i += 2;
      else if (/^\?<?[=!]/.test(this.src.slice(this.i))) {
        this.i += this.src[this.i + 1] === '<' ? 3 : 2;
        lookaround = true;
      } else if (this.src.startsWith('?<', this.i)) this.i = this.src.indexOf('>', this.i) + 1;
      const inner = this.alt();
      if (this.src[this.i++] !== ')') throw new UnsupportedRegexError('unbalanced parenthesis');
      // A look-around constrains without consuming: read as always true, checked on each id.
      return lookaround ? { t: 'eps' } : inner;
    }
    if (c === '^' || c === '$') return { t: 'eps' };
    if (c === '.') return { t: 'chars', set: setOf((x) => x !== '\n' && x !== '\r') };
    if (c === '[') return { t: 'chars', set: this.cls() };
    if (c === '\\') return this.escape(false) as Node;
    if (c === ')' || c === undefined) throw new UnsupportedRegexError('unbalanced parenthesis');
    return { t: 'chars', set: setOf((x) => x === c) };
  }

  /** An escape after `\`: a node outside a class, a set inside one. */
  private escape(inClass: boolean): Node | CharSet {
    const c = this.src[this.i++];
    const wrap = (set: CharSet) => (inClass ? set : ({ t: 'chars', set } as Node));
    if (c === undefined) throw new UnsupportedRegexError('trailing backslash');
    if (c === 'd') return wrap(DIGIT);
    if (c === 'D') return wrap(invert(DIGIT));
    if (c === 'w') return wrap(WORD);
    if (c === 'W') return wrap(invert(WORD));
    if (c === 's') return wrap(SPACE);
    if (c === 'S') return wrap(invert(SPACE));
    if (!inClass && (c === 'b' || c === 'B')) return { t: 'eps' };
    if (/[1-9]/.test(c) || c === 'k') throw new UnsupportedRegexError(`back-reference \\${c}`);
    if (c === 'p' || c === 'P') throw new UnsupportedRegexError(`Unicode property escape \\${c}`);
    let lit = c;
    if (c === 'x' || c === 'u') {
      const m = (c === 'x' ? /^[0-9a-fA-F]{2}/ : /^[0-9a-fA-F]{4}/).exec(this.src.slice(this.i));
      if (!m) throw new UnsupportedRegexError(`bad \\${c} escape`);
      lit = String.fromCharCode(parseInt(m[0], 16));
      this.i += m[0].length;
    } else if (c === 't') lit = '\t';
    else if (c === 'n') lit = '\n';
    else if (c === 'r') lit = '\r';
    return wrap(setOf((x) => x === lit));
  }

  private cls(): CharSet {
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    const out = new Uint8Array(N);
    let first = true;
    while (this.i < this.src.length && (this.peek() !== ']' || first)) {
      first = false;
      const lo = this.classChar();
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined && typeof lo === 'string') {
        this.i++;
        const hi = this.classChar();
        if (typeof hi !== 'string') throw new UnsupportedRegexError('class range to a class escape');
        ALPHABET.forEach((x, k) => {
          if (x >= lo && x <= hi) out[k] = 1;
        });
      } else if (typeof lo === 'string') {
        const k = INDEX.get(lo);
        if (k !== undefined) out[k] = 1;
      } else lo.forEach((v, k) => v && (out[k] = 1));
    }
    if (this.src[this.i++] !== ']') throw new UnsupportedRegexError('unterminated character class');
    return negate ? invert(out) : out;
  }

  /** One class member: a character, or a set for \d \w \s. */
  private classChar(): string | CharSet {
    const c = this.src[this.i++];
    if (c !== '\\') return c;
    const e = this.escape(true) as CharSet;
    const ones = [...e.keys()].filter((k) => e[k]);
    return ones.length === 1 && !/[dDwWsS]/.test(this.src[this.i - 1]) ? ALPHABET[ones[0]] : e;
  }
}

const MAX_STATES = 60_000;
/** A bounded repetition wider than this is read as unbounded (a superset; ids are checked with the real expression). */
const MAX_COPIES = 64;

/** Thompson automaton: epsilon edges and character-set edges; state 0 starts, `end` accepts. */
class Automaton {
  public readonly eps: number[][] = [];
  public readonly edges: Array<Array<[CharSet, number]>> = [];
  public readonly end: number;
  public readonly start: number;
  public readonly live: Uint8Array;
  private readonly dfa = new Map<string, number>();
  private readonly dfaSets: number[][] = [];
  private readonly dfaNext: Array<Int32Array> = [];

  constructor(ast: Node) {
    const f = this.build(ast);
    this.start = f[0];
    this.end = f[1];
    // Live states: those from which `end` can be reached (dead states are dropped from every set).
    const rev: number[][] = this.eps.map(() => []);
    this.eps.forEach((ts, s) => ts.forEach((t) => rev[t].push(s)));
    this.edges.forEach((es, s) => es.forEach(([, t]) => rev[t].push(s)));
    this.live = new Uint8Array(this.eps.length);
    const stack = [this.end];
    this.live[this.end] = 1;
    while (stack.length > 0) {
      for (const s of rev[stack.pop()!]) {
        if (this.live[s]) continue;
        this.live[s] = 1;
        stack.push(s);
      }
    }
  }

  private state(): number {
    if (this.eps.length >= MAX_STATES) throw new UnsupportedRegexError(`more than ${MAX_STATES} automaton states`);
    this.eps.push([]);
    this.edges.push([]);
    return this.eps.length - 1;
  }

  private build(n: Node): [number, number] {
    const s = this.state();
    if (n.t === 'eps') return [s, s];
    if (n.t === 'chars') {
      const e = this.state();
      this.edges[s].push([n.set, e]);
      return [s, e];
    }
    if (n.t === 'seq') {
      let cur = s;
      for (const it of n.items) {
        const [a, b] = this.build(it);
        this.eps[cur].push(a);
        cur = b;
      }
      return [s, cur];
    }
    if (n.t === 'alt') {
      const e = this.state();
      for (const it of n.items) {
        const [a, b] = this.build(it);
        this.eps[s].push(a);
        this.eps[b].push(e);
      }
      return [s, e];
    }
    const max = n.max - n.min > MAX_COPIES ? Infinity : n.max;
    let cur = s;
    for (let k = 0; k < n.min; k++) {
      const [a, b] = this.build(n.node);
      this.eps[cur].push(a);
      cur = b;
    }
    if (max === Infinity) {
      const [a, b] = this.build(n.node);
      const e = this.state();
      this.eps[cur].push(a, e);
      this.eps[b].push(a, e);
      return [s, e];
    }
    const e = this.state();
    for (let k = n.min; k < max; k++) {
      this.eps[cur].push(e);
      const [a, b] = this.build(n.node);
      this.eps[cur].push(a);
      cur = b;
    }
    this.eps[cur].push(e);
    return [s, e];
  }

  private closure(states: Iterable<number>): number {
    const seen = new Set<number>();
    const stack = [...states];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (seen.has(x) || !this.live[x]) continue;
      seen.add(x);
      stack.push(...this.eps[x]);
    }
    const set = [...seen].sort((a, b) => a - b);
    const key = set.join(',');
    let id = this.dfa.get(key);
    if (id === undefined) {
      id = this.dfaSets.length;
      this.dfa.set(key, id);
      this.dfaSets.push(set);
      this.dfaNext.push(new Int32Array(N).fill(-2));
    }
    return id;
  }

  public initial(): number {
    return this.closure([this.start]);
  }

  /** The state after character index `c`; -1 = dead. */
  public step(d: number, c: number): number {
    const cached = this.dfaNext[d][c];
    if (cached !== -2) return cached;
    const targets: number[] = [];
    for (const s of this.dfaSets[d]) for (const [set, t] of this.edges[s]) if (set[c]) targets.push(t);
    const next = targets.length === 0 ? -1 : this.closure(targets);
    const r = next !== -1 && this.dfaSets[next].length === 0 ? -1 : next;
    this.dfaNext[d][c] = r;
    return r;
  }

  /** The shortest string reaching each accepting state (breadth-first, at most `max` states visited), shortest first. */
  public witnesses(max: number): string[] {
    const out: string[] = [];
    const seen = new Set<number>([this.initial()]);
    let queue: Array<[number, string]> = [[this.initial(), '']];
    while (queue.length > 0 && seen.size <= max) {
      const next: Array<[number, string]> = [];
      for (const [d, w] of queue) {
        if (this.accepts(d)) out.push(w);
        for (let c = 0; c < N; c++) {
          const t = this.step(d, c);
          if (t === -1 || seen.has(t)) continue;
          seen.add(t);
          next.push([t, w + ALPHABET[c]]);
        }
      }
      queue = next;
    }
    return out;
  }

  public accepts(d: number): boolean {
    return this.dfaSets[d].includes(this.end);
  }

  public run(d: number, s: string): number {
    for (const ch of s) {
      const c = INDEX.get(ch);
      if (c === undefined || d === -1) return -1;
      d = this.step(d, c);
    }
    return d;
  }
}

export interface IdRegexAnalysis {
  /** The shortest member (preferring letters), if the expression has one. */
  readonly shortest?: string;
  /** Two members, the first a proper prefix of the second; undefined when none exists (or none was found: see `exhausted`). */
  readonly prefixPair?: readonly [string, string];
  /** Per separator / IAM-significant character the expression admits: a member containing it. */
  readonly admits: Readonly<Record<string, string>>;
  /** True when a search ran out of budget or a look-around made it incomplete: the absence of a prefix pair (or of a member) is not proven. */
  readonly exhausted: boolean;
  /** Why ids could not be derived at all (unsupported syntax, too many states). */
  readonly unsupported?: string;
}

const BUDGET = 20_000;

/** Generates members of `regex` with the automaton, each checked with the real expression. */
export class IdGenerator {
  private readonly a: Automaton;
  public exhausted = false;

  constructor(public readonly regex: RegExp) {
    this.a = new Automaton(new Parser(regex.source).parse());
  }

  /**
   * The shortest `suffix` such that `prefix + suffix` is a member, with at least `minLen`
   * characters, the first one among `first` (when given) and containing `mustContain` (when
   * given), in the preferred character order. Breadth-first over (state, seen) pairs, each
   * visited a few times so a look-around the automaton ignores can be satisfied by a sibling.
   */
  public complete(prefix: string, opts: { minLen?: number; first?: readonly string[]; mustContain?: string } = {}): string | undefined {
    const d0 = this.a.run(this.a.initial(), prefix);
    if (d0 === -1) return undefined;
    const must = opts.mustContain !== undefined ? INDEX.get(opts.mustContain) : undefined;
    if (opts.mustContain !== undefined && must === undefined) return undefined;
    const firstSet = opts.first ? new Set(opts.first.map((c) => INDEX.get(c)).filter((x): x is number => x !== undefined)) : undefined;
    const minLen = opts.minLen ?? 0;
    const visits = new Map<string, number>();
    let queue: Array<[number, string, boolean]> = [[d0, '', must === undefined || prefix.includes(opts.mustContain!)]];
    let work = 0;
    let rejected = false;
    while (queue.length > 0) {
      const next: Array<[number, string, boolean]> = [];
      for (const [d, suffix, seen] of queue) {
        if (this.a.accepts(d) && seen && suffix.length >= minLen) {
          if (this.regex.test(prefix + suffix)) return suffix;
          // A look-around refused what the automaton accepts: the search below is no longer
          // complete (states are revisited only a few times), so a miss proves nothing.
          rejected = true;
        }
        if (++work > BUDGET) {
          this.exhausted = true;
          return undefined;
        }
        for (let c = 0; c < N; c++) {
          if (suffix.length === 0 && firstSet && !firstSet.has(c)) continue;
          const t = this.a.step(d, c);
          if (t === -1) continue;
          const s2 = seen || c === must;
          const key = `${t}\u0000${s2 ? 1 : 0}\u0000${Math.min(suffix.length + 1, minLen)}`;
          const v = visits.get(key) ?? 0;
          if (v >= 3) continue;
          visits.set(key, v + 1);
          next.push([t, suffix + ALPHABET[c], s2]);
        }
      }
      queue = next;
    }
    if (rejected) this.exhausted = true;
    return undefined;
  }

  /** Ids related to `id` by the relations the proof needs, all members: extensions by each admitted separator and by a letter, case variants. */
  public relatedTo(id: string): string[] {
    const out: string[] = [];
    const plain = this.complete(id, { minLen: 1 });
    if (plain !== undefined) out.push(id + plain);
    for (const sep of SEPARATORS) {
      const ext = this.complete(id, { minLen: 1, first: [sep] });
      if (ext !== undefined) out.push(id + ext);
    }
    for (const v of [id.toUpperCase(), id.toLowerCase(), id.charAt(0).toUpperCase() + id.slice(1)]) if (v !== id && this.regex.test(v)) out.push(v);
    return [...new Set(out)];
  }

  public analyze(): IdRegexAnalysis {
    const shortest = this.complete('');
    const admits: Record<string, string> = {};
    for (const c of [...IAM_WILDCARD_CHARS, ...DELIMITER_CHARS]) {
      const s = this.complete('', { mustContain: c });
      if (s !== undefined) admits[c] = s;
    }
    let prefixPair: [string, string] | undefined;
    // A pair starts at some member: one witness per reachable state, extended if it accepts.
    for (const m of this.a.witnesses(200)) {
      if (!this.regex.test(m)) {
        this.exhausted = true;
        continue;
      }
      const ext = this.complete(m, { minLen: 1 });
      if (ext !== undefined) {
        prefixPair = [m, m + ext];
        break;
      }
    }
    return { ...(shortest !== undefined ? { shortest } : {}), ...(prefixPair ? { prefixPair } : {}), admits, exhausted: this.exhausted };
  }
}

/** Analyzes a tenant id expression; never throws (an unsupported one says why). */
export function analyzeIdRegex(regex: RegExp): IdRegexAnalysis & { readonly generator?: IdGenerator } {
  try {
    const generator = new IdGenerator(regex);
    return { ...generator.analyze(), generator };
  } catch (e) {
    if (e instanceof UnsupportedRegexError) return { admits: {}, exhausted: true, unsupported: e.message };
    throw e;
  }
}
