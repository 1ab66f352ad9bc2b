/**
 * The two real engines the RLS suite runs on, behind one small interface.
 *
 * - PGlite (embedded, always available): one connection whose session user is a superuser, so
 *   "the application" is `SET ROLE app_login` on it. It proves what RLS does for the app role,
 *   not that the app cannot change role (SET ROLE is checked against the session user).
 * - PostgreSQL server (test/helpers/postgres-server.ts): the admin is the superuser over the
 *   unix socket; the application is a separate TCP connection logged in as `app_login`, a real
 *   LOGIN role (not superuser, NOBYPASSRLS) granted isolation_app.
 */
import { PGlite } from '@electric-sql/pglite';
import { readFileSync } from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { runBootstrap, SqlExecutor } from '../../../lib/boundaries/database/rls-bootstrap/run-bootstrap';
import { startPostgresServer } from '../../helpers/postgres-server';

export const BOOTSTRAP_SQL = readFileSync(path.join(__dirname, '..', '..', '..', 'policies', 'rls', 'bootstrap.sql'), 'utf8');
export const APP_LOGIN = 'app_login';

export interface QueryResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}

export interface Sql {
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
}

export interface RlsEngine {
  readonly name: 'pglite' | 'postgresql';
  /** True when the app is a real login that cannot become another role (real server only). */
  readonly appIsRealLogin: boolean;
  /** Superuser connection (setup, seeding, checking what really is in the tables). */
  readonly admin: Sql;
  /** Runs `fn` as the application login; any open transaction is rolled back afterwards. */
  asApp<T>(fn: (db: Sql) => Promise<T>): Promise<T>;
  /** COPY a table out as the current role of `db`; returns the number of rows copied. */
  copyOut(db: Sql, table: string): Promise<number>;
  /** COPY rows (CSV text) into a table as the current role of `db`. */
  copyIn(db: Sql, table: string, csv: string): Promise<void>;
  /** Where the app login connects (real server only), for pool-based tests. */
  readonly appConnection?: { host: string; port: number; user: string; password: string; database: string };
  /** A SqlExecutor over the admin connection, for runBootstrap. */
  executor(): SqlExecutor;
  close(): Promise<void>;
}

function executorOver(db: Sql): SqlExecutor {
  return {
    begin: async () => void (await db.query('BEGIN')),
    execute: async (statement) => void (await db.query(statement)),
    commit: async () => void (await db.query('COMMIT')),
    rollback: async () => void (await db.query('ROLLBACK')),
  };
}

async function applyBootstrap(executor: SqlExecutor): Promise<void> {
  const result = await runBootstrap(executor, BOOTSTRAP_SQL);
  if (!result.ok) throw new Error(`bootstrap failed: ${JSON.stringify(result)}`);
}

export async function startPglite(): Promise<RlsEngine> {
  const pg = new PGlite();
  let queue: Promise<unknown> = Promise.resolve();
  const raw: Sql = {
    async query(sql, params) {
      const r = await pg.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as Record<string, unknown>[], rowCount: r.affectedRows ?? r.rows.length };
    },
  };
  const engine: RlsEngine = {
    name: 'pglite',
    appIsRealLogin: false,
    admin: raw,
    async asApp(fn) {
      // One connection: serialize app and admin use.
      const run = queue.then(async () => {
        await raw.query(`SET ROLE ${APP_LOGIN}`);
        try {
          return await fn(raw);
        } finally {
          await raw.query('ROLLBACK').catch(() => undefined);
          await raw.query('RESET ALL');
          await raw.query('RESET ROLE');
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async copyOut(_db, table) {
      // Same single connection as `db`: COPY runs as whatever role `db` has set.
      const r = await pg.query(`COPY ${table} TO '/dev/blob'`);
      return r.affectedRows ?? 0;
    },
    async copyIn(_db, table, csv) {
      await pg.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
    },
    executor: () => executorOver(raw),
    close: () => pg.close(),
  };
  await applyBootstrap(engine.executor());
  // PGlite reaches COPY only through its virtual /dev/blob file, which needs the file roles;
  // they grant no access to rows (row level security still applies), only to the "file".
  await raw.query(`CREATE ROLE ${APP_LOGIN} LOGIN NOSUPERUSER NOBYPASSRLS`);
  await raw.query(`GRANT isolation_app TO ${APP_LOGIN}`);
  await raw.query(`GRANT pg_read_server_files, pg_write_server_files TO ${APP_LOGIN}`);
  return engine;
}

function pgSql(client: Client): Sql {
  return {
    async query(sql, params) {
      const r = await client.query(sql, params);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    },
  };
}

export async function startPostgres(): Promise<RlsEngine> {
  const server = await startPostgresServer();
  const boot = new Client({ host: server.socketDir, port: server.port, user: 'postgres', database: 'postgres' });
  await boot.connect();
  await boot.query('CREATE DATABASE tenant_app');
  await boot.end();
  const adminClient = new Client({ host: server.socketDir, port: server.port, user: 'postgres', database: 'tenant_app' });
  await adminClient.connect();
  const admin = pgSql(adminClient);
  const executor = executorOver(admin);
  await applyBootstrap(executor);
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await admin.query(`CREATE ROLE ${APP_LOGIN} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD '${password}'`);
  await admin.query(`GRANT isolation_app TO ${APP_LOGIN}`);
  await admin.query(`GRANT CONNECT ON DATABASE tenant_app TO ${APP_LOGIN}`);
  // One application connection for the whole suite: the pooled-connection cases reuse it.
  const appClient = new Client({ host: server.host, port: server.port, user: APP_LOGIN, password, database: 'tenant_app' });
  await appClient.connect();
  const app = pgSql(appClient);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    name: 'postgresql',
    appIsRealLogin: true,
    appConnection: { host: server.host, port: server.port, user: APP_LOGIN, password, database: 'tenant_app' },
    admin,
    async asApp(fn) {
      const run = queue.then(async () => {
        try {
          return await fn(app);
        } finally {
          await app.query('ROLLBACK').catch(() => undefined);
          await app.query('RESET ALL').catch(() => undefined);
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async copyOut(db, table) {
      // node-postgres discards CopyData without a stream and reports "COPY n" as rowCount.
      return (await db.query(`COPY ${table} TO STDOUT`)).rowCount;
    },
    async copyIn(db, table) {
      // The server refuses COPY FROM on a table under row level security before it asks for data.
      await db.query(`COPY ${table} FROM STDIN WITH (FORMAT csv)`);
    },
    executor: () => executor,
    async close() {
      await appClient.end().catch(() => undefined);
      await adminClient.end().catch(() => undefined);
      server.stop();
    },
  };
}
