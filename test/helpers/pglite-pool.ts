/**
 * Test support: PGlite behind the `TenantSqlPool` interface of lib/boundaries/database/runtime/tenant-transaction.ts.
 *
 * PGlite is ONE connection. Two interleaved transactions on it would share state, so `connect()`
 * hands the connection to one caller at a time (a FIFO lock released by `release()`), which is
 * what a pool of size 1 does. Records every statement so tests can assert what ran.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { TenantSqlClient, TenantSqlPool } from '../../lib/boundaries/database/runtime/tenant-transaction';

export class PGlitePool implements TenantSqlPool {
  /** Every statement run through this pool, in order. */
  public readonly statements: string[] = [];
  /** Releases that marked the connection broken. */
  public brokenReleases = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly db: PGlite) {}

  public async connect(): Promise<TenantSqlClient> {
    let unlock!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((r) => (unlock = r));
    await previous;
    let released = false;
    return {
      query: async (text: string, params?: unknown[]) => {
        if (released) throw new Error('PGlitePool: query after release');
        this.statements.push(text);
        const result = await this.db.query(text, params as unknown[] | undefined);
        return { rows: result.rows as unknown[] };
      },
      release: (err?: Error | boolean) => {
        if (released) throw new Error('PGlitePool: released twice');
        released = true;
        if (err) this.brokenReleases += 1;
        unlock();
      },
    };
  }
}
