/**
 * withTenant() — the documented application pattern — on a real PostgreSQL server with a real
 * node-postgres Pool of ONE connection, so every request reuses the previous request's
 * connection: the tenant must never carry over, and a failed request must leave nothing behind.
 */
import { Pool, PoolClient } from 'pg';
import { withTenant } from '../../../../lib/boundaries/database/runtime/with-tenant';
import { TenantId } from '../../../../lib/core/tenant-id';
import { describeWithEngine } from '../../../helpers/engines';
import { POSTGRES_SERVER_HINT, postgresBinDir } from '../../../helpers/postgres-server';
import { RlsEngine, startPostgres } from '../rls-engines';
import { SCHEMA_SQL } from '../rls-suite';

describeWithEngine('postgresql', postgresBinDir() !== undefined, POSTGRES_SERVER_HINT, () => {
  let engine: RlsEngine;
  let pool: Pool;
  const acme = TenantId.parse('acme');
  const acmeCorp = TenantId.parse('acme-corp');

  beforeAll(async () => {
    engine = await startPostgres();
    for (const s of SCHEMA_SQL) await engine.admin.query(s);
    pool = new Pool({ ...engine.appConnection!, max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await engine?.close();
  });

  test('requests for acme and acme-corp on one pooled connection each see only their own rows', async () => {
    await withTenant(pool, acme, (c) => c.query("INSERT INTO app.notes (id, body) VALUES (1, 'acme says hi')"));
    await withTenant(pool, acmeCorp, (c) => c.query("INSERT INTO app.notes (id, body) VALUES (1, 'acme-corp secret')"));
    const seen = await withTenant(pool, acme, async (c: PoolClient) => (await c.query('SELECT tenant_id, body FROM app.notes')).rows);
    expect(seen).toEqual([{ tenant_id: 'acme', body: 'acme says hi' }]);
    // The same (only) connection outside withTenant: no tenant left behind.
    expect((await pool.query('SELECT isolation.current_tenant() AS t, count(*)::int AS n FROM app.notes')).rows).toEqual([{ t: null, n: 0 }]);
  });

  test('a failing request is rolled back and leaves no tenant on the connection', async () => {
    await expect(
      withTenant(pool, acme, async (c: PoolClient) => {
        await c.query("INSERT INTO app.notes (id, body) VALUES (2, 'half done')");
        await c.query("INSERT INTO app.notes VALUES ('acme-corp', 3, 'planted')");
      }),
    ).rejects.toThrow('new row violates row-level security policy for table "notes"');
    const rows = await withTenant(pool, acme, async (c: PoolClient) => (await c.query('SELECT id FROM app.notes ORDER BY id')).rows);
    expect(rows).toEqual([{ id: 1 }]);
    expect((await pool.query('SELECT isolation.current_tenant() AS t')).rows).toEqual([{ t: null }]);
  });
});
