#!/usr/bin/env node
// Entry point of the `tenant-isolation` CLI (package.json "bin").
//
// - Installed package: runs the compiled CLI, dist/bin/cli.js (plain JavaScript; no TypeScript,
//   ts-node or bundler is loaded; each command's module is loaded only when it runs).
// - This repository (bin/cli.ts is here; it is not shipped): runs the TypeScript sources through
//   ts-node (transpile only: `npm run typecheck` does the type check), so `npx tenant-isolation`
//   and the tests always run the current code, never a stale dist/.
const fs = require('fs');
const path = require('path');

process.env.TENANT_ISOLATION_CLI = '1';
// A closed pipe (`tenant-isolation list | head`) ends the output quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const source = path.join(__dirname, 'cli.ts');
if (fs.existsSync(source)) {
  // Find this package's tsconfig whatever the working directory is.
  process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
  require('ts-node/register/transpile-only');
  require(source);
} else {
  require(path.join(__dirname, '..', 'dist', 'bin', 'cli.js'));
}
