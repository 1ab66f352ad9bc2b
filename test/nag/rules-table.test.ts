/** scripts/nag-rules-table.ts: the table comes from the rules' metadata; --check catches drift. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ruleId, TENANT_ISOLATION_RULES } from '../../lib/nag';
import { rulesTable, TABLE_BEGIN, TABLE_END } from '../../lib/nag/rules-table';
import { main } from '../../scripts/nag-rules-table';

const DOCS = path.join(__dirname, '..', '..', 'README.md');

function tempDoc(body: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nag-table-')), 'doc.md');
  fs.writeFileSync(file, body);
  return file;
}

describe('nag rules table', () => {
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    stdout.mockRestore();
  });

  test('one row per rule, with stable, unique ids and both texts', () => {
    const ids = TENANT_ISOLATION_RULES.map(ruleId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of TENANT_ISOLATION_RULES) {
      expect(r.id).toMatch(/^[A-Z]+[0-9]+$/);
      expect(r.info.length).toBeGreaterThan(20);
      expect(r.explanation.length).toBeGreaterThan(40);
    }
    const rows = rulesTable().split('\n').slice(2);
    expect(rows.map((row) => /^\| `([^`]+)` \|/.exec(row)?.[1])).toEqual(ids);
  });

  test('README.md is up to date (what `npm run nag:check` asserts in CI)', () => {
    expect(main(['--check', DOCS])).toBe(0);
  });

  test('--check exits 1 on drift and leaves the file alone; the update fixes it', () => {
    const stale = `# Doc\n${TABLE_BEGIN}\n| id |\n|---|\n| \`TI-OLD1\` |\n${TABLE_END}\nafter\n`;
    const file = tempDoc(stale);
    expect(main(['--check', file])).toBe(1);
    expect(fs.readFileSync(file, 'utf8')).toBe(stale);
    expect(main([file])).toBe(0);
    const updated = fs.readFileSync(file, 'utf8');
    expect(updated).toContain(rulesTable());
    expect(updated.endsWith(`${TABLE_END}\nafter\n`)).toBe(true);
    expect(main(['--check', file])).toBe(0);
  });

  test('a file without the markers is an error (exit 2), not a silent pass', () => {
    expect(main(['--check', tempDoc('# no markers\n')])).toBe(2);
  });
});
