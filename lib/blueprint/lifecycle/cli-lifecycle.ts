/**
 * `tenant-isolation onboard | offboard | purge | list`: the tenant lifecycle over the registry.
 *
 * Every command takes `--registry FILE` (default: `tenants.json` at the repo root, the file the
 * CDK app reads). Writes happen under a lock and atomically. Bad input exits 2 with a message and
 * leaves the registry byte-identical; a busy lock exits 1 after waiting.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { DEFAULT_QUALIFIER, validateQualifier } from '../names';
import { DEFAULT_REGISTRY_FILE, loadRegistry, Registry, RegistryError, REGISTRY_VERSION, TenantEntry, writeRegistryAtomic } from '../../core/registry';
import { TenantIdError } from '../../core/tenant-id';
import { placeTenantsInCacheCells } from '../../core/placement';
import { isTier, TIERS } from '../../core/tier';
import { LifecycleError, LifecyclePlan, offboard, onboard, Placer, purge } from './operations';
import { RegistryLockedError, withRegistryLock } from './registry-lock';

/**
 * The CDK app's folder: this repository when run from its sources (cdk.json three levels up);
 * installed as a package (dist/lib/blueprint/lifecycle/), the working directory, where the
 * user's own cdk.json and tenants.json are.
 */
const SOURCE_ROOT = path.join(__dirname, '..', '..', '..');
const REPO_ROOT = fs.existsSync(path.join(SOURCE_ROOT, 'cdk.json')) ? SOURCE_ROOT : process.cwd();

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Places newly onboarded tenants in shared, finite services (cache cells); never moves anyone. */
const placeNewTenants: Placer = (tenants) => placeTenantsInCacheCells(tenants);

const COMMON = {
  registry: { type: 'string' },
  qualifier: { type: 'string' },
  wait: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const LIFECYCLE_USAGE = `
  onboard <id> [--tier pool|silo] [--deploy]   add a tenant (placed, written atomically); prints the deploy command
  offboard <id>                                 retire a tenant: access removed at next deploy, data retained
  purge <id> --confirm <id>                     mark a retired tenant purged and print the data-deletion runbook
  list [--json]                                 tenants with tier, placement and status
  common options: --registry FILE (default tenants.json of the CDK app: this repo, or the working directory), --qualifier Q (default ${DEFAULT_QUALIFIER}),
                  --wait SECONDS (how long to wait for another run's registry lock, default 10)`;

/** Runs a lifecycle subcommand; returns the exit code. */
export function runLifecycle(command: string, argv: string[], io: CliIo = stdio): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`usage: tenant-isolation ${command} ...${LIFECYCLE_USAGE}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'onboard':
        return cmdOnboard(argv, io);
      case 'offboard':
        return cmdChange(argv, io, (reg, id, q) => offboard(reg, id, q), {});
      case 'purge':
        return cmdChange(argv, io, (reg, id, q, v) => purge(reg, id, v.confirm as string | undefined, q), { confirm: { type: 'string' } });
      case 'list':
        return cmdList(argv, io);
      default:
        io.err(`unknown command "${command}"\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof TenantIdError || e instanceof LifecycleError || e instanceof RegistryError) {
      io.err(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RegistryLockedError) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || code === 'EROFS') {
      io.err(`error: ${(e as Error).message}\n`);
      return 2;
    }
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(e as Error).message}\nusage:${LIFECYCLE_USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

function parse(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }>) {
  const { values, positionals } = parseArgs({ args: argv, options: { ...COMMON, ...extra }, allowPositionals: true, strict: true });
  return { values: values as Record<string, string | boolean | undefined>, positionals };
}

function registryPath(values: Record<string, unknown>): string {
  return path.resolve((values.registry as string | undefined) ?? path.join(REPO_ROOT, DEFAULT_REGISTRY_FILE));
}

function lockWaitMs(values: Record<string, unknown>): number {
  const raw = values.wait as string | undefined;
  if (raw === undefined) return 10_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) throw new LifecycleError(`--wait must be a number of seconds, got "${raw}"`);
  return seconds * 1000;
}

function oneId(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new LifecycleError(`${command} takes exactly one tenant id, got ${positionals.length}`);
  return positionals[0];
}

function cmdOnboard(argv: string[], io: CliIo): number {
  const { values, positionals } = parse(argv, { tier: { type: 'string' }, deploy: { type: 'boolean' } });
  const id = oneId(positionals, 'onboard');
  const tier = (values.tier as string | undefined) ?? 'pool';
  if (!isTier(tier)) throw new LifecycleError(`--tier must be one of ${TIERS.join(', ')}, got "${tier}"`);
  const qualifier = validateQualifier((values.qualifier as string | undefined) ?? DEFAULT_QUALIFIER);
  const file = registryPath(values);
  const plan = withRegistryLock(
    file,
    () => {
      const registry = fs.existsSync(file) ? loadRegistry(file) : emptyRegistry();
      const result = onboard(registry, id, tier, qualifier, placeNewTenants);
      writeRegistryAtomic(file, result.registry);
      return result;
    },
    lockWaitMs(values),
  );
  printPlan(io, `onboarded ${plan.tenant.id.value} (${plan.tenant.tier})`, file, plan);
  return values.deploy ? deploy(plan, file, io) : 0;
}

type Change = (registry: Registry, id: string, qualifier: string, values: Record<string, unknown>) => LifecyclePlan;

function cmdChange(argv: string[], io: CliIo, change: Change, extra: Record<string, { type: 'string' | 'boolean' }>): number {
  const { values, positionals } = parse(argv, extra);
  const id = oneId(positionals, 'this command');
  const qualifier = validateQualifier((values.qualifier as string | undefined) ?? DEFAULT_QUALIFIER);
  const file = registryPath(values);
  const plan = withRegistryLock(
    file,
    () => {
      const result = change(loadRegistry(file), id, qualifier, values);
      writeRegistryAtomic(file, result.registry);
      return result;
    },
    lockWaitMs(values),
  );
  printPlan(io, `${plan.tenant.id.value} is now ${plan.tenant.status}`, file, plan);
  return 0;
}

function cmdList(argv: string[], io: CliIo): number {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  const registry = loadRegistry(registryPath(values));
  const rows = registry.tenants.map((t: TenantEntry) => ({
    id: t.id.value,
    tier: t.tier,
    status: t.status,
    placement: t.placement ?? {},
  }));
  if (values.json) {
    io.out(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const table = [
    ['TENANT', 'TIER', 'STATUS', 'PLACEMENT'],
    ...rows.map((r) => [
      r.id,
      r.tier,
      r.status,
      Object.entries(r.placement)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '-',
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table)
    io.out(
      row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd() + '\n',
    );
  io.out(`${rows.length} tenant(s)\n`);
  return 0;
}

function printPlan(io: CliIo, headline: string, file: string, plan: LifecyclePlan): void {
  io.out(`${headline}\nregistry written: ${file}\nthe next deploy will:\n`);
  for (const line of plan.changes) io.out(`  ${line}\n`);
  io.out(`next: ${deployCommand(plan, file).join(' ')}\n`);
}

function deployCommand(plan: LifecyclePlan, file: string): string[] {
  const registryArg = path.resolve(file) === path.join(REPO_ROOT, DEFAULT_REGISTRY_FILE) ? [] : ['-c', `registry=${file}`];
  return ['npx', 'cdk', 'deploy', ...plan.stacks, ...registryArg];
}

/** `--deploy`: runs the CDK CLI with its progress on this terminal. `TENANT_ISOLATION_CDK` overrides the command (tests). */
function deploy(plan: LifecyclePlan, file: string, io: CliIo): number {
  const [, ...args] = deployCommand(plan, file);
  const override = process.env.TENANT_ISOLATION_CDK;
  const [cmd, cmdArgs] = override ? [override, args.slice(1)] : ['npx', args];
  io.err(`running: ${[cmd, ...cmdArgs].join(' ')}\n`);
  const result = spawnSync(cmd, cmdArgs, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.error) {
    io.err(`error: could not run the CDK CLI: ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

function emptyRegistry(): Registry {
  return { version: REGISTRY_VERSION, tenants: [] };
}
