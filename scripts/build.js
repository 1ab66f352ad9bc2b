#!/usr/bin/env node
// `npm run build` (also run by `npm pack` / `npm publish` through prepack): a clean dist/ with
//   dist/lib/**        the library, runtime, audit and jest matcher as CommonJS + declarations (tsconfig.build.json)
//   dist/bin/cli.js    the `tenant-isolation` CLI (executable, with its shebang)
//   dist/lambda/<name> the prebuilt Lambda bundles (lib/boundaries/lambda-bundles.ts), so a
//                      consumer's synth needs no esbuild, TypeScript or ts-node
// Progress goes to stderr (stdout stays clean for `npm pack --json`).
// Needs the devDependencies (typescript, esbuild): it runs in this repository only.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const started = Date.now();

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
fs.chmodSync(path.join(dist, 'bin', 'cli.js'), 0o755);
// Every entry package.json exports (`.`, `./runtime`, `./audit`, `./jest`) was compiled, with its declarations.
for (const [entry, target] of Object.entries(require(path.join(root, 'package.json')).exports)) {
  for (const file of typeof target === 'string' ? [target] : [target.require, target.types]) {
    if (!fs.existsSync(path.join(root, file))) throw new Error(`build: package.json exports ${entry} -> ${file}, which the build did not write`);
  }
}

// The bundle specs and the bundler are the compiled lib/boundaries/lambda-bundles.ts itself.
const { LAMBDA_BUNDLES, PREBUILT_LAMBDA_DIR, buildLambdaBundle, writeLambdaBundle } = require(path.join(dist, 'lib', 'boundaries', 'lambda-bundles.js'));
for (const spec of Object.values(LAMBDA_BUNDLES)) {
  const dir = path.join(root, PREBUILT_LAMBDA_DIR, spec.name);
  const files = buildLambdaBundle(spec, root);
  writeLambdaBundle(files, dir);
  const bytes = files.reduce((n, f) => n + f.contents.length, 0);
  console.error(`build: ${path.relative(root, dir)}/ ${files.map((f) => f.file).join(', ')} (${(bytes / 1024).toFixed(1)} KiB)`);
}
console.error(`build: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
