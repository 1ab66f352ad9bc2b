/**
 * The registry lock under a stampede: a run died holding the lock, and 20 lifecycle runs start at
 * the same instant (a file barrier), half onboarding and half offboarding DISTINCT tenants through
 * the real CLI entry. Every one of them sees the same dead holder. Before the fix, takeover was
 * check-then-remove of one shared lock file: several runs removed "the stale lock" (the later ones
 * removing a fresh one), held the lock together, and their read-modify-writes lost each other's
 * updates (a lost offboard restores a retired tenant's access at the next deploy). Repeated rounds;
 * a watcher parses the registry throughout, so a torn file would fail too.
 */
import { spawn } from 'child_process';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRegistry, parseRegistry } from '../../../lib/core/registry';
import { registryLockPath } from '../../../lib/blueprint/lifecycle/registry-lock';

const ROOT = path.join(__dirname, '..', '..', '..');
const CHILDREN = 20;
const ROUNDS = 5;
let work: string;
let bundle: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-race-'));
  bundle = path.join(work, 'child.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'lock-race-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: bundle,
    packages: 'external', // aws-cdk-lib etc. load from the project's node_modules (NODE_PATH)
    logLevel: 'silent',
  });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function child(args: string[]): { done: Promise<Exit> } {
  const p = spawn(process.execPath, [bundle, ...args], { env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr!.on('data', (d) => (stderr += d));
  return { done: new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, stderr }))) };
}

function registryText(tenants: Array<{ id: string; status?: string }>): string {
  return JSON.stringify({ version: 1, tenants: tenants.map((t) => ({ id: t.id, tier: 'pool', status: t.status ?? 'active' })) }, null, 2) + '\n';
}

describe(`${CHILDREN} runs race a dead holder's lock, ${ROUNDS} rounds: no update is lost, the registry is never torn`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    test(`round ${round + 1}`, async () => {
      const dir = fs.mkdtempSync(path.join(work, `round-${round}-`));
      const reg = path.join(dir, 'tenants.json');
      const goFile = path.join(dir, 'go');
      const leaving = Array.from({ length: CHILDREN / 2 }, (_, i) => `leaving-${i}`);
      const joining = Array.from({ length: CHILDREN / 2 }, (_, i) => `joining-${i}`);
      fs.writeFileSync(reg, registryText([{ id: 'staying' }, ...leaving.map((id) => ({ id }))]));

      // A run that died holding the lock.
      const crashed = await child(['crash', reg]).done;
      expect(crashed.signal).toBe('SIGKILL');
      expect(fs.existsSync(registryLockPath(reg))).toBe(true);

      const runs = [...leaving.map((id) => child(['run', reg, goFile, 'offboard', id])), ...joining.map((id) => child(['run', reg, goFile, 'onboard', id]))];
      // Every child is started and polling the barrier before it opens.
      await new Promise((r) => setTimeout(r, 1500));
      let reads = 0;
      const torn: string[] = [];
      const watcher = setInterval(() => {
        try {
          parseRegistry(fs.readFileSync(reg, 'utf8'), reg);
          reads++;
        } catch (e) {
          torn.push((e as Error).message);
        }
      }, 2);
      fs.writeFileSync(goFile, '');
      const exits = await Promise.all(runs.map((r) => r.done));
      clearInterval(watcher);

      expect(exits.filter((e) => e.code !== 0)).toEqual([]);
      expect(torn).toEqual([]);
      expect(reads).toBeGreaterThan(0);
      const final = loadRegistry(reg).tenants.map((t) => `${t.id.value}:${t.status}`);
      expect(final).toEqual(['staying:active', ...leaving.map((id) => `${id}:retired`), ...joining.map((id) => `${id}:active`)].sort());
      // Nothing left behind: no lock, no temp directory, no temp registry file.
      expect(fs.readdirSync(dir).sort()).toEqual(['go', 'tenants.json']);
    });
  }
});
