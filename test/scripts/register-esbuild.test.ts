/**
 * The TypeScript loader of cdk.json's app (scripts/register-esbuild.js) and its transpile cache:
 * a warm synth loads the app's modules without esbuild, and the cache never serves output for
 * anything but the exact source it was made from (an edit, a damaged entry), nor stops a synth
 * when it cannot be written. Each case runs a real `node -r scripts/register-esbuild.js` process.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REGISTER = path.join(__dirname, '..', '..', 'scripts', 'register-esbuild.js');

interface Loaded {
  readonly value: number;
  readonly dirname: string;
  readonly esbuildLoaded: boolean;
}

let dir: string;
let source: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'register-esbuild-'));
  source = path.join(dir, 'module.ts');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A TypeScript module (type annotations, so it cannot load without the hook) that reports what it saw. */
function writeModule(value: number): void {
  fs.writeFileSync(
    source,
    [
      `const value: number = ${value};`,
      'const esbuildLoaded: boolean = Object.keys(require.cache).some((f) => /[\\\\/]node_modules[\\\\/]esbuild[\\\\/]/.test(f));',
      'console.log(JSON.stringify({ value, dirname: __dirname, esbuildLoaded }));',
      '',
    ].join('\n'),
  );
}

function load(cache: string): Loaded {
  const result = spawnSync(process.execPath, ['-r', REGISTER, source], {
    env: { ...process.env, TIB_TRANSPILE_CACHE: cache },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Loaded;
}

function entries(cache: string): string[] {
  return fs.existsSync(cache) ? fs.readdirSync(cache) : [];
}

test('the first load transforms with esbuild and stores one entry; the next loads without esbuild', () => {
  const cache = path.join(dir, 'cache');
  writeModule(1);
  expect(load(cache)).toEqual({ value: 1, dirname: dir, esbuildLoaded: true });
  expect(entries(cache)).toHaveLength(1);
  expect(load(cache)).toEqual({ value: 1, dirname: dir, esbuildLoaded: false });
  expect(entries(cache)).toHaveLength(1);
});

test('an edited source is transformed again, never served from the entry of the old text', () => {
  const cache = path.join(dir, 'cache');
  writeModule(1);
  load(cache);
  writeModule(2);
  expect(load(cache)).toEqual({ value: 2, dirname: dir, esbuildLoaded: true });
  // The entry now holds the new text's output (one entry per source file, replaced).
  expect(entries(cache)).toHaveLength(1);
  expect(load(cache)).toEqual({ value: 2, dirname: dir, esbuildLoaded: false });
});

test('a damaged entry is ignored and rewritten', () => {
  const cache = path.join(dir, 'cache');
  writeModule(3);
  load(cache);
  const [entry] = entries(cache);
  const text = fs.readFileSync(path.join(cache, entry), 'utf8');
  // Cut inside the key line: the header no longer matches.
  fs.writeFileSync(path.join(cache, entry), text.slice(0, 20));
  expect(load(cache)).toEqual({ value: 3, dirname: dir, esbuildLoaded: true });
  expect(fs.readFileSync(path.join(cache, entry), 'utf8')).toBe(text);
});

test('a cache that cannot be written does not stop the load; TIB_TRANSPILE_CACHE=off writes nothing', () => {
  writeModule(4);
  // A folder under a regular file cannot be created.
  const blocker = path.join(dir, 'not-a-folder');
  fs.writeFileSync(blocker, '');
  expect(load(path.join(blocker, 'cache'))).toEqual({ value: 4, dirname: dir, esbuildLoaded: true });
  const offDir = fs.readdirSync(dir);
  expect(load('off')).toEqual({ value: 4, dirname: dir, esbuildLoaded: true });
  expect(fs.readdirSync(dir)).toEqual(offDir);
});

test('no temporary file is left behind after a write', () => {
  const cache = path.join(dir, 'cache');
  writeModule(5);
  load(cache);
  expect(entries(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});
