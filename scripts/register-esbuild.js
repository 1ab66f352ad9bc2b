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
 */
'use strict';
const fs = require('fs');
const esbuild = require('esbuild');

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'es2022',
  platform: 'node',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, experimentalDecorators: true, esModuleInterop: true } },
};

// Stack traces point into the .ts sources (the inline source maps).
if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
  module._compile(code, filename);
};
