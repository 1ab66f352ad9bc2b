import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRegistry, parseRegistry, RegistryError, serializeRegistry, writeRegistryAtomic } from '../../lib/core/registry';

const REPO = path.join(__dirname, '..', '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
const json = (tenants: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ version: 1, tenants, ...extra });

function problemsOf(text: string): string[] {
  try {
    parseRegistry(text, 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError);
    return [...(e as RegistryError).problems];
  }
  throw new Error('expected the registry to be refused');
}

describe('registry: load and validate', () => {
  test('the committed demo registry loads: three or more tenants, one silo, ids sharing leading letters', () => {
    const reg = loadRegistry(path.join(REPO, 'tenants.json'));
    expect(reg.tenants.length).toBeGreaterThanOrEqual(3);
    expect(reg.tenants.some((t) => t.tier === 'silo')).toBe(true);
    const ids = reg.tenants.map((t) => t.id.value);
    expect(ids.some((a) => ids.some((b) => a !== b && b.startsWith(a)))).toBe(true);
  });

  test('entries are sorted and defaults applied', () => {
    const reg = parseRegistry(json([{ id: 'zeta' }, { id: 'alpha', tier: 'silo' }]));
    expect(reg.tenants.map((t) => [t.id.value, t.tier, t.status])).toEqual([
      ['alpha', 'silo', 'active'],
      ['zeta', 'pool', 'active'],
    ]);
  });

  test.each([
    ['invalid JSON', '{"version":1,', /not valid JSON/],
    ['wrong version', json([], { version: 2 }), /"version" must be 1, got 2/],
    ['unknown top-level field', json([], { extra: true }), /unknown top-level field "extra"/],
    ['tenants not an array', JSON.stringify({ version: 1, tenants: {} }), /"tenants" must be an array/],
    ['entry not an object', json(['acme']), /tenants\[0\]: must be an object/],
    ['bad id names the rule', json([{ id: 'Acme' }]), /tenants\[0\] \(id "Acme"\): invalid tenant id "Acme".*rule: charset/],
    ['reserved id', json([{ id: 'default' }]), /rule: reserved/],
    ['bad tier', json([{ id: 'acme', tier: 'gold' }]), /"tier" must be one of pool, silo, got "gold"/],
    ['bad status', json([{ id: 'acme', status: 'gone' }]), /"status" must be one of active, retired, purged, got "gone"/],
    ['unknown entry field', json([{ id: 'acme', owner: 'x' }]), /unknown field "owner"/],
    ['bad cache cell', json([{ id: 'acme', placement: { cacheCell: -1 } }]), /"placement.cacheCell" must be a non-negative integer/],
  ])('refuses %s', (_name, text, message) => {
    expect(problemsOf(text as string).join('\n')).toMatch(message as RegExp);
  });

  test('refuses duplicates, naming both entries', () => {
    expect(problemsOf(json([{ id: 'acme' }, { id: 'globex' }, { id: 'acme', tier: 'silo' }]))).toEqual([
      'tenants[2] (id "acme"): duplicate tenant id "acme", first defined at tenants[0]',
    ]);
  });

  test('reports every problem at once', () => {
    expect(problemsOf(json([{ id: 'Bad' }, { id: 'ok-one', tier: 'gold' }, { id: 'x' }]))).toHaveLength(3);
  });

  test('a missing file is a clear error', () => {
    expect(() => loadRegistry('/nonexistent/tenants.json')).toThrow(/invalid tenant registry \/nonexistent\/tenants.json:\n {2}- file not found/);
  });
});

describe('registry: atomic writes', () => {
  test('write then load round-trips, canonical and sorted', () => {
    const dir = tmp();
    const file = path.join(dir, 'tenants.json');
    const reg = parseRegistry(
      json([
        { id: 'zeta', placement: { cacheCell: 1 } },
        { id: 'alpha', tier: 'silo' },
      ]),
    );
    writeRegistryAtomic(file, reg);
    expect(fs.readFileSync(file, 'utf8')).toBe(serializeRegistry(reg));
    expect(loadRegistry(file)).toEqual(reg);
    expect(fs.readdirSync(dir)).toEqual(['tenants.json']); // no temp file left behind
  });

  test('a failure before the rename leaves the old file byte-identical and no temp file', () => {
    const dir = tmp();
    const file = path.join(dir, 'tenants.json');
    fs.writeFileSync(file, json([{ id: 'acme' }]));
    const before = fs.readFileSync(file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs = require('fs') as typeof fs;
    const realRename = nodeFs.renameSync;
    nodeFs.renameSync = () => {
      throw new Error('simulated crash before rename');
    };
    try {
      expect(() => writeRegistryAtomic(file, parseRegistry(json([{ id: 'globex' }])))).toThrow('simulated crash');
    } finally {
      nodeFs.renameSync = realRename;
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['tenants.json']);
  });

  test('a writer killed at random moments never leaves a torn registry', async () => {
    const dir = tmp();
    const file = path.join(dir, 'tenants.json');
    const big = (prefix: string) => json(Array.from({ length: 2000 }, (_, i) => ({ id: `${prefix}-${i}` })));
    fs.writeFileSync(path.join(dir, 'a.json'), big('alpha'));
    fs.writeFileSync(path.join(dir, 'b.json'), big('beta'));
    writeRegistryAtomic(file, parseRegistry(big('alpha')));
    const child = `
      require('ts-node').register({ transpileOnly: true });
      const fs = require('fs');
      const { parseRegistry, writeRegistryAtomic } = require(${JSON.stringify(path.join(REPO, 'lib/core/registry.ts'))});
      const regs = ['a.json', 'b.json'].map((f) => parseRegistry(fs.readFileSync(${JSON.stringify(dir)} + '/' + f, 'utf8')));
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) writeRegistryAtomic(${JSON.stringify(file)}, regs[i % 2]);
    `;
    for (let round = 0; round < 5; round++) {
      const proc = spawn(process.execPath, ['-e', child], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 50 + round * 37));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      const reg = loadRegistry(file); // throws if torn
      expect(reg.tenants).toHaveLength(2000);
      expect(['alpha-0', 'beta-0']).toContain(reg.tenants[0].id.value);
    }
  });
});
