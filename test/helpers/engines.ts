/**
 * Real engines for tests (PostgreSQL server, Redis/Valkey server).
 *
 * `engineAvailable(name, probe)` answers whether a real engine binary exists. On a developer
 * laptop without it, the suite is skipped with a loud message; under CI a missing engine
 * is an error, never a skip (.ci/run installs every engine). "Under CI" means `CI` is set to
 * anything but empty, `false` or `0` (scripts/ci-env.js).
 */
import { isCi } from '../../scripts/ci-env';

export function describeWithEngine(engine: string, available: boolean, hint: string, body: () => void): void {
  if (available) {
    describe(`[${engine}]`, body);
    return;
  }
  if (isCi()) {
    describe(`[${engine}]`, () => {
      test(`${engine} must be installed under CI (CI=${process.env.CI})`, () => {
        throw new Error(`${engine} is not installed; .ci/run must install it (${hint}). In CI nothing is skipped.`);
      });
    });
    return;
  }
  const banner = '!'.repeat(78);
  // eslint-disable-next-line no-console
  console.warn(`\n${banner}\nSKIPPING the ${engine} suite: ${engine} is not installed here (${hint}).\n${banner}\n`);
  describe.skip(`[${engine}] (not installed: ${hint})`, body);
}
