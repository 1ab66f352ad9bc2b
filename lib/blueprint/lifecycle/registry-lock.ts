/**
 * An exclusive lock on the registry file, so two lifecycle commands run at the same moment never
 * lose an update (read-modify-write under the lock; the write itself is atomic).
 *
 * The lock is a DIRECTORY `<registry>.lock/` holding exactly one owner file `owner-<token>`
 * (`<token>` unique per run: pid + random), whose JSON names the holder (pid, host, start time).
 * Every step is one atomic file-system operation that cannot destroy another run's lock
 * (rename(2), unlink(2) and rmdir(2), POSIX / Linux man pages):
 *
 * - **acquire**: build `<registry>.lock.tmp-<token>/owner-<token>` privately, then
 *   `rename(tmp, <registry>.lock)`. rename of a directory succeeds when the target does not exist
 *   or is an EMPTY directory, and fails (ENOTEMPTY/EEXIST) when it holds an owner: exactly one
 *   run wins, and the lock appears complete, never half-written.
 * - **take over a dead holder**: `unlink(<registry>.lock/owner-<dead token>)`. The name is unique
 *   to the dead run, so only one contender's unlink succeeds, and no fresh lock can be removed by
 *   it (a fresh lock's owner file has another name). The emptied directory is then free: the next
 *   acquire's rename replaces it. Before, takeover was check-then-remove of one shared name: two
 *   runs that saw the same dead holder both removed "the lock", the second removing the first's
 *   fresh one, and both wrote.
 * - **release**: unlink our own owner file, then rmdir the directory (fails harmlessly when it is
 *   not empty any more because the next holder already renamed its lock in).
 *
 * A holder is dead when its host is this host and its pid is gone (or reused: the pid's process
 * start time in /proc differs from the one recorded). A holder on another host, or one whose owner
 * file cannot be read, is treated as alive: waited for up to `waitMs`, then RegistryLockedError
 * names it. A lock directory left empty (a run that died between unlink and rmdir) is free.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export class RegistryLockedError extends Error {
  constructor(
    public readonly lockFile: string,
    public readonly holder: string,
  ) {
    super(`the registry is locked by another tenant-isolation run (${holder}); lock ${lockFile}. Try again when it finishes.`);
    this.name = 'RegistryLockedError';
  }
}

/** What an owner file records. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22), when known. */
  readonly procStart?: string;
}

const OWNER_PREFIX = 'owner-';

/** The lock directory of a registry file. */
export function registryLockPath(registryFile: string): string {
  return `${path.resolve(registryFile)}.lock`;
}

/** /proc/<pid>/stat field 22 (starttime), or undefined off Linux. */
function procStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is parenthesised and may hold spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True when `holder` certainly died: same host, and its pid is gone or now names another process. */
export function holderIsDead(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false; // cannot tell from here: wait, never steal
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return true; // ESRCH: no such process
  }
  const now = procStart(holder.pid);
  return holder.procStart !== undefined && now !== undefined && now !== holder.procStart;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

type Attempt = { readonly acquired: true } | { readonly acquired: false; readonly holder: string };

/** Runs `fn` holding the lock on `registryFile`. */
export function withRegistryLock<T>(registryFile: string, fn: () => T, waitMs = 10_000): T {
  const lockDir = registryLockPath(registryFile);
  const token = `${process.pid}-${randomBytes(8).toString('hex')}`;
  const ownerName = `${OWNER_PREFIX}${token}`;
  const me: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), procStart: procStart(process.pid) };
  const deadline = Date.now() + waitMs;
  let pause = 5;
  for (;;) {
    const attempt = tryAcquire(lockDir, token, ownerName, me);
    if (attempt.acquired) break;
    if (Date.now() >= deadline) throw new RegistryLockedError(lockDir, attempt.holder);
    // Jittered backoff, capped: many waiting runs do not wake in step.
    sleep(pause + Math.floor(Math.random() * pause));
    pause = Math.min(pause * 2, 100);
  }
  try {
    return fn();
  } finally {
    release(lockDir, ownerName);
  }
}

function tryAcquire(lockDir: string, token: string, ownerName: string, me: LockHolder): Attempt {
  const tmp = `${lockDir}.tmp-${token}`;
  fs.mkdirSync(tmp, { mode: 0o755 });
  try {
    const fd = fs.openSync(path.join(tmp, ownerName), 'wx', 0o644);
    try {
      fs.writeSync(fd, JSON.stringify(me));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(tmp, lockDir);
      return { acquired: true };
    } catch (e) {
      const code = errno(e);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { acquired: false, holder: inspectHolder(lockDir) };
}

/** Describes the current holder; removes it first if it is certainly dead (atomically, by its unique name). */
function inspectHolder(lockDir: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(lockDir);
  } catch (e) {
    if (errno(e) === 'ENOENT') return 'released just now';
    throw e;
  }
  if (!stat.isDirectory()) return inspectLegacyLockFile(lockDir);
  let owners: string[];
  try {
    owners = fs.readdirSync(lockDir).filter((n) => n.startsWith(OWNER_PREFIX));
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return 'released just now';
    throw e;
  }
  if (owners.length === 0) {
    // Emptied by a takeover or a release in progress, or left by a run that died between unlink
    // and rmdir. An empty directory is free: the next rename replaces it.
    return 'lock being released';
  }
  const descriptions: string[] = [];
  for (const name of owners) {
    const file = path.join(lockDir, name);
    let holder: LockHolder;
    try {
      holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    } catch {
      descriptions.push(`unreadable owner ${name}`);
      continue;
    }
    if (holderIsDead(holder)) {
      try {
        fs.unlinkSync(file); // only this dead run's file has this name: never a fresh lock
      } catch (e) {
        if (errno(e) !== 'ENOENT') throw e; // another run took it over first
      }
      descriptions.push(`dead pid ${holder.pid}, taken over`);
      continue;
    }
    descriptions.push(`pid ${holder.pid} on ${holder.host} since ${holder.since}`);
  }
  return descriptions.join('; ');
}

/**
 * A `<registry>.lock` FILE is the format of earlier versions (O_EXCL file with `{pid, since}`).
 * When its pid is dead it is unlinked; unlink(2) cannot remove a directory, so a run that loses
 * this race can never remove the new-format lock another run renamed into place.
 */
function inspectLegacyLockFile(lockFile: string): string {
  try {
    const info = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number; since?: string };
    const legacy: LockHolder = { pid: info.pid, host: os.hostname(), since: info.since ?? 'unknown' };
    if (holderIsDead(legacy)) {
      try {
        fs.unlinkSync(lockFile);
      } catch (e) {
        const code = errno(e);
        if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EPERM') throw e;
      }
      return `dead pid ${info.pid} (earlier lock format), taken over`;
    }
    return `pid ${info.pid} since ${legacy.since}`;
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'EISDIR') return 'released just now';
    return 'unknown holder (earlier lock format, unreadable)';
  }
}

function release(lockDir: string, ownerName: string): void {
  try {
    fs.unlinkSync(path.join(lockDir, ownerName));
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }
  try {
    fs.rmdirSync(lockDir);
  } catch (e) {
    // ENOTEMPTY/EEXIST: the next holder already renamed its lock in. ENOENT: someone removed the empty dir.
    const code = errno(e);
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw e;
  }
}
