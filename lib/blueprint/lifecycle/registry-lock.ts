/**
 * An exclusive lock on the registry file, so two lifecycle commands run at the same moment never
 * lose an update (read-modify-write under the lock; the write itself is atomic).
 *
 * The lock is a file `<registry>.lock` created with O_EXCL, holding the owner's pid and start
 * time. A lock whose pid is no longer alive (a crashed run) is stale and taken over. A live lock
 * is waited for up to `waitMs`, then the caller gets a clear error naming the holder.
 */
import * as fs from 'fs';

export class RegistryLockedError extends Error {
  constructor(
    public readonly lockFile: string,
    public readonly holder: string,
  ) {
    super(`the registry is locked by another tenant-isolation run (${holder}); lock file ${lockFile}. Try again when it finishes.`);
    this.name = 'RegistryLockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding the lock on `registryFile`. */
export function withRegistryLock<T>(registryFile: string, fn: () => T, waitMs = 10_000): T {
  const lockFile = `${registryFile}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx', 0o644);
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = 'unknown holder';
      try {
        const info = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number; since: string };
        holder = `pid ${info.pid} since ${info.since}`;
        if (!pidAlive(info.pid)) {
          fs.rmSync(lockFile, { force: true }); // stale: its owner died
          continue;
        }
      } catch {
        // Being written right now, or unreadable: treat as held and wait.
      }
      if (Date.now() >= deadline) throw new RegistryLockedError(lockFile, holder);
      sleep(50);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}
