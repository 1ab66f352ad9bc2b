/**
 * A violation planted in ONE tenant stack out of 300 fails `cdk synth` (the real CLI), and the
 * report names that stack's resources and the rules (TenantIsolationChecks and AwsSolutions),
 * and no other tenant stack: every tenant stack is checked, not a sample of them.
 * The app is test/nag/fixtures/planted-app.ts (the blueprint wired like bin/app.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const APP = `node -r ./scripts/register-esbuild.js ${path.join('test', 'nag', 'fixtures', 'planted-app.ts')}`;

// 300 tenants through the CLI: about a minute on a loaded 2-core machine.
jest.setTimeout(900_000);

test('one planted violation in tenant t0137 of 300 fails cdk synth, naming that stack and the rules', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'planted-'));
  try {
    const result = spawnSync(
      CDK,
      [
        'synth',
        '--quiet',
        '--no-notices',
        '--app',
        APP,
        '-o',
        out,
        '-c',
        'tenants=300',
        '-c',
        'plantIn=t0137',
        '-c',
        'elasticacheQuotas={"users":2000,"userGroups":200}',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
    );
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status).not.toBe(0);
    // All 300 tenant stacks were synthesized (the failure is the validation, not the build).
    expect(fs.readdirSync(out).filter((f) => /^Tenant-t\d{4}\.template\.json$/.test(f))).toHaveLength(300);
    expect(output).toContain('TI-IAM1[PlantedAnyTenant]');
    expect(output).toContain('Tenant-t0137/PlantedGrant/Resource');
    expect(output).toContain('AwsSolutions-SQS4');
    expect(output).toContain('Tenant-t0137/PlantedQueue/Resource');
    // Only the planted stack is named: no other tenant stack has a finding.
    const named = new Set([...output.matchAll(/Tenant-(t\d{4})\//g)].map((m) => m[1]));
    expect([...named]).toEqual(['t0137']);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
