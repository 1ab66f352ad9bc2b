/**
 * Adversarial ids derived from a custom tenantIdPattern (lib/audit/regex-ids.ts, id-grammar.ts):
 * a property test over a family of expressions (character classes, lengths, separators) against
 * a brute-force oracle, the ids for known grammars, and the audit saying what a pattern leaves
 * the proof (TI-ID-GRAMMAR) while finding the leak such ids open.
 */
import { runAudit } from '../../lib/audit/audit';
import { parseConfig } from '../../lib/audit/config';
import { regexGrammar } from '../../lib/audit/id-grammar';
import { analyzeIdRegex } from '../../lib/audit/regex-ids';
import { abacRole, poolBucket, SCOPED_POOL_STATEMENTS, tmpDir, writeAssembly } from './fixtures/assembly-builder';

/** mulberry32: a seeded generator, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CLASSES = ['[ab]', '[a-c]', '[a1]', '[0-2]', '[aB]', 'a', '[b1-]', '[a.]'];
const SEPARATORS = ['-', '_', '/', '\\.', '\\*', ':', '#'];

/** `^P?C{m,n}(S D{a,b})?$` with small alphabets, so every member up to 6 characters can be enumerated. */
function randomRegex(r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const quant = (lo: number) => {
    const kind = Math.floor(r() * 4);
    const hi = lo + Math.floor(r() * 3);
    return kind === 0 ? `{${lo}}` : kind === 1 ? `{${lo},${hi}}` : kind === 2 ? `{${lo},}` : lo === 0 ? '*' : lo === 1 ? '+' : `{${lo}}`;
  };
  const prefix = r() < 0.3 ? 't' : '';
  const head = `${pick(CLASSES)}${quant(1 + Math.floor(r() * 2))}`;
  const tail = r() < 0.6 ? `(?:${pick(SEPARATORS)}${pick(CLASSES)}${quant(Math.floor(r() * 2))})${r() < 0.5 ? '?' : r() < 0.5 ? '*' : ''}` : '';
  return `^${prefix}${head}${tail}$`;
}

/** Every member of `re` up to `max` characters over the characters the expression names. */
function members(re: RegExp, max: number): string[] {
  const src = re.source;
  const alphabet = [...'abcB012-_/.*:#t'].filter((c) => src.includes(c) || (c === 'b' && src.includes('a-c')) || (c === '1' && src.includes('0-2')));
  const out: string[] = [];
  let level = [''];
  for (let n = 1; n <= max; n++) {
    const next: string[] = [];
    for (const w of level) for (const c of alphabet) next.push(w + c);
    for (const w of next) if (re.test(w)) out.push(w);
    level = next;
  }
  return out;
}

describe('property: ids derived from random expressions of a family', () => {
  const cases = Array.from({ length: 40 }, (_, i) => {
    const r = rng(1000 + i);
    return [i, randomRegex(r)] as const;
  });
  test.each(cases)('%i: %s — every generated id matches; a prefix pair is found iff one exists', (_i, src) => {
    const re = new RegExp(src);
    const a = analyzeIdRegex(re);
    expect(a.unsupported).toBeUndefined();
    const g = regexGrammar(src, re);
    const all = members(re, 6);
    const set = new Set(all);
    const oracleHasPair = all.some((x) => all.some((y) => y.length > x.length && y.startsWith(x)));
    // Generated ids all match.
    const generated = [g.base, g.unrelated, ...g.variants(g.base), ...(a.shortest ? [a.shortest] : []), ...(a.prefixPair ?? []), ...Object.values(a.admits)];
    for (const id of generated) expect(re.test(id)).toBe(true);
    // The shortest member is the oracle's shortest length.
    if (all.length > 0) expect(a.shortest!.length).toBe(Math.min(...all.map((x) => x.length)));
    // A prefix-colliding pair exactly when the oracle finds one, and the variants contain one.
    expect(a.prefixPair !== undefined).toBe(oracleHasPair);
    if (a.prefixPair) {
      const [x, y] = a.prefixPair;
      expect(y.startsWith(x) && y.length > x.length).toBe(true);
      // The ids the matrix evaluates for the base id hold a prefix-colliding pair.
      const vs = g.variants(g.base);
      expect(vs.some((v) => vs.some((w) => w.length > v.length && w.startsWith(v)))).toBe(true);
    }
    // A separator the expression admits appears in a generated id.
    for (const sep of ['/', '.', ':', '#', '*']) {
      if (all.some((m) => m.includes(sep))) expect(a.admits[sep]).toBeDefined();
      else if (a.admits[sep] !== undefined) expect(set.has(a.admits[sep]) || re.test(a.admits[sep])).toBe(true);
    }
  });
});

describe('known grammars', () => {
  test('the blueprint expression: shortest "aaa", the acme / acme-q pair, no IAM-significant characters', () => {
    const g = regexGrammar('bp', /^(?!.*--)[a-z][a-z0-9-]{1,38}[a-z0-9]$/);
    expect(g.base).toBe('acme');
    expect(g.variants('acme')).toEqual(expect.arrayContaining(['acme-q', 'acmeq', 'acme-a', 'acmea', 'aaa']));
    expect(g.analysis!.warnings).toEqual([]);
    expect(g.analysis!.evidence).toMatch(/shortest member "aaa"; prefix-colliding pair "aaa" \/ "aaaa"/);
  });

  test('fixed-length ids (t + 6 digits): no prefix pair exists, said as a fact, not a warning', () => {
    const g = regexGrammar('^t[0-9]{6}$', /^t[0-9]{6}$/);
    expect(g.base).toBe('t000000');
    expect(g.isValid(g.unrelated)).toBe(true);
    expect(g.unrelated).not.toBe(g.base);
    expect(g.analysis!.warnings).toEqual([]);
    expect(g.analysis!.evidence).toContain('no member is a proper prefix of another');
  });

  test('an expression admitting / and * : ids containing them, and two warnings naming the characters', () => {
    const g = regexGrammar('^[a-z0-9/*-]+$', /^[a-z0-9/*-]+$/);
    expect(g.variants('acme')).toEqual(expect.arrayContaining(['acme/', 'acme*', 'acme-']));
    expect(g.analysis!.warnings).toEqual([
      expect.stringMatching(/^tenantIdPattern "\^\[a-z0-9\/\*-\]\+\$" admits "\*" \(e\.g\. "\*"\): IAM-wildcard-significant characters/),
      expect.stringMatching(/admits "\/" \(e\.g\. "\/"\): namespace delimiters/),
    ]);
  });

  test('case variants when the expression allows them', () => {
    const g = regexGrammar('^[A-Za-z]{3,10}$', /^[A-Za-z]{3,10}$/);
    expect(g.variants('acme')).toEqual(expect.arrayContaining(['ACME', 'Acme']));
  });

  test('a look-ahead that defeats the search: "too wide" is said, no false "no prefix pair" fact', () => {
    const g = regexGrammar('^(?=.*q{9})[a-q]+$', /^(?=.*q{9})[a-q]+$/);
    expect(g.analysis!.evidence).not.toContain('no member is a proper prefix');
    expect(g.analysis!.warnings).toEqual(expect.arrayContaining([expect.stringContaining('too wide for the audit to generate a prefix-colliding pair')]));
  });

  test("a look-ahead the search can satisfy still yields only members (the blueprint's no-double-hyphen rule)", () => {
    const re = /^(?!.*--)[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
    const g = regexGrammar('bp', re);
    for (const id of [g.base, g.unrelated, ...g.variants('acme-corp'), ...g.variants(g.base)]) expect(re.test(id)).toBe(true);
    expect(g.variants('acme-corp')).not.toContain('acme-corp--a');
  });

  test('a back-reference cannot be analyzed: said, not guessed', () => {
    const g = regexGrammar('^([a-z])\\1[a-z]+$', /^([a-z])\1[a-z]+$/);
    expect(g.analysis!.warnings).toEqual([expect.stringMatching(/cannot derive adversarial ids from it \(back-reference \\1\)/)]);
  });
});

describe('the audit with a custom pattern', () => {
  const dir = () => writeAssembly(tmpDir('rx'), { Platform: { resources: { ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS) } } });
  const cfg = (pattern: string) => parseConfig(JSON.stringify({ tenantIdPattern: pattern }), 'rx.json');

  test('^[a-z]{3,12}$ (the control): clean, the derived ids in the model evidence', async () => {
    const r = await runAudit(dir(), { config: cfg('^[a-z]{3,12}$') });
    expect(r.findings.filter((f) => f.severity !== 'note')).toEqual([]);
    expect(r.model.evidence[0].detail).toMatch(/derived from the expression: shortest member "aaa"; prefix-colliding pair/);
  });

  test('^[a-z]+(/[a-z]+)?$: tenant "acme" reads tenant "acme/a"\'s objects through tenants/${tag}/*, and TI-ID-GRAMMAR says why', async () => {
    const r = await runAudit(dir(), { config: cfg('^[a-z]+(/[a-z]+)?$') });
    const leak = r.findings.find((f) => f.rule === 'TI-CROSS-TENANT' && f.action === 's3:GetObject');
    expect(leak).toMatchObject({ severity: 'error', logicalId: 'TenantRole' });
    expect(
      r.matrix.leaks.some(
        (l) => l.probe.actingAs === 'acme' && l.probe.victim === 'acme/a' && l.probe.resourceArn === 'arn:aws:s3:::pool-bucket/tenants/acme/a/audit-probe',
      ),
    ).toBe(true);
    const grammar = r.findings.filter((f) => f.rule === 'TI-ID-GRAMMAR');
    expect(grammar).toEqual([expect.objectContaining({ severity: 'warning', logicalId: 'tenantIdPattern', why: expect.stringContaining('admits "/"') })]);
  });
});
