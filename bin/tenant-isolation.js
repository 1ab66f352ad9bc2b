#!/usr/bin/env node
// Entry point of the `tenant-isolation` CLI (package.json "bin"). Compiles the TypeScript
// sources on the fly with ts-node (transpile only: `npm run typecheck` does the type check)
// and runs bin/cli.ts.
const path = require('path');
process.env.TENANT_ISOLATION_CLI = '1';
// Find this package's tsconfig whatever the working directory is.
process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
// Installed under node_modules, ts-node would skip our own sources by default.
if (__dirname.split(path.sep).includes('node_modules')) process.env.TS_NODE_SKIP_IGNORE = 'true';
// A closed pipe (`tenant-isolation list | head`) ends the output quietly.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
require('ts-node/register/transpile-only');
require('./cli.ts');
