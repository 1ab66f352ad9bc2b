/**
 * The import-direction rules of .dependency-cruiser.cjs (`npm run deps:check`): each rule FIRES on
 * a fixture file that breaks it (test/fixtures/deps, a miniature of the repository layout), stays
 * quiet on the fixture files that follow it, and the real tree (lib/, bin/) breaks none of them
 * except the listed known violations, each of which must still occur (a stale entry fails here).
 *
 * Runs the real dependency-cruiser CLI, the same one CI runs.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'deps');

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: { name: string }[];
}
interface CruiseResult {
  modules: { source: string }[];
  summary: { violations: Violation[]; error: number; warn: number; info: number; ignore: number; totalCruised: number };
}

/** Cruises `targets` from `cwd` (rule paths are relative to it) and returns the JSON result. */
function cruise(cwd: string, targets: string[]): CruiseResult {
  const run = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', ...targets], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0 && !run.stdout.startsWith('{')) throw new Error(`depcruise failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as CruiseResult;
}

const line = (v: Violation): string => `${v.rule.name}: ${v.from} -> ${v.cycle ? v.cycle.map((c) => c.name).join(' -> ') : v.to}`;

describe('each rule fires on a fixture that breaks it', () => {
  let found: string[];
  let cruised: string[];
  beforeAll(() => {
    const result = cruise(FIXTURES, ['lib', 'bin', 'test']);
    found = result.summary.violations.map(line).sort();
    cruised = result.modules.map((m) => m.source);
  });

  // [rule, from, to (a substring of the resolved path, or the cycle)]: one row per fixture file.
  const cases: [string, string, string][] = [
    ['no-circular', 'lib/boundaries/storage/cycle-a.ts', 'lib/boundaries/storage/cycle-b.ts -> lib/boundaries/storage/cycle-a.ts'],
    ['core-not-to-cdk', 'lib/core/imports-cdk.ts', 'node_modules/aws-cdk-lib/'],
    ['core-only-to-core', 'lib/core/imports-boundary.ts', 'lib/boundaries/storage/bucket-construct.ts'],
    ['runtime-only-to-core-and-runtime', 'lib/runtime/imports-construct.ts', 'lib/boundaries/storage/bucket-construct.ts'],
    ['runtime-not-to-cdk', 'lib/boundaries/storage/runtime/imports-constructs-type.ts', 'node_modules/constructs/'],
    ['lib-not-to-dev-dep', 'lib/boundaries/storage/runtime/imports-dev-dependency.ts', 'node_modules/pg/'],
    ['audit-only-to-audit-and-core', 'lib/audit/imports-boundary.ts', 'lib/boundaries/storage/bucket-construct.ts'],
    ['audit-not-to-iam-simulate', 'lib/audit/imports-iam-simulate.ts', 'node_modules/@cloud-copilot/iam-simulate/'],
    ['lib-not-to-dev-dep', 'lib/audit/imports-iam-simulate.ts', 'node_modules/@cloud-copilot/iam-simulate/'],
    ['audit-not-to-cdk', 'lib/audit/imports-cdk.ts', 'node_modules/aws-cdk-lib/'],
    ['jest-only-to-audit-and-core', 'lib/jest/imports-boundary.ts', 'lib/boundaries/storage/bucket-construct.ts'],
    ['jest-not-to-cdk', 'lib/jest/imports-cdk.ts', 'node_modules/aws-cdk-lib/'],
    ['library-not-to-blueprint', 'lib/nag/imports-blueprint.ts', 'lib/blueprint/network.ts'],
    ['blueprint-not-to-bin', 'lib/blueprint/imports-bin.ts', 'bin/app.ts'],
    ['not-to-test-or-scripts', 'lib/boundaries/storage/nag/imports-test.ts', 'test/harness.ts'],
    ['not-to-unresolvable', 'lib/boundaries/storage/imports-missing.ts', './does-not-exist'],
    ['not-to-undeclared-package', 'lib/boundaries/storage/imports-undeclared.ts', 'node_modules/json5/'],
    ['lambda-not-to-cdk', 'lib/boundaries/analytics/analytics-transform/handler.ts', 'node_modules/aws-cdk-lib/'],
    ['lambda-not-to-unresolvable', 'lib/boundaries/analytics/analytics-transform/imports-missing.ts', 'left-pad-not-installed'],
  ];

  test.each(cases)('%s: %s', (rule, from, to) => {
    expect(found.filter((f) => f.startsWith(`${rule}: ${from} -> `) && f.includes(to))).toHaveLength(1);
  });

  test('no other finding: the ok-* files, the allowed type-only import of a devDependency and the Lambda runtime SDK pass', () => {
    const expected = cases.map(([rule, from, to]) => found.find((f) => f.startsWith(`${rule}: ${from} -> `) && f.includes(to)));
    expect(found.filter((f) => !expected.includes(f))).toEqual([]);
    // The quiet files were cruised (so their silence means something).
    expect(cruised).toEqual(
      expect.arrayContaining(['lib/boundaries/storage/runtime/ok-type-only-dev-dependency.ts', 'lib/boundaries/storage/runtime/ok-helper.ts', 'lib/core/tenant.ts']),
    );
    expect(found.some((f) => f.includes('client-secrets-manager-not-installed'))).toBe(false);
  });
});

describe('the real tree', () => {
  let result: CruiseResult;
  beforeAll(() => {
    result = cruise(ROOT, ['lib', 'bin']);
  });

  test('breaks no rule (what `npm run deps:check` checks)', () => {
    const { error, warn, info } = result.summary;
    expect({ error, warn, info, unexpected: result.summary.violations.filter((v) => v.rule.severity !== 'ignore').map(line) }).toEqual({
      error: 0,
      warn: 0,
      info: 0,
      unexpected: [],
    });
    // The cruise did see the whole library and the app.
    const sources = result.modules.map((m) => m.source);
    expect(sources).toEqual(expect.arrayContaining(['lib/runtime/index.ts', 'lib/core/tenant-id.ts', 'lib/audit/audit.ts', 'lib/nag/index.ts', 'bin/app.ts']));
    expect(result.summary.totalCruised).toBeGreaterThan(150);
  });

  test('every known violation still occurs (delete an entry of KNOWN_VIOLATIONS once its fix lands)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const known = (require(CONFIG) as { options: { knownViolations: Violation[] } }).options.knownViolations.map(line).sort();
    const ignored = result.summary.violations
      .filter((v) => v.rule.severity === 'ignore')
      .map(line)
      .sort();
    expect(ignored).toEqual(known);
  });
});
