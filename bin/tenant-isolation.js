#!/usr/bin/env node
// The `tenant-isolation` command. Runs the TypeScript sources directly (no build step).
require('ts-node').register({ transpileOnly: true, project: require('path').join(__dirname, '..', 'tsconfig.json') });
require('./cli.ts');
