/**
 * `withTenantTransaction(pool, ctx, fn)`: the one way application code talks to the database.
 *
 * It runs the database boundary's `withTenant` (lib/boundaries/database/runtime/with-tenant.ts: one connection, ONE
 * transaction, `select isolation.set_tenant($1)` first — transaction-scoped by
 * policies/rls/bootstrap.sql — COMMIT, or ROLLBACK on any error with a connection whose rollback
 * failed destroyed) with the context's verified tenant, and adds: the TenantContext check,
 * optional `SET LOCAL ROLE` and READ ONLY, a guard on the callback's statements, and a check that
 * the database still has the same tenant before COMMIT.
 *
 * Why per transaction (AWS-FACTS, Aurora/RDS PostgreSQL): a session-level `SET` behind a pooler
 * leaks tenant context to the next request, and RDS Proxy pins connections on `SET`; a
 * transaction-scoped setting ends with the transaction. The tenant is a bound parameter, never
 * text spliced into SQL.
 *
 * Only types are imported: any client with `query(text, params)` works — `pg.Pool`, or an
 * adapter over PGlite (which is one connection, so its adapter must serialise transactions).
 */
import { TenantSqlPool, withTenant } from './with-tenant';
import { TenantId } from '../../../core/tenant-id';
import { TenantTransactionError } from '../../identity/runtime/errors';
import { assertTenantContext, TenantContext } from '../../identity/runtime/tenant-context';

/** The connection contract is the boundary's one, from with-tenant.ts. */
export type { TenantSqlClient, TenantSqlPool } from './with-tenant';

/** The callback's handle: queries run inside the tenant's transaction. */
export interface TenantTransaction {
  /** The tenant this transaction is bound to. */
  readonly tenant: TenantId;
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface TenantTransactionOptions {
  /**
   * Role to `SET LOCAL ROLE` to after BEGIN: a role granted `isolation_app`. Needed where the
   * session user is privileged (PGlite's session user is a superuser); in production, connect as
   * the application's login role instead and leave this unset.
   * @default no role change
   */
  readonly role?: string;
  /**
   * Open the transaction READ ONLY (for handlers that only read).
   * @default false
   */
  readonly readOnly?: boolean;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Statements the callback may not run: they end the transaction, change the role, change or
 * blank the tenant setting, or use a database-wide channel (LISTEN/NOTIFY names are global to the
 * database, docs/inference-channels.md). This is a guard against mistakes, not the boundary: the
 * database holds the tenant claim itself (policies/rls/bootstrap.sql, isolation.tenant_claim),
 * and the final `current_tenant()` check catches anything that reaches COMMIT.
 * Matched on each `;`-separated statement, with comments removed and double quotes dropped, so
 * `set_config` with a block comment before its parenthesis and `isolation."set_tenant"(` are seen
 * as what they are.
 */
const REFUSED_STATEMENT =
  /^\s*(?:(?:begin|commit|rollback|end|abort|start\s+transaction|savepoint|release|prepare\s+transaction|set\s+(?:local\s+|session\s+)?(?:role|session)|reset\s+(?:role|session|all)|discard|listen|unlisten|notify|load)\b|(?:set\s+(?:local\s+|session\s+)?|reset\s+)isolation\s*\.)/i;
const REFUSED_CALL = /\b(?:set_tenant|set_config|pg_notify)\s*\(/i;

/** The statement with comments removed and identifier quotes dropped (string literals kept). */
function normalized(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      // PostgreSQL block comments nest.
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth += 1;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth -= 1;
          i += 2;
        } else {
          i += 1;
        }
      }
      out += ' ';
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '"') {
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/**
 * Runs `fn` in one transaction bound to `ctx`'s tenant and returns its result.
 * Throws whatever `fn` throws (after ROLLBACK), or a TenantTransactionError.
 */
export async function withTenantTransaction<T>(
  pool: TenantSqlPool,
  ctx: TenantContext,
  fn: (tx: TenantTransaction) => Promise<T>,
  options: TenantTransactionOptions = {},
): Promise<T> {
  assertTenantContext(ctx, 'withTenantTransaction');
  if (options.role !== undefined && !ROLE_NAME.test(options.role)) {
    throw new TenantTransactionError('role-invalid', `role ${JSON.stringify(options.role)} is not a plain lowercase SQL identifier`);
  }
  const tenant = ctx.tenant;
  // The transaction protocol itself (BEGIN, set_tenant, COMMIT / ROLLBACK, release or destroy)
  // is the database boundary's withTenant; this adds the context check, role, read-only mode,
  // the statement guard and the pre-commit tenant check.
  return withTenant(pool, tenant, async (client) => {
    if (options.role !== undefined) await client.query(`SET LOCAL ROLE "${options.role}"`);
    // Allowed after the first query: PostgreSQL only forbids switching back to read-write.
    if (options.readOnly) await client.query('SET TRANSACTION READ ONLY');

    let active = true;
    const tx: TenantTransaction = Object.freeze({
      tenant,
      query: async <R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> => {
        if (!active) throw new TenantTransactionError('statement-refused', 'the transaction has ended; queries must run inside the callback');
        const plain = normalized(text);
        if (plain.split(';').some((statement) => REFUSED_STATEMENT.test(statement)) || REFUSED_CALL.test(plain)) {
          throw new TenantTransactionError(
            'statement-refused',
            `statement refused inside a tenant transaction (transaction control, role or tenant change): ${JSON.stringify(text.slice(0, 60))}`,
          );
        }
        const result = await client.query(text, params);
        return { rows: result.rows as R[] };
      },
    });

    let result: T;
    try {
      result = await fn(tx);
    } finally {
      active = false;
    }
    // The database raises (42501) when the claimed tenant was removed or forged; either way the
    // transaction is not the context's tenant's any more, and it is rolled back.
    let current: unknown;
    try {
      const check = await client.query('select isolation.current_tenant()::text as tenant');
      current = (check.rows[0] as { tenant?: unknown } | undefined)?.tenant;
    } catch (e) {
      throw new TenantTransactionError('tenant-changed', `the database refused the transaction's tenant at commit (${(e as Error).message}); rolled back`);
    }
    if (current !== tenant.value) {
      throw new TenantTransactionError(
        'tenant-changed',
        `the transaction's tenant is ${JSON.stringify(current)} at commit, not ${JSON.stringify(tenant.value)}; rolled back`,
      );
    }
    return result;
  });
}
