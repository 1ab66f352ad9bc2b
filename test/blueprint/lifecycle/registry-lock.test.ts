/**
 * The registry lock's holder checks (the stampede itself is in registry-lock-race.test.ts).
 * Locks are planted in the on-disk format: `<registry>.lock/owner-<token>` holding JSON.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { holderIsDead, RegistryLockedError, registryLockPath, withRegistryLock } from '../../../lib/blueprint/lifecycle/registry-lock';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reg-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function plant(reg: string, holder: object): string {
  const lockDir = registryLockPath(reg);
  fs.mkdirSync(lockDir);
  const file = path.join(lockDir, 'owner-planted');
  fs.writeFileSync(file, JSON.stringify(holder));
  return file;
}

const myStart = fs.existsSync('/proc/self/stat') ? fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19] : undefined;

describe('who counts as a dead holder', () => {
  test('this live process is not dead; a pid that does not exist is', () => {
    expect(holderIsDead({ pid: process.pid, host: os.hostname(), since: 'x', procStart: myStart })).toBe(false);
    expect(holderIsDead({ pid: 2 ** 22 + 12345, host: os.hostname(), since: 'x' })).toBe(true);
  });
  test('a REUSED pid (alive, but another process start time) is dead (Linux /proc)', () => {
    expect(myStart).toBeDefined();
    expect(holderIsDead({ pid: process.pid, host: os.hostname(), since: 'x', procStart: `${myStart}9` })).toBe(true);
  });
  test('a holder on another host is never judged dead from here', () => {
    expect(holderIsDead({ pid: 2 ** 22 + 12345, host: `not-${os.hostname()}`, since: 'x' })).toBe(false);
  });
});

describe('withRegistryLock', () => {
  test("a dead holder's lock is taken over; the lock is gone afterwards", () => {
    const reg = path.join(dir, 'tenants.json');
    plant(reg, { pid: 2 ** 22 + 12345, host: os.hostname(), since: '2026-01-01T00:00:00Z' });
    expect(withRegistryLock(reg, () => 'ran', 1000)).toBe('ran');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a live holder on another host is waited for, then refused with RegistryLockedError naming it', () => {
    const reg = path.join(dir, 'tenants.json');
    const file = plant(reg, { pid: 1, host: 'build-box-7', since: '2026-01-01T00:00:00Z' });
    let ran = false;
    expect(() => withRegistryLock(reg, () => (ran = true), 200)).toThrow(RegistryLockedError);
    expect(() => withRegistryLock(reg, () => (ran = true), 0)).toThrow(/pid 1 on build-box-7 since 2026-01-01T00:00:00Z/);
    expect([ran, fs.existsSync(file)]).toEqual([false, true]);
  });

  test('an empty lock directory (a run died mid-release) is free', () => {
    const reg = path.join(dir, 'tenants.json');
    fs.mkdirSync(registryLockPath(reg));
    expect(withRegistryLock(reg, () => 'ran', 1000)).toBe('ran');
  });

  test('nested use from the same process cannot take its own lock twice', () => {
    const reg = path.join(dir, 'tenants.json');
    expect(() => withRegistryLock(reg, () => withRegistryLock(reg, () => 'inner', 100), 100)).toThrow(RegistryLockedError);
  });
});
