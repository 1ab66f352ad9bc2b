/**
 * Inference through the database (issue 20 item 8), on a real PostgreSQL server: the bootstrap
 * applied, and every application session on ONE login (`app_login`, granted isolation_app), as a
 * pooled application runs. Two sessions act as tenants acme and globex at the same time.
 *
 * What the bootstrap closes is asserted as the specific refusal; what PostgreSQL cannot close is
 * measured and named "LIMIT OF RLS" (docs/inference-channels.md says how each is handled).
 */
import { Client, Notification } from 'pg';
import { describeWithEngine } from '../../helpers/engines';
import { POSTGRES_SERVER_HINT, postgresBinDir } from '../../helpers/postgres-server';
import { runBootstrap } from '../../../lib/boundaries/database/rls-bootstrap/run-bootstrap';
import { BOOTSTRAP_SQL, RlsEngine, startPostgres } from './rls-engines';
import { pgError, SCHEMA_SQL } from './rls-suite';

const SEED = [`INSERT INTO app.notes VALUES ('acme', 1, 'acme note'), ('globex', 1, 'globex 1'), ('globex', 2, 'globex 2')`, 'ANALYZE app.notes'];
const SECRET = 'globex-secret-literal-4711';

describeWithEngine('postgresql', postgresBinDir() !== undefined, POSTGRES_SERVER_HINT, () => {
  let engine: RlsEngine;
  let acme: Client;
  let globex: Client;

  const session = async (): Promise<Client> => {
    const c = new Client(engine.appConnection!);
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    engine = await startPostgres();
    for (const s of [...SCHEMA_SQL, ...SEED]) await engine.admin.query(s);
    acme = await session();
    globex = await session();
  });
  afterAll(async () => {
    await acme?.end().catch(() => undefined);
    await globex?.end().catch(() => undefined);
    await engine?.close();
  });
  afterEach(async () => {
    await acme.query('ROLLBACK').catch(() => undefined);
    await globex.query('ROLLBACK').catch(() => undefined);
  });

  test('both sessions are the same login, not superuser, holding isolation_app', async () => {
    const who = async (c: Client) => (await c.query("SELECT session_user AS u, pg_has_role('isolation_app', 'MEMBER') AS app FROM pg_roles LIMIT 1")).rows[0];
    expect([await who(acme), await who(globex)]).toEqual([
      { u: 'app_login', app: true },
      { u: 'app_login', app: true },
    ]);
  });

  test("acme cannot read globex's in-flight query text (pg_stat_activity, pg_stat_get_backend_activity)", async () => {
    await globex.query('BEGIN');
    await globex.query("SELECT isolation.set_tenant('globex')");
    const inFlight = globex.query(`SELECT pg_sleep(1.5), '${SECRET}' AS s, count(*) FROM app.notes`);
    try {
      // The superuser sees the query running: the channel exists, the attack is real.
      let seen = false;
      for (let i = 0; i < 50 && !seen; i++) {
        seen = (await engine.admin.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE '%${SECRET}%' AND pid <> pg_backend_pid()`)).rows.length > 0;
        if (!seen) await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toBe(true);
      await acme.query('BEGIN');
      await acme.query("SELECT isolation.set_tenant('acme')");
      await acme.query('SAVEPOINT s');
      expect(await pgError(acme.query("SELECT query FROM pg_stat_activity WHERE query LIKE '%globex-secret%'"))).toEqual({
        code: '42501',
        message: 'permission denied for function pg_stat_get_activity',
      });
      await acme.query('ROLLBACK TO SAVEPOINT s');
      expect(await pgError(acme.query('SELECT pg_stat_get_backend_activity(s) FROM pg_stat_get_backend_idset() s'))).toEqual({
        code: '42501',
        message: 'permission denied for function pg_stat_get_backend_idset',
      });
      await acme.query('ROLLBACK TO SAVEPOINT s');
      expect(await pgError(acme.query('SELECT pg_stat_get_backend_activity(1)'))).toEqual({
        code: '42501',
        message: 'permission denied for function pg_stat_get_backend_activity',
      });
    } finally {
      await inFlight;
    }
  });

  test('acme cannot read the table-wide live row count (pg_stat_user_tables, pg_stat_get_live_tuples)', async () => {
    // The server counts every tenant's rows (3 seeded; acme owns 1); stats are flushed at most once
    // a second, and ANALYZE re-estimates them, so "more than acme's own" is what is asserted.
    await new Promise((r) => setTimeout(r, 1100));
    const [{ n: live }] = (await engine.admin.query("SELECT n_live_tup::int AS n FROM pg_stat_user_tables WHERE relid = 'app.notes'::regclass")).rows;
    expect(live).toBeGreaterThan(1);
    await acme.query('BEGIN');
    await acme.query("SELECT isolation.set_tenant('acme')");
    expect((await acme.query('SELECT count(*)::int AS n FROM app.notes')).rows).toEqual([{ n: 1 }]);
    await acme.query('SAVEPOINT s');
    const view = await pgError(acme.query("SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'notes'"));
    expect(view.code).toBe('42501');
    expect(view.message).toMatch(/^permission denied for function pg_stat_get_[a-z_]+$/);
    await acme.query('ROLLBACK TO SAVEPOINT s');
    expect(await pgError(acme.query("SELECT pg_stat_get_live_tuples('app.notes'::regclass)"))).toEqual({
      code: '42501',
      message: 'permission denied for function pg_stat_get_live_tuples',
    });
    await acme.query('ROLLBACK TO SAVEPOINT s');
    expect(await pgError(acme.query('SELECT tup_inserted FROM pg_stat_database'))).toMatchObject({ code: '42501' });
    await acme.query('ROLLBACK TO SAVEPOINT s');
    expect(await pgError(acme.query('SELECT tuples_processed FROM pg_stat_progress_copy'))).toEqual({
      code: '42501',
      message: 'permission denied for function pg_stat_get_progress_info',
    });
  });

  test("the app's own-transaction counters stay readable (they show only its own work)", async () => {
    await acme.query('BEGIN');
    await acme.query("SELECT isolation.set_tenant('acme')");
    await acme.query('SELECT * FROM app.notes');
    expect((await acme.query("SELECT seq_scan::int AS n FROM pg_stat_xact_user_tables WHERE relname = 'notes'")).rows).toEqual([{ n: 1 }]);
  });

  test('monitoring keeps the statistics through pg_monitor / pg_read_all_stats', async () => {
    await engine.admin.query('CREATE ROLE monitor_login LOGIN');
    await engine.admin.query('GRANT pg_monitor TO monitor_login');
    try {
      await engine.admin.query('BEGIN');
      await engine.admin.query('SET LOCAL ROLE monitor_login');
      // (no USAGE on schema app, so by name, not 'app.notes'::regclass)
      const [{ n }] = (await engine.admin.query("SELECT n_live_tup::int AS n FROM pg_stat_user_tables WHERE schemaname = 'app' AND relname = 'notes'")).rows;
      expect(n).toBeGreaterThan(1);
      expect(
        (await engine.admin.query("SELECT count(*) > 0 AS ok FROM pg_stat_activity WHERE usename = 'app_login' AND query <> '<insufficient privilege>'")).rows,
      ).toEqual([{ ok: true }]);
    } finally {
      await engine.admin.query('ROLLBACK');
      await engine.admin.query('DROP ROLE monitor_login');
    }
  });

  test('unprotected_tables() reports a statistics function someone gave back to the app', async () => {
    const admin = engine.admin;
    const statistics = async () => (await admin.query("SELECT object, problem FROM isolation.unprotected_tables() WHERE kind = 'statistics'")).rows;
    expect(await statistics()).toEqual([]);
    await admin.query('BEGIN');
    try {
      await admin.query('GRANT EXECUTE ON FUNCTION pg_stat_get_activity(integer) TO PUBLIC');
      expect(await statistics()).toEqual([
        {
          object: 'pg_stat_get_activity(integer)',
          problem: "executable by isolation_app: shows the query text of other sessions of the same login (other tenants' literals)",
        },
      ]);
    } finally {
      await admin.query('ROLLBACK');
    }
  });

  test('MEASURED: run by a non-superuser master (as on Aurora), the bootstrap succeeds but cannot close the statistics, says so, and SET LOCAL ROLE isolation_app is the fallback', async () => {
    // Aurora's master user is rds_superuser with CREATEROLE, not superuser: it does not own the
    // pg_catalog functions. Modelled by a CREATEROLE login that owns its database.
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    await engine.admin.query(`CREATE ROLE master_like LOGIN CREATEROLE CREATEDB NOSUPERUSER PASSWORD '${password}'`);
    await engine.admin.query('CREATE DATABASE aurora_like OWNER master_like');
    const master = new Client({ ...engine.appConnection!, user: 'master_like', password, database: 'aurora_like' });
    await master.connect();
    try {
      const result = await runBootstrap(
        {
          begin: async () => void (await master.query('BEGIN')),
          execute: async (statement) => void (await master.query(statement)),
          commit: async () => void (await master.query('COMMIT')),
          rollback: async () => void (await master.query('ROLLBACK')),
        },
        BOOTSTRAP_SQL,
      );
      expect(result).toEqual({ ok: true, statements: expect.any(Number) });
      const open = await master.query("SELECT object FROM isolation.unprotected_tables() WHERE kind = 'statistics' ORDER BY 1");
      expect(open.rows.map((r) => r.object)).toEqual([
        'pg_stat_get_activity(integer)',
        'pg_stat_get_backend_activity(integer)',
        'pg_stat_get_live_tuples(oid)',
        'pg_stat_get_progress_info(text)',
        'pg_stat_get_tuples_inserted(oid)',
      ]);

      // There, one login's sessions see each other's query text. Running the transaction as
      // isolation_app (SET LOCAL ROLE, withTenantTransaction's `role` option) hides it, because
      // PostgreSQL shows query text to roles with the privileges of the session's login, and
      // isolation_app is not a member of app_login; RESET ROLE shows it again.
      await master.query(`GRANT CONNECT ON DATABASE aurora_like TO ${engine.appConnection!.user}`);
      const other = new Client({ ...engine.appConnection!, database: 'aurora_like' });
      const me = new Client({ ...engine.appConnection!, database: 'aurora_like' });
      await other.connect();
      await me.connect();
      try {
        const inFlight = other.query(`SELECT pg_sleep(1), '${SECRET}' AS s`);
        const seen = async () =>
          (await me.query("SELECT query FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()", [SECRET])).rows.map(
            (r) => r.query as string,
          );
        let plain: string[] = [];
        for (let i = 0; i < 50 && plain.length === 0; i++) {
          plain = await seen();
          if (plain.length === 0) await new Promise((r) => setTimeout(r, 20));
        }
        expect(plain).toEqual([`SELECT pg_sleep(1), '${SECRET}' AS s`]);
        await me.query('BEGIN');
        await me.query('SET LOCAL ROLE isolation_app');
        const hidden = (
          await me.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = '<insufficient privilege>' AND usename = $1", [engine.appConnection!.user])
        ).rows;
        expect(await seen()).toEqual([]);
        expect(hidden[0].n).toBeGreaterThanOrEqual(1);
        await me.query('RESET ROLE');
        expect(await seen()).toHaveLength(1);
        await me.query('ROLLBACK');
        await inFlight;
      } finally {
        await other.end();
        await me.end();
      }
    } finally {
      await master.end();
      await engine.admin.query('DROP DATABASE aurora_like WITH (FORCE)');
    }
  });

  test("LIMIT OF RLS: acme's NOTIFY reaches a channel globex's session LISTENs on (channel names are database-wide)", async () => {
    // PostgreSQL has no privilege for LISTEN or NOTIFY and no hook that could refuse them for a
    // role; withTenantTransaction refuses both statements and pg_notify() (defence in code), and
    // tenant events go through the cache's tenant:<id>: channels, which the ACL enforces.
    const received: Notification[] = [];
    globex.on('notification', (n) => received.push(n));
    await globex.query('LISTEN globex_events');
    await acme.query('BEGIN');
    await acme.query("SELECT isolation.set_tenant('acme')");
    await acme.query("NOTIFY globex_events, 'from acme'");
    await acme.query('COMMIT');
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received.map((n) => [n.channel, n.payload])).toEqual([['globex_events', 'from acme']]);
    await globex.query('UNLISTEN *');
  });

  test('LIMIT OF RLS: planner estimates (pg_class.reltuples) stay readable: 3 rows where acme owns 1', async () => {
    await acme.query('BEGIN');
    await acme.query("SELECT isolation.set_tenant('acme')");
    expect((await acme.query("SELECT reltuples::int AS n FROM pg_class WHERE oid = 'app.notes'::regclass")).rows).toEqual([{ n: 3 }]);
  });
});
