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

function synth(out: string, context: string[]): { status: number | null; output: string } {
  const result = spawnSync(
    CDK,
    ['synth', '--quiet', '--no-notices', '--app', APP, '-o', out, '-c', 'elasticacheQuotas={"users":2000,"userGroups":200}', ...context.flatMap((c) => ['-c', c])],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('one planted violation in tenant t0137 of 300 fails cdk synth, naming that stack and the rules', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'planted-'));
  try {
    const result = synth(out, ['tenants=300', 'plantIn=t0137']);
    const output = result.output;
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

test("with the validator's reports kept from a clean synth, a value only the validator rejects, planted in tenant t0042 of 100, fails the next synth, naming that stack", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'planted-cache-'));
  const out = path.join(dir, 'cdk.out');
  const cache = path.join(dir, 'validation-cache');
  const kept = () => Object.keys(JSON.parse(fs.readFileSync(path.join(cache, 'reports.json'), 'utf8')).reports);
  try {
    const clean = synth(out, ['tenants=100', `validationReportCache=${cache}`]);
    expect(clean.output).not.toMatch(/MessageRetentionPeriod/);
    expect(clean.status).toBe(0);
    const before = kept();
    expect(before).toHaveLength(101); // the platform stack and 100 tenant stacks

    const planted = synth(out, ['tenants=100', `validationReportCache=${cache}`, 'plantInvalidIn=t0042']);
    expect(planted.status).not.toBe(0);
    expect(planted.output).toMatch(/MessageRetentionPeriod/);
    expect(planted.output).toMatch(/Tenant-t0042\/\S+ \(\w+\) aws-cdk-lib\.aws_sqs\.CfnQueue/);
    const named = new Set([...planted.output.matchAll(/Tenant-(t\d{4})\//g)].map((m) => m[1]));
    expect([...named]).toEqual(['t0042']);
    // The other 100 templates were unchanged, so their kept reports were the ones reused: the
    // file differs from the clean synth's in exactly one report (the planted template's).
    const after = kept();
    expect(after).toHaveLength(101);
    expect(after.filter((k) => !before.includes(k))).toHaveLength(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
