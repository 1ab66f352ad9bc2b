/**
 * The custom resource's plain-TypeScript logic: splitting the script (dollar-quoted bodies,
 * quotes, comments), building CloudFormation responses under 4,096 bytes, and handling
 * Create/Update/Delete against a real PostgreSQL (PGlite).
 */
import { PGlite } from '@electric-sql/pglite';
import { CfnRequest, CFN_RESPONSE_LIMIT_BYTES, responseBody, truncateUtf8 } from '../../../lib/boundaries/database/rls-bootstrap/cfn-response';
import { handleRequest, sha256Hex } from '../../../lib/boundaries/database/rls-bootstrap/handle-request';
import { SqlExecutor } from '../../../lib/boundaries/database/rls-bootstrap/run-bootstrap';
import { splitSqlScript, SqlSplitError } from '../../../lib/boundaries/database/rls-bootstrap/split-sql';
import { BOOTSTRAP_SQL } from './rls-engines';

describe('splitSqlScript', () => {
  const cases: Array<{ name: string; script: string; expected: Array<[number, string]> }> = [
    {
      name: 'plain statements with lines',
      script: 'SELECT 1;\nSELECT 2;\n\nSELECT 3',
      expected: [
        [1, 'SELECT 1'],
        [2, 'SELECT 2'],
        [4, 'SELECT 3'],
      ],
    },
    {
      name: 'dollar-quoted body with semicolons and a nested tag',
      script: 'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\nBEGIN PERFORM $x$ a; b $x$; RETURN 1; END\n$fn$;\nSELECT 2;',
      expected: [
        [1, 'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\nBEGIN PERFORM $x$ a; b $x$; RETURN 1; END\n$fn$'],
        [4, 'SELECT 2'],
      ],
    },
    { name: 'anonymous $$ body', script: "DO $$ BEGIN RAISE NOTICE 'a;b'; END $$;", expected: [[1, "DO $$ BEGIN RAISE NOTICE 'a;b'; END $$"]] },
    {
      name: 'parameters $1 are not tags',
      script: 'SELECT $1::int; SELECT $2',
      expected: [
        [1, 'SELECT $1::int'],
        [1, 'SELECT $2'],
      ],
    },
    {
      name: "quoted ';' and doubled quotes",
      script: "SELECT 'a;''b'; SELECT 2",
      expected: [
        [1, "SELECT 'a;''b'"],
        [1, 'SELECT 2'],
      ],
    },
    {
      name: "escape string with \\'",
      script: "SELECT E'it\\'s;'; SELECT 2",
      expected: [
        [1, "SELECT E'it\\'s;'"],
        [1, 'SELECT 2'],
      ],
    },
    {
      name: 'quoted identifier with ;',
      script: 'SELECT 1 AS "a;b"; SELECT 2',
      expected: [
        [1, 'SELECT 1 AS "a;b"'],
        [1, 'SELECT 2'],
      ],
    },
    {
      name: 'comments with ; and nested block comments',
      script: '-- a; b\nSELECT 1 /* x; /* y; */ z; */ + 1;\n/* only; a comment */',
      expected: [[2, 'SELECT 1 /* x; /* y; */ z; */ + 1']],
    },
    {
      name: 'identifier containing $',
      script: 'SELECT a$b$c FROM t; SELECT 2',
      expected: [
        [1, 'SELECT a$b$c FROM t'],
        [1, 'SELECT 2'],
      ],
    },
  ];
  test.each(cases)('$name', ({ script, expected }) => {
    expect(splitSqlScript(script).map((s) => [s.line, s.text])).toEqual(expected);
  });
  test.each([
    ['unterminated string literal (line 2)', "SELECT 1;\nSELECT 'oops"],
    ['unterminated dollar-quoted string $body$ (line 1)', 'DO $body$ BEGIN END'],
    ['unterminated block comment (line 1)', 'SELECT 1 /* /* */'],
    ['unterminated quoted identifier (line 1)', 'SELECT "x'],
  ])('refuses: %s', (message, script) => {
    expect(() => splitSqlScript(script)).toThrow(new SqlSplitError(message.replace(/ \(line \d+\)$/, ''), Number(/line (\d+)/.exec(message)![1])));
  });
  test('policies/rls/bootstrap.sql splits into whole statements, functions intact', () => {
    const statements = splitSqlScript(BOOTSTRAP_SQL);
    expect(statements.length).toBeGreaterThan(20);
    const fns = statements.filter((s) => s.text.startsWith('CREATE OR REPLACE FUNCTION'));
    expect(fns.map((s) => /FUNCTION (\S+)\(/.exec(s.text)![1])).toEqual([
      'isolation.reserved_tenant_ids',
      'isolation.tenant_id_problem',
      'isolation.seal',
      'isolation.transaction_claimed',
      'isolation.current_tenant',
      'isolation.set_tenant',
      'isolation.protect',
      'isolation.unprotected_tables',
    ]);
    for (const f of fns) expect(f.text).toMatch(/\$\$$/);
  });
});

const request = (over: Partial<CfnRequest> = {}): CfnRequest => ({
  RequestType: 'Create',
  ResponseURL: 'https://cloudformation-custom-resource-response.example.invalid/x',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/tib-platform/6b2e0f40-0000-0000-0000-000000000000',
  RequestId: '4f1d1f0c-0000-0000-0000-000000000000',
  LogicalResourceId: 'DatabaseRlsBootstrapA1096DD0',
  ResourceProperties: {},
  ...over,
});

describe('CloudFormation responses stay under 4,096 bytes', () => {
  test.each([
    ['ascii', 'x'.repeat(20000)],
    ['multibyte', 'é€😀'.repeat(5000)],
    ['JSON-escaping heavy', '"\\\u0001'.repeat(5000)],
  ])('%s failure text is cut to fit, error first, statement after', (_name, filler) => {
    const body = responseBody(request(), 'rls-bootstrap-x', { ok: false, head: `RLS bootstrap failed: boom ${filler}`, statement: `CREATE FUNCTION ${filler}` });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(CFN_RESPONSE_LIMIT_BYTES);
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'rls-bootstrap-x', RequestId: request().RequestId });
    expect(parsed.Reason).toMatch(/^RLS bootstrap failed: boom/);
    expect(parsed.Reason).toContain(' | statement: CREATE FUNCTION ');
  });
  test('truncateUtf8 never splits a character and marks the cut', () => {
    expect(truncateUtf8('aé😀b', 7)).toBe('aé …');
    expect(truncateUtf8('short', 100)).toBe('short');
  });
});

describe('handleRequest against PGlite', () => {
  let db: PGlite;
  let calls: string[];
  const executor = (): SqlExecutor => ({
    begin: async () => void (calls.push('BEGIN'), await db.query('BEGIN')),
    execute: async (s) => void (calls.push(s.slice(0, 20)), await db.query(s)),
    commit: async () => void (calls.push('COMMIT'), await db.query('COMMIT')),
    rollback: async () => void (calls.push('ROLLBACK'), await db.query('ROLLBACK')),
  });
  beforeAll(async () => {
    db = new PGlite();
  });
  beforeEach(() => {
    calls = [];
  });
  afterAll(async () => {
    await db.close();
  });

  test('Create applies the script and reports the statement count', async () => {
    const body = JSON.parse(await handleRequest(request({ ResourceProperties: { SqlSha256: sha256Hex(BOOTSTRAP_SQL) } }), BOOTSTRAP_SQL, executor));
    expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'rls-bootstrap-DatabaseRlsBootstrapA1096DD0', Data: { Applied: 'true' } });
    expect(Number(body.Data.Statements)).toBe(splitSqlScript(BOOTSTRAP_SQL).length);
    expect((await db.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname IN ('isolation_owner', 'isolation_app')")).rows).toEqual([{ n: 2 }]);
  });

  test('Update with a failing statement reports it (number, line, error, text), rolls back, under 4 KB', async () => {
    const bad = `CREATE TABLE public.kept (id int);\nSELECT 1;\nCREATE FUNCTION public.broken() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN nosuchcolumn; END $$;\nSELECT * FROM no_such_table_${'x'.repeat(40)} WHERE ${"note = 'padding' AND ".repeat(300)} true;`;
    const body = await handleRequest(
      request({ RequestType: 'Update', PhysicalResourceId: 'rls-bootstrap-keep', ResourceProperties: { SqlSha256: sha256Hex(bad) } }),
      bad,
      executor,
    );
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(CFN_RESPONSE_LIMIT_BYTES);
    const parsed = JSON.parse(body);
    expect(parsed.Status).toBe('FAILED');
    expect(parsed.PhysicalResourceId).toBe('rls-bootstrap-keep');
    expect(parsed.Reason).toMatch(
      /^RLS bootstrap failed at statement 4 of 4 \(policies\/rls\/bootstrap\.sql line 4\); nothing was applied \(rolled back\): relation "no_such_table_x+" does not exist \| statement: SELECT \* FROM no_such_table_x+ WHERE note = 'padding' AND .* …$/,
    );
    expect(calls[calls.length - 1]).toBe('ROLLBACK');
    // Rolled back: the first statement's table does not exist.
    expect((await db.query("SELECT to_regclass('public.kept') AS t")).rows).toEqual([{ t: null }]);
  });

  test('Delete never touches the database', async () => {
    const body = JSON.parse(await handleRequest(request({ RequestType: 'Delete', PhysicalResourceId: 'rls-bootstrap-keep' }), BOOTSTRAP_SQL, executor));
    expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'rls-bootstrap-keep', Data: { Applied: 'false' } });
    expect(calls).toEqual([]);
  });

  test('a script whose hash differs from the template is refused without touching the database', async () => {
    const body = JSON.parse(await handleRequest(request({ ResourceProperties: { SqlSha256: 'f'.repeat(64) } }), BOOTSTRAP_SQL, executor));
    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toBe(
      `RLS bootstrap refused: the bundled SQL has SHA-256 ${sha256Hex(BOOTSTRAP_SQL)} but the template asks for ${'f'.repeat(64)}; redeploy so function code and template match`,
    );
    expect(calls).toEqual([]);
  });
});
