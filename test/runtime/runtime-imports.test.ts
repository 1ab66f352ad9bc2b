/**
 * lib/runtime runs in application services and workers: loading it must not load aws-cdk-lib or
 * constructs. Which files and packages lib/runtime, lib/core and the boundaries' runtime/ folders
 * may import (no CDK, no construct file, no devDependency) is checked statically by
 * dependency-cruiser (.dependency-cruiser.cjs, `npm run deps:check`,
 * test/architecture/import-direction.test.ts); this file checks the behaviour and the type contract.
 */
import { Pool } from 'pg';
import type { TenantSqlPool } from '../../lib/boundaries/database/runtime/tenant-transaction';

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
