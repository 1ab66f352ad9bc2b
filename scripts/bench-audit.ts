/**
 * `npm run bench:audit [-- 10 100 1000]`: the audit on the app's real shape, in one run:
 * 1. for 10, 100 and 1,000 tenants: the blueprint on the registry bench:synth uses
 *    (lib/core/generated-registry.ts: every tenth tenant silo) with ElastiCache quotas raised as
 *    a 1,000-tenant deployment needs, synthesized with buildBlueprint into a temp folder, then
 *    audited in a CHILD process (so its peak RSS is the audit's alone): requests, wall and CPU
 *    time of runAudit, peak RSS of the process, the load average before the run (the machine
 *    may be shared: only figures from the same run compare);
 * 2. per-request time of the builtin engine against @cloud-copilot/iam-simulate on the same
 *    requests (those the 10-tenant audit evaluated) — the goal is builtin >= 10x faster.
 * `--exhaustive` also audits each size pair by pair (MatrixOptions.exhaustive), for comparison.
 * A benchmark prints figures; it asserts nothing.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAudit } from '../lib/audit/audit';
import { loadConfig } from '../lib/audit/config';
import { toPolicyJson } from '../lib/audit/engine/aws-engine';
import { evaluate } from '../lib/audit/engine/builtin-engine';
import { AuditEngine, EngineItem, EngineResult } from '../lib/audit/engine/engine';
import { generatedRegistry } from '../lib/core/generated-registry';
import { synthBlueprint } from '../test/audit/fixtures/synth-blueprint';

const ROOT = path.join(__dirname, '..');
/** As bench:synth raises them (scripts/bench-synth.ts). */
const RAISED_QUOTAS = { users: 2000, userGroups: 200 };
/** The blueprint's own config (its reviewed platform principals), as CI reads it next to cdk.out. */
const CONFIG_DIR = path.join(ROOT, 'cdk.out');

/** Builtin engine that keeps the requests it evaluated, for the engine comparison. */
class RecordingEngine implements AuditEngine {
  public readonly name = 'builtin' as const;
  public readonly items: EngineItem[] = [];
  public async evaluateBatch(items: readonly EngineItem[]): Promise<EngineResult[]> {
    this.items.push(...items);
    return items.map((i) => evaluate(i.request, i.policies));
  }
}

interface ChildFigures {
  readonly stacks: number;
  readonly requests: number;
  readonly evaluated: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakMiB: number;
  /** RSS once the modules are loaded, before the audit (ts-node and TypeScript are part of it). */
  readonly baseMiB: number;
  readonly failing: number;
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const load = () => os.loadavg()[0].toFixed(1);

/** Child mode: audit one folder and print the figures as one JSON line. */
async function child(dir: string, exhaustive: boolean): Promise<void> {
  let evaluated = 0;
  const engine: AuditEngine = {
    name: 'builtin',
    evaluateBatch: async (items) => {
      evaluated += items.length;
      return items.map((i) => evaluate(i.request, i.policies));
    },
  };
  const config = loadConfig(CONFIG_DIR);
  const baseMiB = process.memoryUsage().rss / 1024 / 1024;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const r = await runAudit(dir, { config, engine, exhaustive });
  const cpu = process.cpuUsage(cpu0);
  const figures: ChildFigures = {
    stacks: r.stacks,
    requests: r.matrix.requests,
    evaluated,
    wallMs: ms(t0),
    cpuMs: (cpu.user + cpu.system) / 1000,
    // maxRSS is in KiB (Node.js process.resourceUsage) and covers this process's whole life.
    peakMiB: process.resourceUsage().maxRSS / 1024,
    baseMiB,
    failing: r.findings.filter((f) => f.severity !== 'note').length,
  };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

function auditInChild(dir: string, exhaustive: boolean): ChildFigures {
  const res = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, '--child', dir, ...(exhaustive ? ['--exhaustive'] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=6144' },
  });
  if (res.status !== 0) throw new Error(`audit of ${dir} failed (exit ${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as ChildFigures;
}

async function engineComparison(sample: EngineItem[]): Promise<void> {
  const items = sample.slice(0, 3000);
  // Warm both engines up first (JIT, caches), then time: the figures compare steady states.
  for (let rep = 0; rep < 3; rep++) for (const i of items) evaluate(i.request, i.policies);
  let t0 = process.hrtime.bigint();
  for (let rep = 0; rep < 20; rep++) for (const i of items) evaluate(i.request, i.policies);
  const builtinUs = (ms(t0) * 1000) / (items.length * 20);
  let rejected = 0;
  let disagree = 0;
  // Inputs converted to iam-simulate's shape before timing: only the evaluation is timed.
  const toSimulation = (i: EngineItem): Simulation => ({
    identityPolicies: [{ name: 'identity', policy: JSON.parse(toPolicyJson(i.policies.identity, false)) }],
    ...(i.policies.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: JSON.parse(toPolicyJson(i.policies.boundary, false)) }] } : {}),
    ...(i.policies.resource?.length ? { resourcePolicy: JSON.parse(toPolicyJson(i.policies.resource, true)) } : {}),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      principal: i.request.principalArn,
      action: i.request.action,
      resource: { resource: i.request.resource, accountId: i.request.principalAccount },
      contextVariables: Object.fromEntries(Object.entries(i.request.context).map(([k, v]) => [k, v && v.length === 1 ? v[0] : [...(v ?? [])]])),
    },
  });
  const simulations = items.map(toSimulation);
  for (const sim of simulations.slice(0, 100)) await runSimulation(sim, {});
  const oracle: Array<Awaited<ReturnType<typeof runSimulation>>> = [];
  t0 = process.hrtime.bigint();
  for (const sim of simulations) oracle.push(await runSimulation(sim, {}));
  const oracleUs = (ms(t0) * 1000) / items.length;
  items.forEach((i, n) => {
    const res = oracle[n];
    if (res.resultType === 'error') rejected++;
    else if (res.overallResult !== evaluate(i.request, i.policies).decision) disagree++;
  });
  console.log(`\nPer-request time on the same ${items.length} requests of the 10-tenant audit (load ${load()})\n`);
  console.log('| engine       | us/request |');
  console.log('|--------------|-----------:|');
  console.log(`| builtin      | ${builtinUs.toFixed(1).padStart(10)} |`);
  console.log(`| iam-simulate | ${oracleUs.toFixed(1).padStart(10)} |`);
  console.log(
    `\nbuiltin is ${(oracleUs / builtinUs).toFixed(0)}x faster per request (goal >= 10x). ` +
      `iam-simulate rejected ${rejected} of these requests in validation; it disagreed on ${disagree} ` +
      `(expected only where kms:EncryptionContext keys decide: the oracle ignores them).`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args.includes('--exhaustive'));
  const exhaustive = args.includes('--exhaustive');
  const sizes = args.map(Number).filter((n) => n > 0);
  const counts = sizes.length > 0 ? sizes : [10, 100, 1000];
  const rows: string[][] = [];
  let sample: EngineItem[] = [];
  const header = [
    'tenants',
    'stacks',
    'mode',
    'requests',
    'evaluated',
    'audit wall s',
    'audit cpu s',
    'peak RSS MiB',
    'RSS before MiB',
    'cpu ms/tenant',
    'findings',
    'load avg',
  ];
  for (const n of counts) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-audit-${n}-`));
    process.stderr.write(`bench: ${n} tenants: synthesizing (load ${load()})...\n`);
    synthBlueprint(generatedRegistry(n), dir, { elasticacheQuotas: RAISED_QUOTAS });
    for (const ex of exhaustive ? [false, true] : [false]) {
      const before = load();
      process.stderr.write(`bench: ${n} tenants: auditing${ex ? ' pair by pair' : ''} (load ${before})...\n`);
      const f = auditInChild(dir, ex);
      rows.push([
        String(n),
        String(f.stacks),
        ex ? 'pairs' : 'shapes',
        String(f.requests),
        String(f.evaluated),
        (f.wallMs / 1000).toFixed(2),
        (f.cpuMs / 1000).toFixed(2),
        f.peakMiB.toFixed(0),
        f.baseMiB.toFixed(0),
        (f.cpuMs / n).toFixed(1),
        String(f.failing),
        before,
      ]);
    }
    if (n === Math.min(...counts)) {
      const engine = new RecordingEngine();
      await runAudit(dir, { engine, config: loadConfig(CONFIG_DIR) });
      sample = engine.items;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  console.log(
    `\nAudit of the blueprint by tenant count (generated registry, raised ElastiCache quotas; ${os.cpus().length} CPUs; ` +
      'wall and CPU of runAudit, peak RSS of the audit process; load = 1-minute load average before the run)\n',
  );
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  rows.forEach((r) => console.log(line(r)));
  await engineComparison(sample);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
