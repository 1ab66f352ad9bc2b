/**
 * lib/runtime runs in application services and workers: it must not pull aws-cdk-lib,
 * constructs, or any devDependency (iam-simulate is AGPL; pg and PGlite are the application's
 * choice) at run time — directly or through lib/core and the boundaries' runtime/ folders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Pool } from 'pg';
import type { TenantSqlPool } from '../../lib/boundaries/database/runtime/tenant-transaction';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const FORBIDDEN_AT_RUNTIME = ['aws-cdk-lib', 'constructs', 'cdk-nag', ...Object.keys(pkg.devDependencies ?? {})];

/** Value (non-type-only) imports of a TypeScript file. */
function valueImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) specs.push(m[1]);
  for (const m of text.matchAll(/^\s*export\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) specs.push(m[1]);
  for (const m of text.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]);
  return specs;
}

function closure(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec);
        const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
        if (!resolved) throw new Error(`${file}: cannot resolve ${spec}`);
        todo.push(resolved);
      } else {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        packages.set(name, path.relative(ROOT, file));
      }
    }
  }
  return { files, packages };
}

test('the runtime import closure holds no CDK and no devDependency', () => {
  const runtimeDir = path.join(ROOT, 'lib', 'runtime');
  const entries = fs.readdirSync(runtimeDir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  expect(entries).toContain('index.ts');
  const all = new Map<string, string>();
  for (const e of entries) for (const [name, from] of closure(path.join(runtimeDir, e)).packages) all.set(name, from);
  const offending = [...all].filter(([name]) => FORBIDDEN_AT_RUNTIME.includes(name));
  expect(offending).toEqual([]);
  // Sanity: the scan does see the packages the runtime really uses.
  expect([...all.keys()]).toEqual(expect.arrayContaining(['jose', '@aws-sdk/client-sts', '@aws-sdk/client-s3']));
});

test('loading lib/runtime never loads aws-cdk-lib or constructs', () => {
  jest.isolateModules(() => {
    jest.doMock('aws-cdk-lib', () => {
      throw new Error('lib/runtime loaded aws-cdk-lib');
    });
    jest.doMock('constructs', () => {
      throw new Error('lib/runtime loaded constructs');
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtime = require('../../lib/runtime');
    expect(typeof runtime.withTenantTransaction).toBe('function');
    expect(typeof runtime.TenantTokenVerifier).toBe('function');
  });
});

test('pg.Pool satisfies TenantSqlPool (type-only contract; tsc checks this line)', async () => {
  const pool: TenantSqlPool = new Pool({ max: 1 });
  expect(typeof pool.connect).toBe('function');
  await (pool as unknown as Pool).end();
});
