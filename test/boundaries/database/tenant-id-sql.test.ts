/**
 * isolation.set_tenant() and lib/core/tenant-id.ts must accept and refuse the same ids, for
 * the same rule: both are checked on one table of ids (PGlite runs the SQL).
 */
import { PGlite } from '@electric-sql/pglite';
import { RESERVED_TENANT_IDS, TenantId } from '../../../lib/core/tenant-id';
import { runBootstrap } from '../../../lib/boundaries/database/rls-bootstrap/run-bootstrap';
import { BOOTSTRAP_SQL } from './rls-engines';

const IDS = [
  'acme',
  'acme-corp',
  'a1b',
  'globex-2',
  'x'.repeat(40),
  'abc-d-e-f9',
  '',
  'ab',
  'a'.repeat(41),
  'Acme',
  'acme/x',
  'acme:x',
  'acme.x',
  'acme*',
  'acme_corp',
  'acme corp',
  "acme'x",
  'acmé',
  '1acme',
  '-acme',
  'acme--corp',
  'acme-',
  'acme\n',
  '%acme',
  'ac%',
  "'; DROP TABLE x; --",
  ...RESERVED_TENANT_IDS,
];

describe('TenantId rule: TypeScript and SQL agree', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = new PGlite();
    const r = await runBootstrap(
      {
        begin: async () => void (await db.query('BEGIN')),
        execute: async (s) => void (await db.query(s)),
        commit: async () => void (await db.query('COMMIT')),
        rollback: async () => void (await db.query('ROLLBACK')),
      },
      BOOTSTRAP_SQL,
    );
    expect(r.ok).toBe(true);
  });
  afterAll(async () => {
    await db.close();
  });

  test('the reserved words are the same list', async () => {
    const { rows } = await db.query<{ ids: string[] }>('SELECT isolation.reserved_tenant_ids() AS ids');
    expect([...rows[0].ids].sort()).toEqual([...RESERVED_TENANT_IDS].sort());
  });

  test.each(IDS.map((id) => [JSON.stringify(id), id]))('%s: same verdict, same rule', async (_label, id) => {
    const { rows } = await db.query<{ problem: string | null }>('SELECT isolation.tenant_id_problem($1) AS problem', [id]);
    const sqlRule = rows[0].problem === null ? undefined : rows[0].problem.split(':')[0];
    expect(sqlRule).toBe(TenantId.check(id)?.rule);
  });

  test('NULL is refused like a non-string', async () => {
    const { rows } = await db.query<{ problem: string }>('SELECT isolation.tenant_id_problem(NULL) AS problem');
    expect(rows[0].problem.split(':')[0]).toBe(TenantId.check(null)?.rule);
  });
});
