/**
 * `node -r ./scripts/register-esbuild.js bin/app.ts`: loads TypeScript files by stripping their
 * types with esbuild (a Go binary, about a millisecond a file) instead of ts-node's in-process
 * TypeScript compiler (1-2 s for this app, docs/lifecycle.md "Where synth time goes"). It is
 * what cdk.json's "app" runs, so a fresh clone's `npx cdk synth` needs no build step.
 *
 * Same output semantics as `tsc` with this repo's tsconfig.json: CommonJS, ES2022, class fields
 * with define semantics (useDefineForClassFields follows target ES2022 in tsc), legacy
 * decorators; tsconfig has `isolatedModules`, so every file compiles on its own, as here.
 * Types are not checked here (as with ts-node --transpile-only): `npx tsc --noEmit -p .` does that.
 * Each file keeps its own path, so `__dirname` is what the code expects.
 *
 * Each file's output is kept in a cache (node_modules/.cache/tib-register-esbuild, one file per
 * source file), keyed by the SHA-256 of esbuild's version, this loader's own text (with these
 * options), the path and the source text: a synth after the first loads the app's modules without
 * starting esbuild at all (about 0.3 s less on every synth). A changed source, loader or
 * esbuild version misses and is transformed again; entries are written atomically (a temporary
 * file, then a rename), so concurrent synths never read half an entry. TIB_TRANSPILE_CACHE=<folder> puts the cache
 * elsewhere, TIB_TRANSPILE_CACHE=off turns it off. A cache that cannot be written (a read-only
 * checkout) is skipped: the file is transformed as without it.
 */
'use strict';
const { createHash, randomBytes } = require('crypto');
const fs = require('fs');
const path = require('path');

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'es2022',
  platform: 'node',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, experimentalDecorators: true, esModuleInterop: true } },
};

const setting = process.env.TIB_TRANSPILE_CACHE;
const CACHE_DIR = setting === 'off' ? undefined : setting ? path.resolve(setting) : path.join(__dirname, '..', 'node_modules', '.cache', 'tib-register-esbuild');
// esbuild's version is part of every key; its package.json is read without loading esbuild.
const ESBUILD_VERSION = JSON.parse(fs.readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
// This file's own text is part of every key too: a change to how files are loaded (these options
// or anything else here) never meets output made the old way.
const LOADER_HASH = createHash('sha256').update(fs.readFileSync(__filename)).digest('hex');

let esbuild;
function transform(source, filename) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename }).code;
}

/** The cached output for exactly this source at this path, or undefined. */
function readCached(entry, key) {
  let text;
  try {
    text = fs.readFileSync(entry, 'utf8');
  } catch {
    return undefined;
  }
  const header = `// ${key}\n`;
  return text.startsWith(header) ? text.slice(header.length) : undefined;
}

function writeCached(entry, key, code) {
  const temporary = `${entry}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    fs.writeFileSync(temporary, `// ${key}\n${code}`);
    fs.renameSync(temporary, entry);
  } catch {
    // Not writable: this synth works without the cache (and there may be no folder to clean).
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // nothing was written
    }
  }
}

function compiled(source, filename) {
  if (CACHE_DIR === undefined) return transform(source, filename);
  const key = createHash('sha256').update(`${ESBUILD_VERSION}\0${LOADER_HASH}\0${filename}\0${source}`).digest('hex');
  const entry = path.join(CACHE_DIR, `${createHash('sha256').update(filename).digest('hex')}.js`);
  const cached = readCached(entry, key);
  if (cached !== undefined) return cached;
  const code = transform(source, filename);
  writeCached(entry, key, code);
  return code;
}

// Stack traces point into the .ts sources (the inline source maps).
if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(compiled(fs.readFileSync(filename, 'utf8'), filename), filename);
};
