/**
 * The RLS attack suite, run unchanged on every engine (rls-attack.test.ts): PGlite and a real
 * PostgreSQL server. The application acts as tenant `acme` against `acme-corp` (same leading
 * letters) and `globex`, and every case asserts the specific outcome: zero rows, rowCount 0,
 * or the exact PostgreSQL error (SQLSTATE + message).
 *
 * An afterEach check proves that no attack changed anything: the full content of every tenant
 * table, read by the superuser, equals the seed.
 */
import { RlsEngine, Sql } from './rls-engines';

export const SCHEMA_SQL = [
  'CREATE SCHEMA app',
  'GRANT USAGE ON SCHEMA app TO isolation_app, isolation_owner',
  // Recommended shape: every key and every foreign key starts with tenant_id.
  'CREATE TABLE app.notes (tenant_id text NOT NULL, id int NOT NULL, body text NOT NULL, PRIMARY KEY (tenant_id, id))',
  "SELECT isolation.protect('app.notes')",
  `CREATE TABLE app.comments (tenant_id text NOT NULL, id int NOT NULL, note_id int NOT NULL, body text,
     PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, note_id) REFERENCES app.notes (tenant_id, id))`,
  "SELECT isolation.protect('app.comments')",
  // Leaky on purpose (what RLS alone cannot stop): a global unique key and a global foreign key.
  'CREATE TABLE app.leaky_users (tenant_id text NOT NULL, id int PRIMARY KEY, email text UNIQUE NOT NULL)',
  "SELECT isolation.protect('app.leaky_users')",
  'CREATE TABLE app.leaky_orders (tenant_id text NOT NULL, id int PRIMARY KEY, user_id int REFERENCES app.leaky_users (id))',
  "SELECT isolation.protect('app.leaky_orders')",
];

const SEED_SQL = [
  `INSERT INTO app.notes VALUES ('acme', 1, 'acme note 1'), ('acme', 2, 'acme note 2'),
     ('acme-corp', 1, 'acme-corp secret 1'), ('acme-corp', 7, 'acme-corp secret 7'), ('globex', 1, 'globex secret')`,
  "INSERT INTO app.comments VALUES ('acme-corp', 1, 7, 'acme-corp comment')",
  "INSERT INTO app.leaky_users VALUES ('acme', 1, 'ann@acme.test'), ('acme-corp', 2, 'bob@acme-corp.test')",
  "INSERT INTO app.leaky_orders VALUES ('acme-corp', 20, 2)",
];

const TABLES = ['app.notes', 'app.comments', 'app.leaky_users', 'app.leaky_orders'];

/** Rows of tenants other than acme, in the seed. */
const ACME_ROWS = [
  { tenant_id: 'acme', id: 1, body: 'acme note 1' },
  { tenant_id: 'acme', id: 2, body: 'acme note 2' },
];

export interface PgError {
  code: string;
  message: string;
}

/** Runs `p` and returns the PostgreSQL error it raised; fails the test when it succeeded. */
export async function pgError(p: Promise<unknown>): Promise<PgError> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { code: String(err.code), message: String(err.message) };
  }
  throw new Error('expected a PostgreSQL error, but the statement succeeded');
}

const RLS_VIOLATION = { code: '42501', message: 'new row violates row-level security policy for table "notes"' };
const FORGED = { code: '42501', message: 'isolation: tenant context was not set by isolation.set_tenant() in this transaction' };
const REMOVED = {
  code: '42501',
  message: 'isolation: the tenant set by isolation.set_tenant() was removed in this transaction; one transaction serves one tenant',
};
const ACME_NOTES = [{ id: 1 }, { id: 2 }];

async function begin(db: Sql, tenant?: string): Promise<void> {
  await db.query('BEGIN');
  if (tenant) await db.query('SELECT isolation.set_tenant($1)', [tenant]);
}

async function rows(db: Sql, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
  return (await db.query(sql, params)).rows;
}

async function snapshot(admin: Sql): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const t of TABLES) out[t] = await rows(admin, `SELECT * FROM ${t} ORDER BY 1, 2`);
  return JSON.stringify(out);
}

async function findings(admin: Sql): Promise<string[]> {
  return (await rows(admin, 'SELECT kind, object, problem FROM isolation.unprotected_tables()')).map((r) => `${r.kind} ${r.object}: ${r.problem}`).sort();
}

const sorted = (xs: string[]) => [...xs].sort();

export interface SuiteOptions {
  /** The app is a real LOGIN role (real server): role escapes can be proven impossible. */
  readonly realLogin: boolean;
}

export function rlsSuite(start: () => Promise<RlsEngine>, options: SuiteOptions): void {
  let engine: RlsEngine;
  let seed: string;
  const app = <T>(fn: (db: Sql) => Promise<T>) => engine.asApp(fn);

  beforeAll(async () => {
    engine = await start();
    for (const s of [...SCHEMA_SQL, ...SEED_SQL]) await engine.admin.query(s);
    seed = await snapshot(engine.admin);
  });
  afterAll(async () => {
    await engine?.close();
  });
  afterEach(async () => {
    // No attack may have changed any tenant's data.
    expect(await snapshot(engine.admin)).toBe(seed);
  });

  describe('no tenant set: nothing visible, nothing writable', () => {
    test('SELECT sees zero rows', async () => {
      await app(async (db) => {
        await begin(db);
        expect(await rows(db, 'SELECT * FROM app.notes')).toEqual([]);
        expect(await rows(db, 'SELECT count(*)::int AS n FROM app.notes')).toEqual([{ n: 0 }]);
      });
    });
    test('INSERT is refused by the policy', async () => {
      await app(async (db) => {
        await begin(db);
        expect(await pgError(db.query("INSERT INTO app.notes VALUES ('acme', 9, 'x')"))).toEqual(RLS_VIOLATION);
      });
    });
    test('UPDATE and DELETE touch zero rows (committed, then checked by the superuser)', async () => {
      await app(async (db) => {
        await begin(db);
        expect((await db.query("UPDATE app.notes SET body = 'pwned'")).rowCount).toBe(0);
        expect((await db.query('DELETE FROM app.notes')).rowCount).toBe(0);
        await db.query('COMMIT');
      });
    });
    test('COPY TO copies zero rows', async () => {
      await app(async (db) => {
        await begin(db);
        expect(await engine.copyOut(db, 'app.notes')).toBe(0);
      });
    });
    test('isolation.current_tenant() is NULL', async () => {
      await app(async (db) => {
        await begin(db);
        expect(await rows(db, 'SELECT isolation.current_tenant() AS t')).toEqual([{ t: null }]);
      });
    });
  });

  describe('tenant acme against acme-corp and globex', () => {
    test("SELECT returns exactly acme's rows (not acme-corp's, despite the shared prefix)", async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await rows(db, 'SELECT * FROM app.notes ORDER BY id')).toEqual(ACME_ROWS);
        expect(await rows(db, "SELECT * FROM app.notes WHERE tenant_id LIKE 'acme%' ORDER BY id")).toEqual(ACME_ROWS);
        expect(await rows(db, "SELECT * FROM app.notes WHERE tenant_id = 'acme-corp'")).toEqual([]);
        expect(await rows(db, 'SELECT count(*)::int AS n FROM app.notes')).toEqual([{ n: 2 }]);
        expect(await rows(db, 'SELECT * FROM app.comments')).toEqual([]);
      });
    });
    test('INSERT of a row for acme-corp is refused by WITH CHECK', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await pgError(db.query("INSERT INTO app.notes VALUES ('acme-corp', 9, 'planted')"))).toEqual(RLS_VIOLATION);
      });
    });
    test('INSERT without tenant_id gets the current tenant by default', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query("INSERT INTO app.notes (id, body) VALUES (9, 'defaulted')");
        expect(await rows(db, 'SELECT tenant_id FROM app.notes WHERE id = 9')).toEqual([{ tenant_id: 'acme' }]);
      });
    });
    test("UPDATE of acme-corp's rows touches zero rows (committed)", async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect((await db.query("UPDATE app.notes SET body = 'pwned' WHERE tenant_id = 'acme-corp'")).rowCount).toBe(0);
        expect((await db.query("UPDATE app.notes SET body = 'pwned' WHERE id = 7 RETURNING *")).rows).toEqual([]);
        await db.query('COMMIT');
      });
    });
    test('UPDATE moving an own row to acme-corp is refused by WITH CHECK', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await pgError(db.query("UPDATE app.notes SET tenant_id = 'acme-corp' WHERE id = 2"))).toEqual(RLS_VIOLATION);
      });
    });
    test("DELETE of acme-corp's and globex's rows touches zero rows (committed)", async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect((await db.query("DELETE FROM app.notes WHERE tenant_id <> 'acme'")).rowCount).toBe(0);
        expect((await db.query('DELETE FROM app.comments')).rowCount).toBe(0);
        await db.query('COMMIT');
      });
    });
    test('upsert (ON CONFLICT DO UPDATE) of a row for acme-corp is refused by WITH CHECK', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        const e = await pgError(db.query("INSERT INTO app.notes VALUES ('acme-corp', 7, 'x') ON CONFLICT (tenant_id, id) DO UPDATE SET body = 'pwned'"));
        expect(e).toEqual(RLS_VIOLATION);
      });
    });
    test("upsert on a tenant-scoped key with acme-corp's id only creates acme's own row (committed)", async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        const r = await db.query(
          "INSERT INTO app.notes VALUES ('acme', 7, 'mine') ON CONFLICT (tenant_id, id) DO UPDATE SET body = excluded.body RETURNING tenant_id, body",
        );
        expect(r.rows).toEqual([{ tenant_id: 'acme', body: 'mine' }]);
        await db.query('COMMIT');
      });
      expect(await rows(engine.admin, 'SELECT tenant_id, body FROM app.notes WHERE id = 7 ORDER BY 1')).toEqual([
        { tenant_id: 'acme', body: 'mine' },
        { tenant_id: 'acme-corp', body: 'acme-corp secret 7' },
      ]);
      await engine.admin.query("DELETE FROM app.notes WHERE tenant_id = 'acme' AND id = 7");
    });
    test("COPY TO copies only acme's rows", async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await engine.copyOut(db, 'app.notes')).toBe(2);
      });
    });
    test('COPY FROM is refused on a table under row level security', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await pgError(engine.copyIn(db, 'app.notes', 'acme-corp,9,planted\n'))).toEqual({
          code: '0A000',
          message: 'COPY FROM not supported with row-level security',
        });
      });
    });
    test("a function in the WHERE clause never sees acme-corp's rows (policy quals run first)", async () => {
      await app(async (db) => {
        await db.query(`CREATE FUNCTION pg_temp.peek(b text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS $$
          BEGIN IF b NOT LIKE 'acme note%' THEN RAISE EXCEPTION 'leaked: %', b; END IF; RETURN true; END $$`);
        try {
          await begin(db, 'acme');
          expect(await rows(db, 'SELECT id FROM app.notes WHERE pg_temp.peek(body) ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
        } finally {
          await db.query('ROLLBACK');
          await db.query('DROP FUNCTION pg_temp.peek(text)');
        }
      });
    });
    test('planner statistics (pg_stats) of tenant tables are hidden from the app', async () => {
      await engine.admin.query('ANALYZE app.notes');
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await rows(db, "SELECT attname FROM pg_stats WHERE schemaname = 'app' AND tablename = 'notes'")).toEqual([]);
      });
    });
  });

  describe('inference: what keys reveal', () => {
    test('tenant-scoped unique key: acme may use an id acme-corp uses (no existence leak)', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect((await db.query("INSERT INTO app.notes VALUES ('acme', 7, 'no clash')")).rowCount).toBe(1);
      });
    });
    test("tenant-scoped foreign key: acme-corp's note 7 and a missing note give the same error", async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query('SAVEPOINT s');
        const existing = await pgError(db.query("INSERT INTO app.comments VALUES ('acme', 5, 7, 'x')"));
        await db.query('ROLLBACK TO SAVEPOINT s');
        const missing = await pgError(db.query("INSERT INTO app.comments VALUES ('acme', 5, 999, 'x')"));
        expect(existing.code).toBe('23503');
        expect(existing.message).toBe('insert or update on table "comments" violates foreign key constraint "comments_tenant_id_note_id_fkey"');
        expect(missing).toEqual(existing);
      });
    });
    test('LIMIT OF RLS: a global unique key reveals that acme-corp uses an email', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await pgError(db.query("INSERT INTO app.leaky_users VALUES ('acme', 3, 'bob@acme-corp.test')"))).toEqual({
          code: '23505',
          message: 'duplicate key value violates unique constraint "leaky_users_email_key"',
        });
      });
    });
    test('LIMIT OF RLS: ON CONFLICT on a global key reveals the row exists (but cannot change it)', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect((await db.query("INSERT INTO app.leaky_users VALUES ('acme', 2, 'x@acme.test') ON CONFLICT (id) DO NOTHING")).rowCount).toBe(0);
        expect(await pgError(db.query("INSERT INTO app.leaky_users VALUES ('acme', 2, 'x@acme.test') ON CONFLICT (id) DO UPDATE SET email = 'pwned'"))).toEqual({
          code: '42501',
          message: 'new row violates row-level security policy (USING expression) for table "leaky_users"',
        });
      });
    });
    test("LIMIT OF RLS: a global foreign key accepts acme-corp's user id (existence leak)", async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect((await db.query("INSERT INTO app.leaky_orders VALUES ('acme', 21, 2)")).rowCount).toBe(1);
        expect((await pgError(db.query("INSERT INTO app.leaky_orders VALUES ('acme', 22, 999)"))).code).toBe('23503');
      });
    });
    test('table-wide live counters (pg_stat_user_tables, pg_stat_get_live_tuples) are refused to the app', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await pgError(db.query("SELECT pg_stat_get_live_tuples('app.notes'::regclass)"))).toEqual({
          code: '42501',
          message: 'permission denied for function pg_stat_get_live_tuples',
        });
      });
    });
    test('LIMIT OF RLS: table size is visible to every role (pg_class, pg_relation_size)', async () => {
      await engine.admin.query('ANALYZE app.notes');
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await rows(db, "SELECT reltuples::int AS n FROM pg_class WHERE oid = 'app.notes'::regclass")).toEqual([{ n: 5 }]);
      });
    });
  });

  describe('tenant context: transaction-scoped, sealed, validated', () => {
    test('a pooled connection does not carry the tenant to the next transaction', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect((await rows(db, 'SELECT * FROM app.notes')).length).toBe(2);
        await db.query('COMMIT');
        await begin(db);
        expect(await rows(db, "SELECT current_setting('isolation.tenant_id', true) AS raw, isolation.current_tenant() AS t")).toEqual([{ raw: '', t: null }]);
        expect(await rows(db, 'SELECT * FROM app.notes')).toEqual([]);
      });
    });
    test('set_tenant outside a transaction block lasts for its own statement only', async () => {
      await app(async (db) => {
        await db.query("SELECT isolation.set_tenant('acme')");
        expect(await rows(db, 'SELECT * FROM app.notes')).toEqual([]);
      });
    });
    test("forged set_config('app.tenant_id', ...) is ignored: zero rows", async () => {
      await app(async (db) => {
        await begin(db);
        await db.query("SELECT set_config('app.tenant_id', 'acme-corp', true)");
        expect(await rows(db, 'SELECT * FROM app.notes')).toEqual([]);
      });
    });
    test('forged SET LOCAL isolation.tenant_id after set_tenant(acme) is refused (seal mismatch)', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query("SET LOCAL isolation.tenant_id = 'acme-corp'");
        expect(await pgError(db.query('SELECT * FROM app.notes'))).toEqual(FORGED);
      });
    });
    test("forged set_config('isolation.tenant_id', ...) with no set_tenant is refused", async () => {
      await app(async (db) => {
        await begin(db);
        await db.query("SELECT set_config('isolation.tenant_id', 'acme-corp', true)");
        expect(await pgError(db.query('SELECT * FROM app.notes'))).toEqual(FORGED);
      });
    });
    test('a session-wide SET replaying a seal from an earlier transaction is refused', async () => {
      await app(async (db) => {
        await begin(db, 'acme-corp');
        const [{ seal }] = await rows(db, "SELECT current_setting('isolation.tenant_seal') AS seal");
        await db.query('COMMIT');
        await db.query("SET isolation.tenant_id = 'acme-corp'");
        await db.query(`SET isolation.tenant_seal = '${String(seal)}'`);
        await begin(db);
        expect(await pgError(db.query('SELECT * FROM app.notes'))).toEqual(FORGED);
      });
    });
    test('a second, different tenant in the same transaction is refused', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await pgError(db.query("SELECT isolation.set_tenant('acme-corp')"))).toEqual({
          code: '42501',
          message: "isolation.set_tenant: this transaction already belongs to tenant 'acme'; one transaction serves one tenant",
        });
      });
    });
    test.each([
      ['ACME', 'charset: only lowercase letters a-z, digits and hyphens are allowed; found A'],
      ["acme' OR '1'='1", "charset: only lowercase letters a-z, digits and hyphens are allowed; found '"],
      ['acme--corp', 'double-hyphen: must not contain two consecutive hyphens'],
      ['admin', 'reserved: "admin" is a reserved word'],
      ['', 'length: must be 3 to 40 characters, got 0'],
    ])('set_tenant(%j) is refused (22023)', async (id, problem) => {
      await app(async (db) => {
        await begin(db);
        expect(await pgError(db.query('SELECT isolation.set_tenant($1)', [id]))).toEqual({
          code: '22023',
          message: `isolation.set_tenant: invalid tenant id '${id.replace(/'/g, "''")}': ${problem}`,
        });
      });
    });
    test('set_tenant(NULL) is refused (22023)', async () => {
      await app(async (db) => {
        await begin(db);
        expect(await pgError(db.query('SELECT isolation.set_tenant(NULL)'))).toEqual({
          code: '22023',
          message: 'isolation.set_tenant: invalid tenant id NULL: type: expected a string, got null',
        });
      });
    });
  });

  describe('tenant claim: irreversible for the rest of the transaction, held by the database', () => {
    // Every way SQL can blank or re-set the tenant after set_tenant('acme'). None goes through
    // the runtime's statement guard: this is the raw application login against the database.
    const BLANKINGS: [string, string][] = [
      ["set_config(..., '', true)", "SELECT set_config('isolation.tenant_id', '', true)"],
      ["set_config(..., '', false) (session)", "SELECT set_config('isolation.tenant_id', '', false)"],
      ['set_config/**/( with a comment', "SELECT set_config/**/('isolation.tenant_id', '', true)"],
      ['pg_catalog."set_config" (quoted)', "SELECT pg_catalog.\"set_config\"('isolation.tenant_id', '', true)"],
      ["SET LOCAL ... = ''", "SET LOCAL isolation.tenant_id = ''"],
      ["SET (session) ... = ''", "SET isolation.tenant_id = ''"],
      ['SET LOCAL ... TO DEFAULT', 'SET LOCAL isolation.tenant_id TO DEFAULT'],
      ['RESET isolation.tenant_id', 'RESET isolation.tenant_id'],
      ['RESET ALL', 'RESET ALL'],
      ['DISCARD TEMP, then set_config', "DISCARD TEMP; SELECT set_config('isolation.tenant_id', '', true)"],
      ['DISCARD PLANS + SEQUENCES, then RESET', 'DISCARD PLANS; DISCARD SEQUENCES; RESET isolation.tenant_id'],
    ];
    test.each(BLANKINGS)('blanking by %s: every later query raises (never zero rows, never another tenant)', async (_name, blank) => {
      await app(async (db) => {
        await begin(db, 'acme');
        for (const statement of blank.split('; ')) await db.query(statement);
        expect(await pgError(db.query('SELECT id FROM app.notes'))).toEqual(REMOVED);
      });
    });
    test.each(BLANKINGS)('blanking by %s, then set_tenant(globex): refused', async (_name, blank) => {
      await app(async (db) => {
        await begin(db, 'acme');
        for (const statement of blank.split('; ')) await db.query(statement);
        expect(await pgError(db.query("SELECT isolation.set_tenant('globex')"))).toEqual(REMOVED);
      });
    });
    test("one statement: set_config(..., '', true), isolation.set_tenant('globex') is refused", async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        expect(await pgError(db.query("SELECT set_config('isolation.tenant_id', '', true), isolation.set_tenant('globex')"))).toEqual(REMOVED);
      });
    });
    test.each([
      ['isolation."set_tenant"', 'SELECT isolation."set_tenant"(\'globex\')'],
      ['"isolation".set_tenant/**/(', 'SELECT "isolation".set_tenant/**/(\'globex\')'],
    ])('blanked, then %s(globex) is refused', async (_name, reset) => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query("SELECT set_config('isolation.tenant_id', '', true)");
        expect(await pgError(db.query(reset))).toEqual(REMOVED);
      });
    });
    test.each([
      ["set_config(..., 'globex', true)", "SELECT set_config('isolation.tenant_id', 'globex', true)"],
      ["SET LOCAL ... = 'globex'", "SET LOCAL isolation.tenant_id = 'globex'"],
      ["SET (session) ... = 'globex'", "SET isolation.tenant_id = 'globex'"],
    ])("re-setting by %s: refused (the seal is acme's)", async (_name, reset) => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query('SAVEPOINT s');
        await db.query(reset);
        expect(await pgError(db.query('SELECT id FROM app.notes'))).toEqual(FORGED);
        await db.query('ROLLBACK TO SAVEPOINT s');
        await db.query(reset);
        expect(await pgError(db.query("SELECT isolation.set_tenant('globex')"))).toEqual(FORGED);
      });
    });
    test("globex's seal copied from another transaction does not help: refused", async () => {
      await app(async (db) => {
        await begin(db, 'globex');
        const [{ seal }] = await rows(db, "SELECT current_setting('isolation.tenant_seal') AS seal");
        await db.query('COMMIT');
        await begin(db, 'acme');
        await db.query("SELECT set_config('isolation.tenant_id', 'globex', true), set_config('isolation.tenant_seal', $1, true)", [seal]);
        expect(await pgError(db.query('SELECT id FROM app.notes'))).toEqual(FORGED);
      });
    });
    test('a savepoint: blank + set_tenant(globex) inside it is refused; after ROLLBACK TO, still acme', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query('SAVEPOINT s');
        await db.query("SELECT set_config('isolation.tenant_id', '', true)");
        expect(await pgError(db.query("SELECT isolation.set_tenant('globex')"))).toEqual(REMOVED);
        await db.query('ROLLBACK TO SAVEPOINT s');
        expect(await rows(db, 'SELECT id FROM app.notes ORDER BY id')).toEqual(ACME_NOTES);
        expect(await rows(db, 'SELECT isolation.current_tenant() AS t')).toEqual([{ t: 'acme' }]);
      });
    });
    test('a savepoint released after blanking keeps the transaction refused', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query('SAVEPOINT s');
        await db.query("SELECT set_config('isolation.tenant_id', '', true)");
        await db.query('RELEASE SAVEPOINT s');
        expect(await pgError(db.query("SELECT isolation.set_tenant('globex')"))).toEqual(REMOVED);
      });
    });
    test('set_tenant(globex) in a savepoint after acme is refused; ROLLBACK TO leaves acme', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query('SAVEPOINT s');
        expect((await pgError(db.query("SELECT isolation.set_tenant('globex')"))).message).toBe(
          "isolation.set_tenant: this transaction already belongs to tenant 'acme'; one transaction serves one tenant",
        );
        await db.query('ROLLBACK TO SAVEPOINT s');
        expect(await rows(db, 'SELECT id FROM app.notes ORDER BY id')).toEqual(ACME_NOTES);
      });
    });
    test('switching back before COMMIT is impossible: the switch itself is refused', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query('SAVEPOINT s');
        // the attempt: blank, become globex, read, blank, become acme again, commit as acme
        expect(await pgError(db.query("SELECT set_config('isolation.tenant_id', '', true), isolation.set_tenant('globex'), (SELECT count(*) FROM app.notes)"))).toEqual(
          REMOVED,
        );
        await db.query('ROLLBACK TO SAVEPOINT s');
        expect(await rows(db, 'SELECT isolation.current_tenant() AS t')).toEqual([{ t: 'acme' }]);
      });
    });
    test('set_tenant(acme) a second time is allowed (same tenant)', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query("SELECT isolation.set_tenant('acme')");
        expect(await rows(db, 'SELECT id FROM app.notes ORDER BY id')).toEqual(ACME_NOTES);
      });
    });
    test('the claim ends with the transaction: the next transaction may serve globex', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query('COMMIT');
        await begin(db, 'globex');
        expect(await rows(db, 'SELECT body FROM app.notes')).toEqual([{ body: 'globex secret' }]);
        await db.query('ROLLBACK');
        await begin(db, 'acme');
        await db.query('ROLLBACK');
        await begin(db);
        expect(await rows(db, 'SELECT isolation.current_tenant() AS t')).toEqual([{ t: null }]);
      });
    });
    test('the app cannot read or lock the claim table itself', async () => {
      await app(async (db) => {
        await begin(db);
        expect(await pgError(db.query('LOCK TABLE isolation.tenant_claim IN ACCESS SHARE MODE'))).toEqual({
          code: '42501',
          message: 'permission denied for table tenant_claim',
        });
      });
    });
  });

  describe('escapes', () => {
    test('SET row_security = off makes the query fail instead of bypassing the policy', async () => {
      await app(async (db) => {
        await begin(db, 'acme');
        await db.query('SET LOCAL row_security = off');
        expect(await pgError(db.query('SELECT * FROM app.notes'))).toEqual({
          code: '42501',
          message: 'query would be affected by row-level security policy for table "notes"',
        });
      });
    });
    test('the app cannot disable row level security, drop the policy or TRUNCATE', async () => {
      await app(async (db) => {
        expect(await pgError(db.query('ALTER TABLE app.notes DISABLE ROW LEVEL SECURITY'))).toEqual({
          code: '42501',
          message: 'must be owner of table notes',
        });
        expect(await pgError(db.query('DROP POLICY isolation_tenant ON app.notes'))).toEqual({
          code: '42501',
          message: 'must be owner of relation notes',
        });
        expect(await pgError(db.query('TRUNCATE app.notes'))).toEqual({ code: '42501', message: 'permission denied for table notes' });
      });
    });
    test('the app cannot replace current_tenant(), read the seal key or call seal()', async () => {
      await app(async (db) => {
        expect(await pgError(db.query("CREATE OR REPLACE FUNCTION isolation.current_tenant() RETURNS text LANGUAGE sql AS $$ SELECT 'acme-corp' $$"))).toEqual({
          code: '42501',
          message: 'permission denied for schema isolation',
        });
        expect(await pgError(db.query('SELECT * FROM isolation.seal_key'))).toEqual({
          code: '42501',
          message: 'permission denied for table seal_key',
        });
        expect(await pgError(db.query("SELECT isolation.seal('acme-corp')"))).toEqual({
          code: '42501',
          message: 'permission denied for function seal',
        });
      });
    });
    test('the table owner (isolation_owner) is filtered too: row level security is FORCED', async () => {
      const admin = engine.admin;
      await admin.query('BEGIN');
      try {
        await admin.query('SET LOCAL ROLE isolation_owner');
        expect(await rows(admin, 'SELECT * FROM app.notes')).toEqual([]);
        await admin.query("SELECT isolation.set_tenant('acme')");
        expect(await rows(admin, 'SELECT * FROM app.notes ORDER BY id')).toEqual(ACME_ROWS);
      } finally {
        await admin.query('ROLLBACK');
      }
    });
    if (options.realLogin) {
      test.each(['isolation_owner', 'postgres'])('SET ROLE %s is refused for the app login', async (role) => {
        await app(async (db) => {
          expect(await pgError(db.query(`SET ROLE ${role}`))).toEqual({ code: '42501', message: `permission denied to set role "${role}"` });
        });
      });
      test('SET SESSION AUTHORIZATION is refused for the app login', async () => {
        await app(async (db) => {
          expect(await pgError(db.query('SET SESSION AUTHORIZATION postgres'))).toEqual({
            code: '42501',
            message: 'permission denied to set session authorization "postgres"',
          });
        });
      });
      test('the app login is not superuser, not BYPASSRLS and cannot grant itself isolation_owner', async () => {
        await app(async (db) => {
          expect(await rows(db, 'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user')).toEqual([{ rolsuper: false, rolbypassrls: false }]);
          expect((await pgError(db.query('GRANT isolation_owner TO current_user'))).code).toBe('42501');
        });
      });
    }
  });

  describe('owner-privileged objects and forgotten tables: unprotected_tables() flags them', () => {
    test('a freshly bootstrapped and protected database has no findings', async () => {
      expect(await findings(engine.admin)).toEqual([]);
    });
    test('a view without security_invoker leaks across tenants and is flagged; security_invoker fixes both', async () => {
      const admin = engine.admin;
      await admin.query('CREATE VIEW app.all_notes AS SELECT * FROM app.notes');
      await admin.query('GRANT SELECT ON app.all_notes TO isolation_app');
      try {
        expect(await findings(admin)).toEqual(["view app.all_notes: view without security_invoker reads tenant data with its owner's rights"]);
        // The escape is real: the view runs as its owner (a superuser here).
        await app(async (db) => {
          await begin(db, 'acme');
          expect((await rows(db, 'SELECT * FROM app.all_notes')).length).toBe(5);
        });
        await admin.query('ALTER VIEW app.all_notes SET (security_invoker = true)');
        expect(await findings(admin)).toEqual([]);
        await app(async (db) => {
          await begin(db, 'acme');
          expect(await rows(db, 'SELECT * FROM app.all_notes ORDER BY id')).toEqual(ACME_ROWS);
        });
      } finally {
        await admin.query('DROP VIEW app.all_notes');
      }
    });
    test('a SECURITY DEFINER function executable by the app is flagged (and does leak)', async () => {
      const admin = engine.admin;
      await admin.query('CREATE FUNCTION app.count_all() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS $$ SELECT count(*) FROM app.notes $$');
      try {
        expect(await findings(admin)).toEqual(['function app.count_all(): SECURITY DEFINER (runs as postgres) and executable by isolation_app']);
        await app(async (db) => {
          await begin(db, 'acme');
          expect(await rows(db, 'SELECT app.count_all()::int AS n')).toEqual([{ n: 5 }]);
        });
      } finally {
        await admin.query('DROP FUNCTION app.count_all()');
      }
    });
    test('a materialized view over tenant data is flagged', async () => {
      const admin = engine.admin;
      await admin.query('CREATE MATERIALIZED VIEW app.note_counts AS SELECT tenant_id, count(*) FROM app.notes GROUP BY 1');
      await admin.query('GRANT SELECT ON app.note_counts TO isolation_app');
      try {
        expect(await findings(admin)).toEqual([
          'materialized view app.note_counts: materialized view over tenant data is readable by isolation_app (no row level security)',
        ]);
      } finally {
        await admin.query('DROP MATERIALIZED VIEW app.note_counts');
      }
    });
    test('a table someone forgot to protect is flagged; protect() clears it and is idempotent', async () => {
      const admin = engine.admin;
      await admin.query('CREATE TABLE app.invoices (tenant_id text NOT NULL, amount int)');
      await admin.query('GRANT SELECT ON app.invoices TO isolation_app');
      try {
        expect(await findings(admin)).toEqual(
          sorted([
            'table app.invoices: policy isolation_tenant is missing or altered (want FOR ALL TO PUBLIC, USING and WITH CHECK tenant_id = current tenant)',
            'table app.invoices: row level security is not enabled',
            'table app.invoices: row level security is not forced (the owner would bypass it)',
          ]),
        );
        await admin.query("SELECT isolation.protect('app.invoices')");
        await admin.query("SELECT isolation.protect('app.invoices')");
        expect(await findings(admin)).toEqual([]);
        expect(await rows(admin, "SELECT polname FROM pg_policy WHERE polrelid = 'app.invoices'::regclass")).toEqual([{ polname: 'isolation_tenant' }]);
      } finally {
        await admin.query('DROP TABLE app.invoices');
      }
    });
    test('protect() refuses a table without a tenant_id text column', async () => {
      await engine.admin.query('CREATE TABLE app.plain (id int)');
      try {
        expect(await pgError(engine.admin.query("SELECT isolation.protect('app.plain')"))).toEqual({
          code: '42703',
          message: 'isolation.protect(app.plain): the table needs a column tenant_id of type text',
        });
      } finally {
        await engine.admin.query('DROP TABLE app.plain');
      }
    });
    test('NO FORCE, an extra permissive policy, a TRUNCATE grant and an app-owned table are flagged', async () => {
      const admin = engine.admin;
      await admin.query('BEGIN');
      try {
        await admin.query('ALTER TABLE app.notes NO FORCE ROW LEVEL SECURITY');
        await admin.query('CREATE POLICY open_door ON app.comments USING (true)');
        await admin.query('GRANT TRUNCATE ON app.leaky_users TO isolation_app');
        await admin.query('CREATE TABLE app.app_owned (tenant_id text)');
        await admin.query('ALTER TABLE app.app_owned OWNER TO isolation_app');
        expect(await findings(admin)).toEqual(
          sorted([
            // The owner holds every privilege, including the ones RLS does not filter.
            'table app.app_owned: isolation_app has REFERENCES (not filtered by row level security)',
            'table app.app_owned: isolation_app has TRIGGER (not filtered by row level security)',
            'table app.app_owned: isolation_app has TRUNCATE (not filtered by row level security)',
            'table app.app_owned: owned by isolation_app (isolation_app must own nothing)',
            'table app.app_owned: owned by isolation_app, a role isolation_app can act as (an owner can disable row level security)',
            'table app.app_owned: policy isolation_tenant is missing or altered (want FOR ALL TO PUBLIC, USING and WITH CHECK tenant_id = current tenant)',
            'table app.app_owned: row level security is not enabled',
            'table app.app_owned: row level security is not forced (the owner would bypass it)',
            'table app.comments: extra permissive policy open_door widens access',
            'table app.leaky_users: isolation_app has TRUNCATE (not filtered by row level security)',
            'table app.notes: row level security is not forced (the owner would bypass it)',
          ]),
        );
      } finally {
        await admin.query('ROLLBACK');
      }
    });
    test('roles: BYPASSRLS reachable from isolation_app, a BYPASSRLS login holding it, and membership in the owner are flagged', async () => {
      const admin = engine.admin;
      await admin.query('BEGIN');
      try {
        await admin.query('CREATE ROLE sneaky NOLOGIN BYPASSRLS');
        await admin.query('GRANT sneaky TO isolation_app');
        await admin.query('CREATE ROLE careless_login LOGIN BYPASSRLS');
        await admin.query('GRANT isolation_app TO careless_login');
        await admin.query('GRANT isolation_owner TO isolation_app');
        const f = await findings(admin);
        expect(f).toEqual(
          expect.arrayContaining([
            'role careless_login: holds isolation_app but is superuser or BYPASSRLS (row level security never applies to it)',
            'role isolation_owner: isolation_app is a member of this role, which owns tenant tables',
            'role sneaky: isolation_app is a member of this role, which is superuser or BYPASSRLS',
          ]),
        );
        // Through the owner role, isolation_app can act as the owner of all 4 tenant tables and
        // holds TRUNCATE, REFERENCES and TRIGGER on each: 4 + 4 x 3 table findings.
        expect(f.filter((x) => x.includes('a role isolation_app can act as')).length).toBe(4);
        expect(f.filter((x) => x.includes('not filtered by row level security')).length).toBe(12);
        expect(f.length).toBe(19);
      } finally {
        await admin.query('ROLLBACK');
      }
    });
  });

  describe('bootstrap', () => {
    test('runs again cleanly (idempotent): same objects, same seal key, still no findings', async () => {
      const admin = engine.admin;
      const state = async () =>
        JSON.stringify({
          key: await rows(admin, 'SELECT secret FROM isolation.seal_key'),
          fns: await rows(
            admin,
            "SELECT p.oid::regprocedure::text AS f, pg_get_userbyid(p.proowner) AS o, p.proacl::text AS acl FROM pg_proc p WHERE pronamespace = 'isolation'::regnamespace ORDER BY 1",
          ),
          policies: await rows(admin, 'SELECT polrelid::regclass::text AS t, polname FROM pg_policy ORDER BY 1, 2'),
          roles: await rows(admin, "SELECT rolname, rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname LIKE 'isolation%' ORDER BY 1"),
        });
      const before = await state();
      const { runBootstrap } = await import('../../../lib/boundaries/database/rls-bootstrap/run-bootstrap');
      const { BOOTSTRAP_SQL } = await import('./rls-engines');
      for (let i = 0; i < 2; i++) {
        const result = await runBootstrap(engine.executor(), BOOTSTRAP_SQL);
        expect(result).toEqual({ ok: true, statements: expect.any(Number) });
      }
      expect(await state()).toBe(before);
      expect(await findings(admin)).toEqual([]);
      expect(JSON.parse(before).roles).toEqual([
        { rolname: 'isolation_app', rolsuper: false, rolbypassrls: false, rolcanlogin: false },
        { rolname: 'isolation_owner', rolsuper: false, rolbypassrls: false, rolcanlogin: false },
      ]);
    });
  });
}
