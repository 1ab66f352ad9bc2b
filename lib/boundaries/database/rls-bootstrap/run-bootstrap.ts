/**
 * Runs the RLS bootstrap script through a SqlExecutor, statement by statement, inside one
 * transaction: all of it applies or none of it does (PostgreSQL DDL is transactional).
 * Returns what happened as data; the Lambda handler turns it into a CloudFormation response,
 * the tests run it against PGlite and a real PostgreSQL server.
 */
import { splitSqlScript, SqlSplitError, SqlStatement } from './split-sql';

/** The few things the runner needs from a database connection (Data API, pg, PGlite). */
export interface SqlExecutor {
  begin(): Promise<void>;
  /** Runs ONE statement inside the open transaction. */
  execute(statement: string): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export type BootstrapResult =
  | { readonly ok: true; readonly statements: number }
  | {
      readonly ok: false;
      readonly statements: number;
      /** The statement that failed; undefined when the script could not be split or the transaction failed. */
      readonly failed?: SqlStatement;
      readonly error: string;
    };

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function runBootstrap(executor: SqlExecutor, script: string): Promise<BootstrapResult> {
  let statements: SqlStatement[];
  try {
    statements = splitSqlScript(script);
  } catch (e) {
    if (e instanceof SqlSplitError) return { ok: false, statements: 0, error: e.message };
    throw e;
  }
  try {
    await executor.begin();
  } catch (e) {
    return { ok: false, statements: statements.length, error: `BEGIN failed: ${messageOf(e)}` };
  }
  for (const statement of statements) {
    try {
      await executor.execute(statement.text);
    } catch (e) {
      const error = messageOf(e);
      try {
        await executor.rollback();
      } catch (rollbackError) {
        return { ok: false, statements: statements.length, failed: statement, error: `${error} (and ROLLBACK failed: ${messageOf(rollbackError)})` };
      }
      return { ok: false, statements: statements.length, failed: statement, error };
    }
  }
  try {
    await executor.commit();
  } catch (e) {
    return { ok: false, statements: statements.length, error: `COMMIT failed: ${messageOf(e)}` };
  }
  return { ok: true, statements: statements.length };
}
