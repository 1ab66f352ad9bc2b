/**
 * The audit's progress line (lib/audit/progress.ts): on stderr only, in place on a terminal,
 * occasional lines elsewhere, nothing for a short audit, nothing with --quiet.
 */
import { main } from '../../bin/cli';
import { ProgressLine } from '../../lib/audit/progress';
import { abacRole, poolBucket, SCOPED_POOL_STATEMENTS, tmpDir, writeAssembly } from './fixtures/assembly-builder';

/** Carriage return + erase to end of line, as a regular-expression source. */
const CLEAR = '\\r\\u001b\\[K';

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('progress line', () => {
  test('1. not a terminal: nothing in the first 2 s, then one line per 10 s with rate and time left', () => {
    const c = clock();
    const out: string[] = [];
    const p = new ProgressLine((s) => out.push(s), { tty: false, now: c.now });
    c.advance(1500);
    p.update(10, 100, 15_000);
    expect(out).toEqual([]);
    c.advance(1000); // 2.5 s: 25 of 100 principals
    p.update(25, 100, 25_000);
    expect(out).toEqual(['audit: matrix 25/100 principals, 25,000 requests, 10,000 requests/s, about 8 s left\n']);
    c.advance(5000);
    p.update(50, 100, 50_000);
    expect(out).toHaveLength(1);
    c.advance(5000); // 12.5 s
    p.update(90, 100, 90_000);
    expect(out).toHaveLength(2);
    expect(out[1]).toMatch(/^audit: matrix 90\/100 principals, 90,000 requests, 7,200 requests\/s, about 1 s left\n$/);
    p.end();
    expect(out).toHaveLength(2);
  });

  test('2. a terminal: rewritten in place from the start, ended with a newline', () => {
    const c = clock();
    const out: string[] = [];
    const p = new ProgressLine((s) => out.push(s), { tty: true, now: c.now });
    c.advance(50);
    p.update(1, 10, 100);
    c.advance(10);
    p.update(2, 10, 200); // within 100 ms of the last: skipped
    c.advance(200);
    p.update(10, 10, 1000);
    p.end();
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(new RegExp(`^${CLEAR}audit: matrix 1\\/10 principals, 100 requests, 2,000 requests\\/s, about 0 s left$`));
    expect(out[1]).toMatch(new RegExp(`^${CLEAR}audit: matrix 10\\/10 principals`));
    expect(out[2]).toBe('\n');
  });

  test('3. the CLI: progress on stderr only, the report alone on stdout; --quiet prints nothing on stderr', async () => {
    const dir = writeAssembly(tmpDir('progress'), { Platform: { resources: { ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS) } } });
    const capture = (tty: boolean) => {
      const o: string[] = [];
      const e: string[] = [];
      return { o, e, io: { stdout: (t: string) => o.push(t), stderr: (t: string) => e.push(t), stderrIsTTY: tty } };
    };
    const b = capture(true);
    await main(['audit', dir, '--format', 'json', '--quiet'], b.io);
    expect(() => JSON.parse(b.o.join(''))).not.toThrow();
    expect(b.e).toEqual([]);
    const c = capture(true);
    await main(['audit', dir, '--format', 'json'], c.io);
    expect(() => JSON.parse(c.o.join(''))).not.toThrow();
    expect(c.e.join('')).toMatch(new RegExp(`${CLEAR}audit: matrix 1\\/1 principals, \\d+ requests, [\\d,]+ requests\\/s`));
    expect(c.o.join('')).not.toMatch(/audit: matrix/);
  });
});
