#!/usr/bin/env node
/**
 * The `tenant-isolation` CLI: a small subcommand dispatcher. Each subcommand is a function from
 * arguments to an exit code; add one by adding an entry to COMMANDS.
 *
 * A command's module is loaded only when that command runs (`import()` below), so `--help` and
 * the lifecycle commands never load the audit engine, and `--help` answers in well under 0.5 s.
 * Only type imports at the top.
 */
import type { CommandIo } from '../lib/audit/cli-audit';

interface Command {
  readonly summary: string;
  readonly run: (args: readonly string[], io: CommandIo) => Promise<number>;
}

/** The audit (lib/audit/cli-audit.ts). */
const audit: Command['run'] = async (args, io) => (await import('../lib/audit/cli-audit')).auditCommand(args, io);

/** A lifecycle subcommand (lib/blueprint/lifecycle/cli-lifecycle.ts) on this dispatcher's io. */
const lifecycle =
  (name: string): Command['run'] =>
  async (args, io) =>
    (await import('../lib/blueprint/lifecycle/cli-lifecycle')).runLifecycle(name, [...args], { out: io.stdout, err: io.stderr });

export const COMMANDS: Readonly<Record<string, Command>> = {
  audit: { summary: "prove from cdk.out that no tenant's principal reaches another tenant's resources", run: audit },
  onboard: { summary: 'onboard <id> [--tier pool|silo] [--deploy]: add a tenant, placed, written atomically', run: lifecycle('onboard') },
  offboard: { summary: 'offboard <id>: retire a tenant (access removed at next deploy, data retained)', run: lifecycle('offboard') },
  purge: { summary: 'purge <id> --confirm <id>: mark a retired tenant purged, print the data-deletion runbook', run: lifecycle('purge') },
  list: { summary: 'list [--json]: tenants with tier, placement and status', run: lifecycle('list') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: tenant-isolation <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "tenant-isolation <command> --help" for the options of a command.',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr(`error: unknown command ${JSON.stringify(name)}\n${usage()}\n`);
    return 2;
  }
  return cmd.run(rest, io);
}

if (require.main === module || process.env.TENANT_ISOLATION_CLI === '1') {
  main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 3;
    },
  );
}
