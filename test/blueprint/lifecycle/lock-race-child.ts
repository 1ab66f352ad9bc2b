/**
 * Child process of registry-lock-race.test.ts (bundled with esbuild so that 20 of them start in
 * milliseconds, not seconds of ts-node each). Modes:
 * - `crash <registry>`: take the registry lock and die holding it (SIGKILL: no finally, no exit
 *   handler), leaving a dead holder's lock behind.
 * - `run <registry> <go-file> <command> <id>`: wait until <go-file> exists (a barrier, so every
 *   child hits the lock at the same moment), then run the REAL lifecycle command through the CLI
 *   entry (`runLifecycle`) and exit with its code.
 */
import * as fs from 'fs';
import { runLifecycle } from '../../../lib/blueprint/lifecycle/cli-lifecycle';
import { withRegistryLock } from '../../../lib/blueprint/lifecycle/registry-lock';

const [mode, registry, goFile, command, id] = process.argv.slice(2);
if (mode === 'crash') {
  withRegistryLock(registry, () => {
    process.kill(process.pid, 'SIGKILL');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  });
} else if (mode === 'run') {
  while (!fs.existsSync(goFile)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  const out: string[] = [];
  const code = runLifecycle(command, [id, '--registry', registry, '--wait', '120'], { out: (t) => out.push(t), err: (t) => process.stderr.write(t) });
  process.exit(code);
} else {
  throw new Error(`unknown mode ${mode}`);
}
