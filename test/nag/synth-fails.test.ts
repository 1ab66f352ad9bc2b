/**
 * `cdk synth` (the real CLI) fails with a non-zero exit on an unacknowledged finding, and
 * `-c tenantIsolationChecks=false` turns the project's pack off. The app under test is
 * test/nag/fixtures/violating-app.ts, wired with applyNagPacks exactly like bin/app.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const APP = `node -r ts-node/register/transpile-only ${path.join('test', 'nag', 'fixtures', 'violating-app.ts')}`;

function synth(...extra: string[]) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-synth-'));
  try {
    return spawnSync(CDK, ['synth', '--quiet', '--no-notices', '--app', APP, '-o', out, ...extra], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// The CLI spawns the app; on a loaded machine one synth can take a minute.
jest.setTimeout(300_000);

test('an unacknowledged TenantIsolationChecks finding fails cdk synth', () => {
  const result = synth();
  expect(result.status).not.toBe(0);
  const output = `${result.stdout}${result.stderr}`;
  expect(output).toContain('Violating/UnscopedQueueAccess/Resource');
  expect(output).toContain('TI-IAM1[AnyTenantQueue]');
});

test('-c tenantIsolationChecks=false turns the pack off (AwsSolutions stays on and finds nothing here)', () => {
  const result = synth('-c', 'tenantIsolationChecks=false');
  expect(`${result.stdout}${result.stderr}`).not.toContain('TI-IAM1');
  expect(result.status).toBe(0);
});
