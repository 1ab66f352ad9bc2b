/**
 * The matrix's progress line on stderr (stdout carries the report): principals done, requests
 * (evaluated or proven per shape), rate and an estimate of the time left. On a terminal it is
 * one line rewritten in place; elsewhere (CI logs) it starts after `delayMs` and repeats every
 * `everyMs`, so a short audit prints nothing and a long one a line now and then.
 */
export interface ProgressOptions {
  readonly tty: boolean;
  /** Non-TTY: nothing before this. @default 2000 */
  readonly delayMs?: number;
  /** Non-TTY: at most one line per this. @default 10000 */
  readonly everyMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

const TTY_EVERY_MS = 100;

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export class ProgressLine {
  private readonly started: number;
  private last = -Infinity;
  private shown = false;
  private readonly now: () => number;

  public constructor(
    private readonly write: (text: string) => void,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /** The line for a state; exported for tests. */
  public line(done: number, total: number, requests: number): string {
    const elapsed = this.now() - this.started;
    const rate = elapsed > 0 ? Math.round((requests * 1000) / elapsed) : 0;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    return `audit: matrix ${done}/${total} principals, ${requests.toLocaleString('en-US')} requests, ${rate.toLocaleString('en-US')} requests/s, ${Number.isNaN(eta) ? 'estimating' : `about ${seconds(eta)} left`}`;
  }

  public update(done: number, total: number, requests: number): void {
    const t = this.now();
    const elapsed = t - this.started;
    if (this.options.tty) {
      if (t - this.last < TTY_EVERY_MS && done < total) return;
      this.write(`\r\x1b[K${this.line(done, total, requests)}`);
    } else {
      if (elapsed < (this.options.delayMs ?? 2000) || t - this.last < (this.options.everyMs ?? 10000)) return;
      this.write(`${this.line(done, total, requests)}\n`);
    }
    this.last = t;
    this.shown = true;
  }

  /** Ends the line on a terminal (the next message starts on a fresh line). */
  public end(): void {
    if (this.options.tty && this.shown) this.write('\n');
    this.shown = false;
  }
}
