/**
 * Synth benchmark: for 10, 100 and 1,000 tenants, runs the real `cdk synth` path (the CDK app in a
 * child process, as `npx cdk synth` does) and prints wall time, peak memory, resources and bytes
 * per template, and the TenantAccessRole policy size.
 *   npm run bench:synth [-- 10 100 1000]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemblyTemplateStats, limitProblems } from '../lib/blueprint/assembly-stats';
import { rolePolicySizes } from '../lib/blueprint/policy-size';
import { generatedRegistry } from '../lib/core/generated-registry';
import { writeRegistryAtomic } from '../lib/core/registry';

const ROOT = path.join(__dirname, '..');
const RAISED_QUOTAS = { users: 2000, userGroups: 200 };
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const counts = sizes.length > 0 ? sizes : [10, 100, 1000];

interface Row {
  tenants: number;
  seconds: number;
  peakMiB: number;
  platformResources: number;
  maxTenantResources: number;
  maxNestedResources: number;
  maxTemplateKiB: number;
  roleTrust: number;
  roleInline: number;
  roleManaged: number;
  problems: string[];
}

function run(count: number): Row {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-synth-${count}-`));
  const registry = path.join(dir, 'tenants.json');
  const outdir = path.join(dir, 'cdk.out');
  writeRegistryAtomic(registry, generatedRegistry(count));
  process.stderr.write(`synth ${count} tenants...\n`);
  const started = process.hrtime.bigint();
  // GNU time reports the child's peak RSS; the app runs exactly as cdk.json's "app" command runs it.
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, '-r', 'ts-node/register/transpile-only', 'bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    // 1,000 tenants need more ElastiCache users than the default account quota (1,000 per
    // Region, `default` users included): the benchmark runs with raised quotas, as a real
    // deployment of that size would.
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context, registry, elasticacheQuotas: RAISED_QUOTAS }),
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`synth of ${count} tenants failed:\n${r.stderr}`);
  const peakKiB = Number(r.stderr.trim().split('\n').pop());
  const stats = assemblyTemplateStats(outdir);
  const platform = stats.find((s) => s.file === 'Platform.template.json')!;
  const tenants = stats.filter((s) => s.file.startsWith('Tenant-'));
  const nested = stats.filter((s) => s.file.includes('.nested.'));
  const template = JSON.parse(fs.readFileSync(path.join(outdir, platform.file), 'utf8'));
  const roleId = Object.keys(template.Resources).find((id) => template.Resources[id].Properties?.RoleName?.endsWith('TenantAccessRole'))!;
  const role = rolePolicySizes(template, roleId);
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    tenants: count,
    seconds,
    peakMiB: peakKiB / 1024,
    platformResources: platform.resources,
    maxTenantResources: Math.max(...tenants.map((t) => t.resources)),
    maxNestedResources: Math.max(0, ...nested.map((t) => t.resources)),
    maxTemplateKiB: Math.max(...stats.map((s) => s.bytes)) / 1024,
    roleTrust: role.trust,
    roleInline: role.inline,
    roleManaged: Object.values(role.managed).reduce((a, b) => a + b, 0),
    problems: limitProblems(stats),
  };
}

const rows = counts.map(run);
const header = '| tenants | synth s | peak MiB | platform resources | max resources / cache cell (nested) | max resources / tenant stack | largest template KiB | TenantAccessRole trust / inline / managed chars |';
console.log(header);
console.log('|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  console.log(`| ${r.tenants} | ${r.seconds.toFixed(1)} | ${r.peakMiB.toFixed(0)} | ${r.platformResources} | ${r.maxNestedResources} | ${r.maxTenantResources} | ${r.maxTemplateKiB.toFixed(1)} | ${r.roleTrust} / ${r.roleInline} / ${r.roleManaged} |`);
}
const problems = rows.flatMap((r) => r.problems.map((p) => `${r.tenants} tenants: ${p}`));
if (problems.length > 0) {
  console.log(`\nCloudFormation limits exceeded:\n${problems.join('\n')}`);
  process.exitCode = 1;
}
