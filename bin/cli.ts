/**
 * `tenant-isolation <command>`: a thin dispatcher. Each command lives with its concern.
 */
import { LIFECYCLE_USAGE, runLifecycle } from '../lib/lifecycle/cli-lifecycle';

const USAGE = `usage: tenant-isolation <command> [options]
${LIFECYCLE_USAGE}
`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (['onboard', 'offboard', 'purge', 'list'].includes(command)) return runLifecycle(command, rest);
  process.stderr.write(`unknown command "${command}"\n${USAGE}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
