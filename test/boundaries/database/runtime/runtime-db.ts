/**
 * Real databases for the runtime tests, each with the project's RLS bootstrap
 * (policies/rls/bootstrap.sql applied by lib/boundaries/database/rls-bootstrap/run-bootstrap.ts) and the
 * reference schema of docs/runtime.md:
 *
 * - PGlite: one connection whose session user is a superuser, behind PGlitePool; the helper
 *   `SET LOCAL ROLE app_login` (granted isolation_app) inside each transaction.
 * - PostgreSQL server: a real `pg.Pool` logged in as `app_login` (LOGIN, not superuser,
 *   NOBYPASSRLS, granted isolation_app) over TCP with a password — the production shape, no
 *   role change.
 */
import { PGlite } from '@electric-sql/pglite';
import { readFileSync } from 'fs';
import * as path from 'path';
import { Client, Pool } from 'pg';
import { runBootstrap, SqlExecutor } from '../../../../lib/boundaries/database/rls-bootstrap/run-bootstrap';
import type { TenantSqlPool } from '../../../../lib/boundaries/database/runtime/tenant-transaction';
import { PGlitePool } from '../../../helpers/pglite-pool';
import { startPostgresServer } from '../../../helpers/postgres-server';

const BOOTSTRAP_SQL = readFileSync(path.join(__dirname, '..', '..', '..', '..', 'policies', 'rls', 'bootstrap.sql'), 'utf8');
export const APP_LOGIN = 'app_login';

/** The reference schema: every key starts with tenant_id; object_key is relative to the tenant prefix. */
export const RUNTIME_SCHEMA = [
  `CREATE TABLE exports (tenant_id text NOT NULL, id uuid NOT NULL, object_key text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, id))`,
  "SELECT isolation.protect('exports')",
  'CREATE TABLE notes (tenant_id text NOT NULL, id int NOT NULL, body text NOT NULL, PRIMARY KEY (tenant_id, id))',
  "SELECT isolation.protect('notes')",
];

export interface AdminSql {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface RuntimeDb {
  readonly name: 'pglite' | 'postgresql';
  /** What application code gets. */
  readonly pool: TenantSqlPool;
  /** Role for withTenantTransaction's `role` option (PGlite only). */
  readonly role: string | undefined;
  /** Superuser access for seeding and for checking what really is in the tables. */
  readonly admin: AdminSql;
  close(): Promise<void>;
}

function executorOver(db: AdminSql): SqlExecutor {
  return {
    begin: async () => void (await db.query('BEGIN')),
    execute: async (statement) => void (await db.query(statement)),
    commit: async () => void (await db.query('COMMIT')),
    rollback: async () => void (await db.query('ROLLBACK')),
  };
}

async function prepare(admin: AdminSql): Promise<void> {
  const result = await runBootstrap(executorOver(admin), BOOTSTRAP_SQL);
  if (!result.ok) throw new Error(`RLS bootstrap failed: ${JSON.stringify(result)}`);
  for (const statement of RUNTIME_SCHEMA) await admin.query(statement);
}

export async function startPgliteDb(): Promise<RuntimeDb & { pglitePool: PGlitePool }> {
  const db = new PGlite();
  const admin: AdminSql = { query: async (sql, params) => ({ rows: (await db.query(sql, params as unknown[])).rows as Record<string, unknown>[] }) };
  await prepare(admin);
  await admin.query(`CREATE ROLE ${APP_LOGIN} LOGIN NOSUPERUSER NOBYPASSRLS`);
  await admin.query(`GRANT isolation_app TO ${APP_LOGIN}`);
  const pool = new PGlitePool(db);
  return { name: 'pglite', pool, pglitePool: pool, role: APP_LOGIN, admin, close: () => db.close() };
}

export async function startPostgresDb(): Promise<RuntimeDb> {
  const server = await startPostgresServer();
  const boot = new Client({ host: server.socketDir, port: server.port, user: 'postgres', database: 'postgres' });
  await boot.connect();
  await boot.query('CREATE DATABASE runtime_app');
  await boot.end();
  const adminClient = new Client({ host: server.socketDir, port: server.port, user: 'postgres', database: 'runtime_app' });
  await adminClient.connect();
  const admin: AdminSql = { query: async (sql, params) => ({ rows: (await adminClient.query(sql, params)).rows }) };
  await prepare(admin);
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await admin.query(`CREATE ROLE ${APP_LOGIN} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD '${password}'`);
  await admin.query(`GRANT isolation_app TO ${APP_LOGIN}`);
  const pool = new Pool({ host: server.host, port: server.port, user: APP_LOGIN, password, database: 'runtime_app', max: 4 });
  return {
    name: 'postgresql',
    pool,
    role: undefined,
    admin,
    async close() {
      await pool.end().catch(() => undefined);
      await adminClient.end().catch(() => undefined);
      server.stop();
    },
  };
}
