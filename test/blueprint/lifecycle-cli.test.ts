/**
 * The lifecycle CLI end to end: the real `tenant-isolation` binary spawned as a process against a
 * registry in a temp folder; the registry's content asserted after each step.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BIN = path.join(__dirname, '..', '..', 'bin', 'tenant-isolation.js');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function cliAsync(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

function newDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
}

const tenantsIn = (file: string) =>
  (JSON.parse(fs.readFileSync(file, 'utf8')).tenants as Array<{ id: string; tier: string; status: string }>).map((t) => `${t.id}:${t.tier}:${t.status}`);

describe('tenant-isolation lifecycle CLI', () => {
  const dir = newDir();
  const reg = path.join(dir, 'tenants.json');

  test('onboard creates the registry when it does not exist and prints the plan and the deploy command', () => {
    const r = cli(['onboard', 'acme', '--registry', reg]);
    expect(r.status).toBe(0);
    expect(tenantsIn(reg)).toEqual(['acme:pool:active']);
    expect(r.stdout).toContain('onboarded acme (pool)');
    expect(r.stdout).toContain('+ stack tib-tenant-acme');
    expect(r.stdout).toContain(`next: npx cdk deploy tib-platform tib-tenant-acme -c registry=${reg}`);
  });

  test('onboard a silo tenant and one whose id extends another', () => {
    expect(cli(['onboard', 'globex', '--tier', 'silo', '--registry', reg]).status).toBe(0);
    expect(cli(['onboard', 'acme-corp', '--registry', reg]).status).toBe(0);
    expect(tenantsIn(reg)).toEqual(['acme:pool:active', 'acme-corp:pool:active', 'globex:silo:active']);
  });

  test('list prints a table and --json the same data', () => {
    const table = cli(['list', '--registry', reg]);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TENANT\s+TIER\s+STATUS\s+PLACEMENT$/);
    expect(table.stdout).toMatch(/^globex\s+silo\s+active/m);
    expect(table.stdout).toContain('3 tenant(s)');
    const json = JSON.parse(cli(['list', '--json', '--registry', reg]).stdout);
    expect(json.map((t: { id: string }) => t.id)).toEqual(['acme', 'acme-corp', 'globex']);
  });

  test.each([
    [['onboard', 'Acme'], /invalid tenant id "Acme".*rule: charset/],
    [['onboard', 'acme--x'], /rule: double-hyphen/],
    [['onboard', 'default'], /rule: reserved/],
    [['onboard', 'ab'], /rule: length/],
    [['onboard', 'acme'], /tenant "acme" is already onboarded/],
    [['onboard', 'newco', '--tier', 'gold'], /--tier must be one of pool, silo, got "gold"/],
    [['onboard', 'a1', 'b1'], /takes exactly one tenant id/],
    [['onboard', 'newco', '--bogus'], /Unknown option '--bogus'/],
    [['offboard', 'nobody'], /no such tenant/],
    [['purge', 'acme'], /repeat the id to confirm \(--confirm acme\)/],
    [['purge', 'acme', '--confirm', 'acme'], /is active: offboard it first/],
  ])('bad input %j exits 2 with a message and leaves the registry byte-identical', (args, message) => {
    const before = fs.readFileSync(reg);
    const r = cli([...(args as string[]), '--registry', reg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(fs.readFileSync(reg).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['tenants.json']); // no lock or temp file left
  });

  test('a malformed registry file is refused with its problems, untouched', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"version":1,"tenants":[{"id":"acme"},{"id":"acme"}]}');
    const r = cli(['onboard', 'newco', '--registry', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('duplicate tenant id "acme"');
    expect(fs.readFileSync(bad, 'utf8')).toBe('{"version":1,"tenants":[{"id":"acme"},{"id":"acme"}]}');
    fs.rmSync(bad);
  });

  test('offboard retires: data kept, the id can never be onboarded again', () => {
    const r = cli(['offboard', 'acme-corp', '--registry', reg]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('TenantAccessRole refuses every session tagged acme-corp');
    expect(r.stdout).toContain('= kept (retained): objects under tenants/acme-corp/');
    expect(tenantsIn(reg)).toContain('acme-corp:pool:retired');
    const again = cli(['onboard', 'acme-corp', '--registry', reg]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('belonged to a retired tenant and is never reused');
  });

  test('purge needs the confirmation and a retired tenant; it marks the id purged and prints the runbook', () => {
    const r = cli(['purge', 'acme-corp', '--confirm', 'acme-corp', '--registry', reg]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('aws cloudformation delete-stack --stack-name tib-tenant-acme-corp');
    expect(r.stdout).toContain('every version under tenants/acme-corp/');
    expect(tenantsIn(reg)).toContain('acme-corp:pool:purged');
  });

  test('--deploy runs the CDK CLI with the affected stacks (TENANT_ISOLATION_CDK: a recording double)', () => {
    const log = path.join(dir, 'cdk-args.log');
    const double = path.join(dir, 'recording-cdk-double.sh');
    fs.writeFileSync(double, `#!/bin/sh\necho "$@" > ${log}\necho "deploying (double)"\n`, { mode: 0o755 });
    const r = cli(['onboard', 'initech', '--deploy', '--registry', reg], { TENANT_ISOLATION_CDK: double });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(log, 'utf8').trim()).toBe(`deploy tib-platform tib-tenant-initech -c registry=${reg}`);
    fs.rmSync(log);
    fs.rmSync(double);
  });
});

describe('concurrency and interruption', () => {
  test('ten concurrent onboards never lose an update', async () => {
    const reg = path.join(newDir(), 'tenants.json');
    const ids = Array.from({ length: 10 }, (_, i) => `tenant-${i}`);
    const runs = await Promise.all(ids.map((id) => cliAsync(['onboard', id, '--registry', reg, '--wait', '60'])));
    for (const r of runs) expect(r.status).toBe(0);
    expect(tenantsIn(reg)).toEqual(ids.sort().map((id) => `${id}:pool:active`));
  });

  test('a lock left by a crashed run (dead pid) is taken over', () => {
    const reg = path.join(newDir(), 'tenants.json');
    fs.writeFileSync(`${reg}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, since: '2026-01-01T00:00:00Z' }));
    const r = cli(['onboard', 'acme', '--registry', reg]);
    expect(r.status).toBe(0);
    expect(tenantsIn(reg)).toEqual(['acme:pool:active']);
    expect(fs.existsSync(`${reg}.lock`)).toBe(false);
  });

  test('a live lock makes the loser wait, then fail clearly with the registry untouched', () => {
    const dir = newDir();
    const reg = path.join(dir, 'tenants.json');
    fs.writeFileSync(reg, '{"version":1,"tenants":[]}\n');
    fs.writeFileSync(`${reg}.lock`, JSON.stringify({ pid: process.pid, since: '2026-01-01T00:00:00Z' }));
    const r = cli(['onboard', 'acme', '--registry', reg, '--wait', '0.3']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the registry is locked by another tenant-isolation run (pid ${process.pid}`);
    expect(fs.readFileSync(reg, 'utf8')).toBe('{"version":1,"tenants":[]}\n');
  });

  test('an onboard killed mid-run leaves the old or the new registry, never a torn one', async () => {
    const reg = path.join(newDir(), 'tenants.json');
    cli(['onboard', 'acme', '--registry', reg]);
    for (let i = 0; i < 4; i++) {
      const p = spawn(process.execPath, [BIN, 'onboard', `killed-${i}`, '--registry', reg, '--wait', '5']);
      await new Promise((r) => setTimeout(r, 150 + i * 120));
      p.kill('SIGKILL');
      await new Promise((r) => p.once('exit', r));
      const tenants = tenantsIn(reg); // parses: never torn
      expect(tenants[0]).toBe('acme:pool:active');
    }
    // Whatever the kills left (a stale lock at most), the next run succeeds.
    expect(cli(['onboard', 'after', '--registry', reg]).status).toBe(0);
    expect(tenantsIn(reg)).toContain('after:pool:active');
  });
});
