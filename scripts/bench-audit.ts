/**
 * `npm run bench:audit`: prints, in one run,
 * 1. audit time for 10, 100 and 1,000 tenants (registry generated, app built with
 *    buildBlueprint, synthesized to a temp folder, then audited) — the goal is linear growth;
 * 2. per-request time of the builtin engine against @cloud-copilot/iam-simulate on the same
 *    requests (taken from the 10-tenant matrix) — the goal is builtin >= 10x faster.
 * A benchmark prints figures; it asserts nothing.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAudit } from '../lib/audit/audit';
import { loadConfig } from '../lib/audit/config';
import { toPolicyJson } from '../lib/audit/engine/aws-engine';
import { evaluate } from '../lib/audit/engine/builtin-engine';
import { AuditEngine, EngineItem, EngineResult } from '../lib/audit/engine/engine';
import { placeTenantsInCacheCells } from '../lib/core/placement';
import { parseRegistry } from '../lib/core/registry';
import { synthBlueprint } from '../test/audit/fixtures/synth-blueprint';

/** Builtin engine that keeps the requests it evaluated, for the engine comparison. */
class RecordingEngine implements AuditEngine {
  public readonly name = 'builtin' as const;
  public readonly items: EngineItem[] = [];
  public async evaluateBatch(items: readonly EngineItem[]): Promise<EngineResult[]> {
    this.items.push(...items);
    return items.map((i) => evaluate(i.request, i.policies));
  }
}

function registry(n: number) {
  const tenants = Array.from({ length: n }, (_, i) => ({
    // Include the prefix-collision pair the audit must keep apart.
    id: i === 0 ? 'acme' : i === 1 ? 'acme-corp' : `t${String(i).padStart(4, '0')}`,
    tier: i % 3 === 2 ? 'silo' : 'pool',
  }));
  const parsed = parseRegistry(JSON.stringify({ version: 1, tenants }), `generated(${n})`);
  // Pool tenants need a cache cell, as the onboard CLI would place them.
  return { ...parsed, tenants: placeTenantsInCacheCells(parsed.tenants) };
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function main(): Promise<void> {
  const rows: string[][] = [];
  let sample: EngineItem[] = [];
  const dirs = new Map<number, { dir: string; synthMs: number }>();
  // BENCH_AUDIT_TENANTS=10,100 runs a subset (10 is the warm-up and must be included).
  const sizes = (process.env.BENCH_AUDIT_TENANTS ?? '10,100,1000').split(',').map(Number);
  for (const n of sizes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-audit-${n}-`));
    const t0 = process.hrtime.bigint();
    synthBlueprint(registry(n), dir);
    dirs.set(n, { dir, synthMs: ms(t0) });
    process.stderr.write(`bench: synthesized ${n} tenants\n`);
  }
  // Warm-up (module loading, JIT), so the 10-tenant figure is not mostly start-up.
  // The blueprint's own config (its reviewed platform principals), as CI reads it next to cdk.out.
  const config = loadConfig(path.join(__dirname, '..', 'cdk.out'));
  await runAudit(dirs.get(10)!.dir, { config });
  for (const [n, { dir, synthMs }] of dirs) {
    const engine = new RecordingEngine();
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const r = await runAudit(dir, { engine, config });
    const auditMs = ms(t0);
    const cpu = process.cpuUsage(cpu0);
    // CPU time is what the audit costs; wall time also shows how busy the machine was.
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (n === 10) sample = engine.items;
    const failing = r.findings.filter((f) => f.severity !== 'note').length;
    rows.push([
      String(n),
      String(r.stacks),
      (synthMs / 1000).toFixed(1),
      (auditMs / 1000).toFixed(2),
      (cpuMs / 1000).toFixed(2),
      String(r.matrix.requests),
      ((cpuMs * 1000) / r.matrix.requests).toFixed(1),
      (cpuMs / n).toFixed(1),
      String(failing),
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`bench: audited ${n} tenants\n`);
  }
  const header = ['tenants', 'stacks', 'synth s', 'audit wall s', 'audit cpu s', 'requests', 'cpu us/request', 'cpu ms/tenant', 'findings'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  console.log(`\nAudit time by tenant count (synthesized with buildBlueprint; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs)\n`);
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  rows.forEach((r) => console.log(line(r)));

  // Engine comparison on the same requests.
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
  console.log(`\nPer-request time on the same ${items.length} requests of the 10-tenant matrix\n`);
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

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
