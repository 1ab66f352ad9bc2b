/**
 * The CLI contract: exit 0 clean, 1 findings, 2 bad input with a clear message; every report
 * format renders; the bin shim runs the real command in a child process.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../bin/cli';
import { abacRole, NULL_TAG_DENY, poolBucket, poolObjects, SCOPED_POOL_STATEMENTS, TAG, tmpDir, writeAssembly } from './fixtures/assembly-builder';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

const clean = writeAssembly(tmpDir('cli-clean'), { Platform: { resources: { ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS) } } });
const leaky = writeAssembly(tmpDir('cli-leaky'), {
  Platform: {
    resources: { ...poolBucket(), TenantRole: abacRole([{ Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects(`tenants/${TAG}*`) }, NULL_TAG_DENY]) },
  },
});

describe('exit codes', () => {
  test('0 on a clean assembly', async () => {
    const c = capture();
    expect(await main(['audit', clean, '--quiet'], c.io)).toBe(0);
    expect(c.out()).toMatch(/0 errors, 0 warnings/);
  });
  test('1 on findings, with the rule in the text report', async () => {
    const c = capture();
    expect(await main(['audit', leaky], c.io)).toBe(1);
    expect(c.out()).toContain('TI-MISSING-DELIMITER');
    expect(c.err()).toMatch(/audit: loaded 1 stacks/);
  });
  test('2 on a missing folder', async () => {
    const c = capture();
    expect(await main(['audit', '/nonexistent/cdk.out'], c.io)).toBe(2);
    expect(c.err()).toMatch(/cloud assembly folder \/nonexistent\/cdk.out not found/);
  });
  test('2 on a malformed manifest', async () => {
    const dir = tmpDir('bad-manifest');
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{ not json');
    const c = capture();
    expect(await main(['audit', dir], c.io)).toBe(2);
    expect(c.err()).toMatch(/manifest .*manifest.json is not valid JSON/);
  });
  test('2 on a malformed template (resource without Type)', async () => {
    const dir = writeAssembly(tmpDir('bad-template'), { S: { resources: { X: { Properties: {} } } } });
    const c = capture();
    expect(await main(['audit', dir], c.io)).toBe(2);
    expect(c.err()).toMatch(/resource X must be an object with a string "Type"/);
  });
  test('2 on a malformed policy document', async () => {
    const dir = writeAssembly(tmpDir('bad-policy'), { S: { resources: { R: abacRole([{ Effect: 'Maybe', Action: '*', Resource: '*' }]) } } });
    const c = capture();
    expect(await main(['audit', dir], c.io)).toBe(2);
    expect(c.err()).toMatch(/Effect must be Allow or Deny, got "Maybe"/);
  });
  test('2 on bad arguments', async () => {
    for (const args of [['audit', '--format', 'pdf'], ['audit', '--engine', 'x'], ['audit', 'a', 'b'], ['audit', '--bogus'], ['nope']]) {
      const c = capture();
      expect(await main(args, c.io)).toBe(2);
      expect(c.err()).toMatch(/error: /);
    }
  });
});

describe('report formats', () => {
  test('json follows schema version 1', async () => {
    const c = capture();
    await main(['audit', leaky, '--format', 'json', '--quiet'], c.io);
    const j = JSON.parse(c.out());
    expect(j.schemaVersion).toBe(1);
    expect(j.summary.findings.error).toBeGreaterThan(0);
    const f = j.findings.find((x: { rule: string }) => x.rule === 'TI-MISSING-DELIMITER');
    expect(f).toMatchObject({ severity: 'error', logicalId: 'TenantRole', constructPath: 'Platform/TenantRole/Resource', action: 's3:GetObject' });
    expect(f.tenants.actingAs).not.toEqual(f.tenants.victim);
  });
  test('sarif 2.1.0 with rules, levels, locations and fingerprints', async () => {
    const c = capture();
    await main(['audit', leaky, '--format', 'sarif', '--quiet'], c.io);
    const s = JSON.parse(c.out());
    expect(s.version).toBe('2.1.0');
    const run = s.runs[0];
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    const res = run.results.find((r: { ruleId: string }) => r.ruleId === 'TI-MISSING-DELIMITER');
    expect(run.tool.driver.rules[res.ruleIndex].id).toBe('TI-MISSING-DELIMITER');
    expect(ids).toContain('TI-CACHE-KEYLESS');
    expect(res.level).toBe('error');
    expect(res.locations[0].physicalLocation.artifactLocation.uri).toMatch(/Platform\.template\.json$/);
    // The template line that declares the logical id.
    const text = fs.readFileSync(path.join(leaky, 'Platform.template.json'), 'utf8').split('\n');
    expect(text[res.locations[0].physicalLocation.region.startLine - 1]).toContain('"TenantRole": {');
    expect(res.partialFingerprints['tenantIsolationFinding/v1']).toMatch(/^[0-9a-f]{32}$/);
  });
  test('markdown and html (matrix picture) to --out', async () => {
    const dir = tmpDir('out');
    await main(['audit', leaky, '--format', 'markdown', '--out', path.join(dir, 'r.md'), '--quiet'], capture().io);
    expect(fs.readFileSync(path.join(dir, 'r.md'), 'utf8')).toMatch(/## Tenant isolation audit: \d+ findings?[\s\S]*`TI-MISSING-DELIMITER`/);
    await main(['audit', leaky, '--format=html', '--out', path.join(dir, 'r.html'), '--quiet'], capture().io);
    const html = fs.readFileSync(path.join(dir, 'r.html'), 'utf8');
    expect(html).toMatch(/<svg [^>]*role="img"/);
    expect(html).toContain('fill="#dc2626"'); // a red cell: a tenant reached another's data
    expect(html).toContain('fill="#16a34a"'); // and green cells where every request was denied
  });
  test('surface: the tenant access surface, with the exit code of the audit', async () => {
    const c = capture();
    expect(await main(['audit', clean, '--format', 'surface', '--quiet'], c.io)).toBe(0);
    expect(c.out()).toContain('principal <Platform/TenantRole> (role TenantRole)');
    expect(c.out()).toContain('      on <Platform/PoolBucket>/tenants/{tenant}/*\n');
    const l = capture();
    expect(await main(['audit', leaky, '--format=surface', '--quiet'], l.io)).toBe(1);
    expect(l.out()).toContain('      on <Platform/PoolBucket>/tenants/{tenant}*\n'); // the missing delimiter, as written
  });
});

describe('bin/tenant-isolation.js', () => {
  const bin = path.join(__dirname, '..', '..', 'bin', 'tenant-isolation.js');
  test('runs the audit in a child process and returns its exit code', () => {
    const r = spawnSync(process.execPath, [bin, 'audit', leaky, '--format', 'json', '--quiet'], { encoding: 'utf8', cwd: tmpDir('cwd') });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).schemaVersion).toBe(1);
    expect(execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })).toContain('audit');
  });
});
