/**
 * withTenantTransaction and the GET /exports/:id handler against a real engine with the project's
 * RLS bootstrap. Run unchanged on PGlite and on a real PostgreSQL server (tenant-database.test.ts).
 * The application acts as `acme` against `acme-corp` (same leading letters) and `globex`; every
 * attack asserts the specific outcome (zero rows, the PostgreSQL error, 404 identical to missing),
 * and the superuser's view of the tables proves nothing changed.
 */
import { TenantContextRequiredError, TenantTransactionError } from '../../../../lib/boundaries/identity/runtime/errors';
import { exportsHandler, HandlerResponse, NOT_FOUND } from '../../../../lib/runtime/examples/exports-handler';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { TenantCredentialVendor } from '../../../../lib/boundaries/identity/runtime/tenant-credentials';
import { TenantObjectStore } from '../../../../lib/boundaries/storage/runtime/tenant-objects';
import { TenantSqlClient, TenantSqlPool, TenantTransactionOptions, withTenantTransaction } from '../../../../lib/boundaries/database/runtime/tenant-transaction';
import { TenantId } from '../../../../lib/core/tenant-id';
import { DOUBLE_ROLE_ARN, RecordingStsDouble } from '../../../helpers/recording-sts-double';
import { newTestIssuer, TestIssuer } from '../../../helpers/token-issuer';
import { RuntimeDb } from './runtime-db';

const E_ACME = '0a0a0a0a-0000-4000-8000-00000000000a';
const E_ACME_CORP = '0b0b0b0b-0000-4000-8000-00000000000b';
const E_GLOBEX = '0c0c0c0c-0000-4000-8000-00000000000c';
const E_ACME_BAD_KEY = '0d0d0d0d-0000-4000-8000-00000000000d';
const E_MISSING = '0e0e0e0e-0000-4000-8000-00000000000e';

const SEED = [
  "INSERT INTO notes VALUES ('acme', 1, 'acme note 1'), ('acme', 2, 'acme note 2'), ('acme-corp', 1, 'acme-corp secret 1'), ('acme-corp', 7, 'acme-corp secret 7'), ('globex', 1, 'globex secret')",
  `INSERT INTO exports (tenant_id, id, object_key) VALUES ('acme', '${E_ACME}', 'exports/a.csv'), ('acme-corp', '${E_ACME_CORP}', 'exports/b.csv'),
     ('globex', '${E_GLOBEX}', 'exports/g.csv'), ('acme', '${E_ACME_BAD_KEY}', '../globex/exports/g.csv')`,
];

interface PgErr {
  code?: string;
  message?: string;
}

async function rejection(p: Promise<unknown>): Promise<PgErr & Error> {
  try {
    await p;
  } catch (e) {
    return e as PgErr & Error;
  }
  throw new Error('expected a rejection, but it succeeded');
}

/** Counts connections taken, to prove refusals happen before any database work. */
function counting(pool: TenantSqlPool): TenantSqlPool & { connects: number } {
  const wrapped = {
    connects: 0,
    connect: async (): Promise<TenantSqlClient> => {
      wrapped.connects += 1;
      return pool.connect();
    },
  };
  return wrapped;
}

export function tenantDatabaseSuite(start: () => Promise<RuntimeDb>): void {
  let db: RuntimeDb;
  let idp: TestIssuer;
  let acme: TenantContext;
  let acmeCorp: TenantContext;
  let globex: TenantContext;
  let opts: TenantTransactionOptions;

  const snapshot = async () =>
    JSON.stringify([
      (await db.admin.query('SELECT tenant_id, id, body FROM notes ORDER BY 1, 2')).rows,
      (await db.admin.query('SELECT tenant_id, id::text, object_key FROM exports ORDER BY 1, 2')).rows,
    ]);

  beforeAll(async () => {
    db = await start();
    for (const s of SEED) await db.admin.query(s);
    idp = await newTestIssuer();
    acme = await idp.context('acme');
    acmeCorp = await idp.context('acme-corp');
    globex = await idp.context('globex');
    opts = { role: db.role };
  });
  afterAll(async () => {
    await db?.close();
  });

  describe('withTenantTransaction', () => {
    let before: string;
    beforeEach(async () => {
      before = await snapshot();
    });

    test('reads only the context tenant rows', async () => {
      const read = (ctx: TenantContext) => withTenantTransaction(db.pool, ctx, async (tx) => (await tx.query('SELECT tenant_id, id FROM notes ORDER BY id')).rows, opts);
      expect(await read(acme)).toEqual([
        { tenant_id: 'acme', id: 1 },
        { tenant_id: 'acme', id: 2 },
      ]);
      expect(await read(acmeCorp)).toEqual([
        { tenant_id: 'acme-corp', id: 1 },
        { tenant_id: 'acme-corp', id: 7 },
      ]);
    });

    test("another tenant's id matches zero rows (select, update, delete)", async () => {
      const result = await withTenantTransaction(
        db.pool,
        acme,
        async (tx) => ({
          select: (await tx.query('SELECT * FROM notes WHERE id = $1', [7])).rows,
          update: (await tx.query("UPDATE notes SET body = 'pwned' WHERE id = $1 RETURNING id", [7])).rows,
          delete: (await tx.query('DELETE FROM notes WHERE id = $1 RETURNING id', [7])).rows,
        }),
        opts,
      );
      expect(result).toEqual({ select: [], update: [], delete: [] });
      expect(await snapshot()).toBe(before);
    });

    test('writing a row for another tenant violates row-level security', async () => {
      const err = await rejection(withTenantTransaction(db.pool, acme, (tx) => tx.query("INSERT INTO notes VALUES ('acme-corp', 99, 'planted')"), opts));
      expect([err.code, err.message]).toEqual(['42501', 'new row violates row-level security policy for table "notes"']);
      expect(await snapshot()).toBe(before);
    });

    test('a write commits under the context tenant (tenant_id defaults to it)', async () => {
      await withTenantTransaction(db.pool, globex, (tx) => tx.query("INSERT INTO notes (id, body) VALUES (50, 'globex note 50')"), opts);
      const rows = (await db.admin.query('SELECT tenant_id FROM notes WHERE id = 50')).rows;
      expect(rows).toEqual([{ tenant_id: 'globex' }]);
      await db.admin.query('DELETE FROM notes WHERE id = 50');
    });

    test('an error in the callback rolls everything back', async () => {
      const err = await rejection(
        withTenantTransaction(
          db.pool,
          acme,
          async (tx) => {
            await tx.query("INSERT INTO notes (id, body) VALUES (3, 'never committed')");
            throw new Error('boom');
          },
          opts,
        ),
      );
      expect(err.message).toBe('boom');
      expect(await snapshot()).toBe(before);
    });

    test('a READ ONLY transaction refuses writes', async () => {
      const err = await rejection(withTenantTransaction(db.pool, acme, (tx) => tx.query("INSERT INTO notes (id, body) VALUES (4, 'x')"), { ...opts, readOnly: true }));
      expect([err.code, err.message]).toEqual(['25006', 'cannot execute INSERT in a read-only transaction']);
    });

    test('the tenant ends with the transaction: the next use of the connection sees nothing', async () => {
      await withTenantTransaction(db.pool, acme, (tx) => tx.query('SELECT 1'), opts);
      const client = await db.pool.connect();
      try {
        if (db.role) await client.query(`SET ROLE ${db.role}`);
        const tenant = (await client.query('SELECT isolation.current_tenant() AS t')).rows[0];
        const count = (await client.query('SELECT count(*)::int AS n FROM notes')).rows[0];
        expect([tenant, count]).toEqual([{ t: null }, { n: 0 }]);
      } finally {
        if (db.role) await client.query('RESET ROLE');
        client.release();
      }
    });

    test.each([
      ['COMMIT'],
      ['  /* sneaky */ commit'],
      ['-- comment\nROLLBACK'],
      ['BEGIN'],
      ['SAVEPOINT s'],
      ['SET ROLE postgres'],
      ['set session authorization postgres'],
      ['RESET ROLE'],
      ['RESET ALL'],
      ['DISCARD ALL'],
      ["SELECT isolation.set_tenant('acme-corp')"],
      ["SELECT set_config('isolation.tenant_id', 'acme-corp', true)"],
      // Forms that passed the guard before (issue 20 item 2); the database refuses them anyway.
      ["SET LOCAL isolation.tenant_id = ''"],
      ['SET isolation . tenant_id TO DEFAULT'],
      ['RESET isolation.tenant_id'],
      ['reset "isolation"."tenant_id"'],
      ['SELECT isolation."set_tenant"(\'acme-corp\')'],
      ["SELECT set_config/**/('isolation.tenant_id', '', true)"],
      ["SELECT pg_catalog.set_config /* a /* nested */ comment */ ('isolation.tenant_id', '', true)"],
      ['SELECT 1; RESET isolation.tenant_id'],
      ['DISCARD TEMP'],
      ['LISTEN tenant_events'],
      ["NOTIFY tenant_events, 'acme'"],
      ["SELECT pg_notify('tenant_events', 'acme')"],
    ])('the callback may not run %j (statement-refused, rolled back)', async (statement) => {
      const err = await rejection(
        withTenantTransaction(
          db.pool,
          acme,
          async (tx) => {
            await tx.query("INSERT INTO notes (id, body) VALUES (5, 'rolled back')");
            await tx.query(statement);
          },
          opts,
        ),
      );
      expect(err).toBeInstanceOf(TenantTransactionError);
      expect((err as unknown as TenantTransactionError).code).toBe('statement-refused');
      expect(await snapshot()).toBe(before);
    });

    test('switching tenant through a function is refused by the database itself', async () => {
      await db.admin.query("CREATE OR REPLACE FUNCTION switch_tenant() RETURNS text LANGUAGE sql AS $$ SELECT isolation.set_tenant('acme-corp') $$");
      await db.admin.query('GRANT EXECUTE ON FUNCTION switch_tenant() TO isolation_app');
      const err = await rejection(withTenantTransaction(db.pool, acme, (tx) => tx.query('SELECT switch_tenant()'), opts));
      expect(err.code).toBe('42501');
      expect(err.message).toMatch(/this transaction already belongs to tenant 'acme'/);
      await db.admin.query('DROP FUNCTION switch_tenant()');
    });

    test('switching to another tenant and back behind the guard is refused by the database (42501, rolled back)', async () => {
      // A function the guard cannot see into: blank acme, become acme-corp, read, blank, become
      // acme again, so that the pre-commit check would see acme. The database refuses the switch.
      await db.admin.query(`CREATE OR REPLACE FUNCTION switch_and_back() RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE n bigint;
        BEGIN
          PERFORM pg_catalog.set_config('isolation.tenant_id', '', true);
          PERFORM isolation.set_tenant('acme-corp');
          SELECT count(*) INTO n FROM notes;
          PERFORM pg_catalog.set_config('isolation.tenant_id', '', true);
          PERFORM isolation.set_tenant('acme');
          RETURN n;
        END $$`);
      await db.admin.query('GRANT EXECUTE ON FUNCTION switch_and_back() TO isolation_app');
      const err = await rejection(
        withTenantTransaction(
          db.pool,
          acme,
          async (tx) => {
            await tx.query("INSERT INTO notes (id, body) VALUES (6, 'rolled back')");
            return tx.query('SELECT switch_and_back() AS n');
          },
          opts,
        ),
      );
      expect({ code: err.code, message: err.message }).toEqual({
        code: '42501',
        message: 'isolation: the tenant set by isolation.set_tenant() was removed in this transaction; one transaction serves one tenant',
      });
      await db.admin.query('DROP FUNCTION switch_and_back()');
      expect(await snapshot()).toBe(before);
    });

    test('blanking the tenant behind the guard is caught before COMMIT (tenant-changed, rolled back)', async () => {
      await db.admin.query("CREATE OR REPLACE FUNCTION blank_tenant() RETURNS text LANGUAGE sql AS $$ SELECT pg_catalog.set_config('isolation.tenant_id', '', true) $$");
      await db.admin.query('GRANT EXECUTE ON FUNCTION blank_tenant() TO isolation_app');
      const err = await rejection(
        withTenantTransaction(
          db.pool,
          acme,
          async (tx) => {
            await tx.query("INSERT INTO notes (id, body) VALUES (6, 'rolled back')");
            await tx.query('SELECT blank_tenant()');
          },
          opts,
        ),
      );
      expect((err as unknown as TenantTransactionError).code).toBe('tenant-changed');
      await db.admin.query('DROP FUNCTION blank_tenant()');
      expect(await snapshot()).toBe(before);
    });

    test('a forged context or a bad role is refused before a connection is taken', async () => {
      const pool = counting(db.pool);
      const forged = { tenant: TenantId.parse('acme-corp') } as unknown as TenantContext;
      await expect(withTenantTransaction(pool, forged, (tx) => tx.query('SELECT 1'), opts)).rejects.toBeInstanceOf(TenantContextRequiredError);
      const bad = await rejection(withTenantTransaction(pool, acme, (tx) => tx.query('SELECT 1'), { role: 'app_login"; reset role; --' }));
      expect((bad as unknown as TenantTransactionError).code).toBe('role-invalid');
      expect(pool.connects).toBe(0);
    });

    test('concurrent transactions of three tenants never see each other', async () => {
      const tenants = [acme, acmeCorp, globex];
      const runs = Array.from({ length: 30 }, (_, i) => tenants[i % 3]).map((ctx) =>
        withTenantTransaction(
          db.pool,
          ctx,
          async (tx) => {
            const seen = (await tx.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM notes')).rows.map((r) => r.tenant_id);
            await tx.query('SELECT pg_sleep(0.005)');
            const current = (await tx.query<{ t: string }>('SELECT isolation.current_tenant() AS t')).rows[0].t;
            return [ctx.tenant.value, seen, current];
          },
          opts,
        ),
      );
      for (const [tenant, seen, current] of await Promise.all(runs)) {
        expect([tenant, seen, current]).toEqual([tenant, [tenant], tenant]);
      }
    });
  });

  describe('GET /exports/:id', () => {
    let sts: RecordingStsDouble;
    let handler: ReturnType<typeof exportsHandler>;
    let errors: unknown[];
    let pool: ReturnType<typeof counting>;

    beforeAll(() => {
      pool = counting(db.pool);
      sts = new RecordingStsDouble();
      const vendor = new TenantCredentialVendor({ roleArn: DOUBLE_ROLE_ARN, sts, region: 'eu-west-1' });
      const objects = new TenantObjectStore({ clients: vendor, bucket: 'pool-bucket' });
      errors = [];
      handler = exportsHandler({ verifier: idp.verifier(), db: pool, objects, dbRole: db.role, onError: (e) => errors.push(e) });
    });

    const bearer = async (tenants: string[] | string, extra: Record<string, string> = {}) => ({
      authorization: `Bearer ${await idp.sign({ tenants, sub: 'alice' })}`,
      ...extra,
    });
    const get = async (id: string, headers: Record<string, string>): Promise<HandlerResponse> => handler({ headers, params: { id } });

    test('tenant A gets its export: a short URL under its prefix, signed by its session', async () => {
      const res = await get(E_ACME, await bearer(['acme']));
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.body as { id: string; download: { url: string; expiresInSeconds: number } };
      expect(body.id).toBe(E_ACME);
      const url = new URL(body.download.url);
      expect(url.pathname).toBe('/tenants/acme/exports/a.csv');
      expect(RecordingStsDouble.tenantOfToken(url.searchParams.get('X-Amz-Security-Token')!)).toBe('acme');
      expect(body.download.expiresInSeconds).toBeLessThanOrEqual(300);
      expect(sts.requests.at(-1)?.Tags).toEqual([{ Key: 'TenantId', Value: 'acme' }]);
    });

    test("tenant A asking for B's export id gets 404, identical to a missing id", async () => {
      const headers = await bearer(['acme']);
      const stsCalls = sts.requests.length;
      const foreign = await get(E_ACME_CORP, headers);
      const foreign2 = await get(E_GLOBEX, headers);
      const missing = await get(E_MISSING, headers);
      expect(foreign).toEqual(NOT_FOUND);
      expect(foreign2).toEqual(missing);
      expect(JSON.stringify(foreign)).toBe(JSON.stringify(missing));
      // Nothing was signed for a foreign id.
      expect(sts.requests.length).toBe(stsCalls);
    });

    test('B gets its own export, which A was refused', async () => {
      const res = await get(E_ACME_CORP, await bearer(['acme-corp']));
      expect(res.status).toBe(200);
      expect(new URL((res.body as { download: { url: string } }).download.url).pathname).toBe('/tenants/acme-corp/exports/b.csv');
    });

    test('no token gets 401; a bad token gets 401; neither touches the database', async () => {
      const connects = pool.connects;
      const noToken = await get(E_ACME, {});
      const [h, p] = (await idp.sign({ tenants: ['acme'] })).split('.');
      const badSignature = await get(E_ACME, { authorization: `Bearer ${h}.${p}.AAAA` });
      const expired = await get(E_ACME, { authorization: `Bearer ${await idp.sign({ tenants: ['acme'], exp: Math.floor(Date.now() / 1000) - 60 })}` });
      const basic = await get(E_ACME, { authorization: 'Basic YWNtZTphY21l' });
      for (const res of [noToken, badSignature, expired, basic]) {
        expect([res.status, res.body, res.headers['www-authenticate']]).toEqual([401, { error: 'unauthorized' }, 'Bearer']);
      }
      expect(pool.connects).toBe(connects);
    });

    test('a tenant header or a workspace outside the token changes nothing', async () => {
      // Header claims to be acme-corp; the verified token says acme: acme-corp's export stays 404.
      expect(await get(E_ACME_CORP, await bearer(['acme'], { 'x-tenant-id': 'acme-corp', 'x-workspace': '' }))).toEqual(NOT_FOUND);
      const res = await get(E_ACME_CORP, await bearer(['acme'], { 'x-workspace': 'acme-corp' }));
      expect([res.status, res.body]).toEqual([403, { error: 'forbidden' }]);
    });

    test('a user of two workspaces reaches each through the workspace it selects', async () => {
      const both = ['acme', 'acme-corp'];
      expect((await get(E_ACME_CORP, await bearer(both, { 'X-Workspace': 'acme-corp' }))).status).toBe(200);
      expect(await get(E_ACME, await bearer(both, { 'x-workspace': 'acme-corp' }))).toEqual(NOT_FOUND);
      expect((await get(E_ACME, await bearer(both))).status).toBe(400);
    });

    test('ids that are not UUIDs are the same 404 (nothing reaches SQL)', async () => {
      const headers = await bearer(['acme']);
      const connects = pool.connects;
      for (const id of ["' OR 1=1 --", '1', '', `${E_ACME_CORP} `, '../exports']) {
        expect(await get(id, headers)).toEqual(NOT_FOUND);
      }
      expect(pool.connects).toBe(connects);
      expect((await get(E_ACME.toUpperCase(), headers)).status).toBe(200);
    });

    test('a stored key that would leave the prefix is never signed (500, reported)', async () => {
      const before = errors.length;
      const res = await get(E_ACME_BAD_KEY, await bearer(['acme']));
      expect([res.status, res.body]).toEqual([500, { error: 'internal' }]);
      expect(String(errors[before])).toMatch(/key-dot-segment/);
    });
  });
}
