/**
 * Application helper for the database boundary: run one request's work in one transaction whose
 * first statement is `SELECT isolation.set_tenant($1)`. The tenant ends with the transaction, so
 * the pooled connection goes back to the pool with no tenant (docs/database.md).
 *
 * Structural types only (no driver import): node-postgres' `Pool`/`PoolClient` fit, and so does
 * anything with `connect()`, `query(text, values)` and `release()`.
 *
 * `TenantSqlClient` / `TenantSqlPool` are the database boundary's one connection contract: this
 * helper and `withTenantTransaction` (tenant-transaction.ts, built on `withTenant`) both take
 * them; lib/runtime/index.ts re-exports them.
 */
import { TenantId } from '../../../core/tenant-id';

/** What the database helpers need from a connection (`pg.PoolClient` satisfies it). */
export interface TenantSqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  /** Returns the connection to the pool; `true` or an error destroys it (used when ROLLBACK itself failed). */
  release(destroy?: boolean | Error): void;
}

/** What the database helpers need from a pool (`pg.Pool` satisfies it). */
export interface TenantSqlPool<C extends TenantSqlClient = TenantSqlClient> {
  connect(): Promise<C>;
}

/**
 * Runs `work` for `tenant` in one transaction: BEGIN, set_tenant, work, COMMIT (ROLLBACK on
 * error). Takes a parsed TenantId, never a raw string.
 */
export async function withTenant<C extends TenantSqlClient, T>(pool: TenantSqlPool<C>, tenant: TenantId, work: (client: C) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let destroy = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT isolation.set_tenant($1)', [tenant.value]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // A connection that cannot roll back may still hold the transaction: never reuse it.
      destroy = true;
    }
    throw e;
  } finally {
    client.release(destroy);
  }
}
