/**
 * Synth benchmark: for 10, 100 and 1,000 tenants, in ONE run, interleaved, both through the real
 * `npx cdk synth` (CLI + app process):
 * - the blueprint, on a registry from lib/core/generated-registry.ts (every tenth tenant silo;
 *   ElastiCache quotas raised, as a deployment of 1,000 tenants needs);
 * - its plain-CDK floor (scripts/synth-floor-app.js): the same number of templates and the same
 *   number of resources in each template, all SQS queues, no nag packs, no validation plugins;
 *   for reference also the floor with aws-cdk-lib's built-in validator, the floor with the
 *   blueprint app's two App options (no creation stack traces, no tree.json) and cdk.json's node
 *   options, and the validator alone on the blueprint's templates
 *   (scripts/validate-templates-alone.js);
 * - for reference, the blueprint with its nag packs and without the CloudFormation validator
 *   (CDK_VALIDATION=false), and the CPU bound the machine's cores put on 2× the floor;
 * - the edit loop: the blueprint again into the same output folder with the CloudFormation
 *   validator's reports of the run before kept (TIB_VALIDATION_CACHE, a folder per run, empty
 *   for the main row), nothing changed, and then with one tenant onboarded;
 * - for reference, the blueprint without its checks (scripts/synth-blueprint-unchecked.ts: the same
 *   app, registry and templates, no nag packs, no validator): what aws-cdk-lib's synthesis of the
 *   blueprint's own content costs, which no check can make cheaper.
 * Prints wall time, CPU time (user + system, GNU time), the peak RSS of the whole process tree (CLI + app + workers, sampled from
 * /proc every 50 ms), the ratio, and the load average before each run (the machine is shared:
 * only figures from the same run compare). Then the demo app (tenants.json) from a cold start
 * (fresh output folder, empty report cache), once with the transpile cache the runs before left,
 * once again with the reports kept, and once with an empty transpile cache (the first synth after
 * a clone), and the template statistics table.
 *   npm run bench:synth [-- 10 100 1000] [-- --repeat 3]   (--repeat: median of N runs each)
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemblyTemplateStats, limitProblems } from '../lib/blueprint/assembly-stats';
import { rolePolicySizes } from '../lib/blueprint/policy-size';
import { generatedRegistry } from '../lib/core/generated-registry';
import { writeRegistryAtomic } from '../lib/core/registry';

const ROOT = path.join(__dirname, '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const RAISED_QUOTAS = JSON.stringify({ users: 2000, userGroups: 200 });
/** cdk.json's app command. */
function cdkJsonApp(): string {
  return String(JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).app);
}
/** cdk.json's app command (the same node options) on the unchecked reference app instead of bin/app.ts. */
function uncheckedApp(): string {
  const app = cdkJsonApp();
  if (!app.includes('bin/app.ts')) throw new Error(`cdk.json's app (${app}) does not run bin/app.ts: cannot derive the unchecked reference app`);
  return app.replace('bin/app.ts', path.join('scripts', 'synth-blueprint-unchecked.ts'));
}
/** The `--` options cdk.json's app gives node (heap growth, WebAssembly tiering, V8's thread pool), so the validator alone and a floor variant run as they do in the app. */
function appNodeOptions(): string[] {
  const [command, ...rest] = cdkJsonApp().split(/\s+/);
  if (command !== 'node') throw new Error(`cdk.json's app (${cdkJsonApp()}) does not start with node: cannot derive its node options`);
  const options: string[] = [];
  for (const token of rest) {
    if (!token.startsWith('--')) break;
    options.push(token);
  }
  return options;
}
const args = process.argv.slice(2);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 1;
const sizes = args
  .filter((_a, i) => repeatAt < 0 || (i !== repeatAt && i !== repeatAt + 1))
  .map(Number)
  .filter((n) => n > 0);
const counts = sizes.length > 0 ? sizes : [10, 100, 1000];

interface Measured {
  readonly seconds: number;
  /** CPU seconds (user + system) of the CLI and everything it waited for (GNU time). */
  readonly cpuSeconds: number;
  readonly peakMiB: number;
  readonly load: string;
}

/** The 1-minute load average now. */
function load(): string {
  return os.loadavg()[0].toFixed(1);
}

/** Sum of VmRSS over the process and all its descendants, in KiB. */
function treeRssKiB(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      rss.set(Number(entry), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    total += rss.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs `npx cdk synth` and measures it; throws with the output when it fails. */
function cdkSynth(what: string, cdkArgs: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  return measured(what, [CDK, 'synth', '--quiet', '--no-notices', ...cdkArgs], env);
}

/** Runs a command and measures it (wall, CPU, peak RSS of its process tree); throws with the output when it fails. */
async function measured(what: string, command: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  const before = load();
  const started = process.hrtime.bigint();
  // GNU time: CPU seconds of the CLI and the app it waits for, less sensitive to a shared
  // machine's load than wall time (its last stderr line).
  const child = spawn('/usr/bin/time', ['-f', 'cpu %U %S', ...command], {
    cwd: ROOT,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRssKiB(child.pid!))), 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${what}: failed (exit ${code}):\n${output}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(output);
  return { seconds, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, peakMiB: peak / 1024, load: before };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function medianRun(runs: Measured[]): Measured {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    peakMiB: median(runs.map((r) => r.peakMiB)),
    load: runs.map((r) => r.load).join('/'),
  };
}

/** The floor's spec: one template per blueprint template, same resource count (CDKMetadata aside). */
function floorSpec(outdir: string, file: string): number {
  const templates = fs
    .readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .sort()
    .map((f, i) => {
      const resources = Object.values(JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')).Resources ?? {}) as { Type: string }[];
      return { id: `Floor${i}`, resources: resources.filter((r) => r.Type !== 'AWS::CDK::Metadata').length };
    });
  fs.writeFileSync(file, JSON.stringify({ templates }));
  return templates.length;
}

interface Row {
  readonly tenants: number;
  readonly templates: number;
  readonly blueprint: Measured;
  readonly floor: Measured;
  /** The floor app with aws-cdk-lib's built-in CloudFormation validator on (reference only). */
  readonly floorValidated: Measured;
  /** The floor app with the blueprint app's App options (no creation stack traces, no tree.json) and cdk.json's node options (reference only). */
  readonly floorBlueprintOptions: Measured;
  /** aws-cdk-lib's CloudFormation validator alone on the blueprint's templates (reference only). */
  readonly validatorAlone: Measured;
  /** The blueprint's app without its checks: no nag packs, no validator (reference only). */
  readonly unchecked: Measured;
  /** The blueprint's app with both nag packs and without the CloudFormation validator, CDK_VALIDATION=false (reference only). */
  readonly nagOnly: Measured;
  /** The blueprint again into the same output folder, nothing changed: the validator's reports kept by the run before. */
  readonly kept: Measured;
  /** Then with one tenant onboarded (count + 1 tenants; the new one, every tenth, silo): the reports of the unchanged templates kept. */
  readonly onboarded: Measured;
  readonly stats: string;
  readonly problems: string[];
}

function statsRow(count: number, outdir: string): { stats: string; problems: string[] } {
  const stats = assemblyTemplateStats(outdir);
  const platform = stats.find((s) => s.file === 'Platform.template.json')!;
  const tenants = stats.filter((s) => s.file.startsWith('Tenant-'));
  const nested = stats.filter((s) => s.file.includes('.nested.'));
  const template = JSON.parse(fs.readFileSync(path.join(outdir, platform.file), 'utf8'));
  const roleId = Object.keys(template.Resources).find((id) => template.Resources[id].Properties?.RoleName?.endsWith('TenantAccessRole'))!;
  const role = rolePolicySizes(template, roleId);
  const managed = Object.values(role.managed).reduce((a, b) => a + b, 0);
  const maxKiB = Math.max(...stats.map((s) => s.bytes)) / 1024;
  return {
    stats: `| ${count} | ${platform.resources} | ${Math.max(0, ...nested.map((t) => t.resources))} | ${Math.max(...tenants.map((t) => t.resources))} | ${maxKiB.toFixed(1)} | ${role.trust} / ${role.inline} / ${managed} |`,
    problems: limitProblems(stats),
  };
}

async function measure(count: number): Promise<Row> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-synth-${count}-`));
  const registry = path.join(dir, 'tenants.json');
  writeRegistryAtomic(registry, generatedRegistry(count));
  const onboardedRegistry = path.join(dir, 'tenants-onboarded.json');
  writeRegistryAtomic(onboardedRegistry, generatedRegistry(count + 1));
  const blueprintArgs = (out: string, from = registry) => ['-o', out, '-c', `registry=${from}`, '-c', `elasticacheQuotas=${RAISED_QUOTAS}`];
  const spec = path.join(dir, 'floor.json');
  const blueprintRuns: Measured[] = [];
  const floorRuns: Measured[] = [];
  const floorValidatedRuns: Measured[] = [];
  const floorBlueprintOptionsRuns: Measured[] = [];
  const validatorAloneRuns: Measured[] = [];
  const uncheckedRuns: Measured[] = [];
  const nagOnlyRuns: Measured[] = [];
  const keptRuns: Measured[] = [];
  const onboardedRuns: Measured[] = [];
  let templates = 0;
  let stats = { stats: '', problems: [] as string[] };
  for (let i = 0; i < repeat; i++) {
    const out = path.join(dir, `blueprint-${i}`);
    // Each run starts with an empty report cache: the first synth after a clone, an engine upgrade, or a change to every template.
    const reportCache = { TIB_VALIDATION_CACHE: path.join(dir, `validation-cache-${i}`) };
    process.stderr.write(`${count} tenants: blueprint (run ${i + 1}/${repeat}, load ${load()})...\n`);
    blueprintRuns.push(await cdkSynth(`blueprint ${count}`, blueprintArgs(out), reportCache));
    if (i === 0) {
      templates = floorSpec(out, spec);
      stats = statsRow(count, out);
    }
    process.stderr.write(`${count} tenants: the CloudFormation validator alone on those templates (run ${i + 1}/${repeat}, load ${load()})...\n`);
    validatorAloneRuns.push(await measured(`validator alone ${count}`, ['node', ...appNodeOptions(), path.join('scripts', 'validate-templates-alone.js'), out]));
    process.stderr.write(`${count} tenants: blueprint again, nothing changed, the validator's reports kept (run ${i + 1}/${repeat}, load ${load()})...\n`);
    keptRuns.push(await cdkSynth(`blueprint again ${count}`, blueprintArgs(out), reportCache));
    process.stderr.write(`${count} tenants: blueprint with one tenant onboarded, the validator's reports kept (run ${i + 1}/${repeat}, load ${load()})...\n`);
    onboardedRuns.push(await cdkSynth(`blueprint onboarded ${count}`, blueprintArgs(out, onboardedRegistry), reportCache));
    fs.rmSync(out, { recursive: true, force: true });
    process.stderr.write(`${count} tenants: the blueprint without its checks (run ${i + 1}/${repeat}, load ${load()})...\n`);
    uncheckedRuns.push(await cdkSynth(`blueprint without checks ${count}`, ['--app', uncheckedApp(), ...blueprintArgs(out)]));
    fs.rmSync(out, { recursive: true, force: true });
    process.stderr.write(`${count} tenants: the blueprint without the CloudFormation validator (run ${i + 1}/${repeat}, load ${load()})...\n`);
    nagOnlyRuns.push(await cdkSynth(`blueprint without the validator ${count}`, blueprintArgs(out), { CDK_VALIDATION: 'false' }));
    fs.rmSync(out, { recursive: true, force: true });
    const floorOut = path.join(dir, `floor-${i}`);
    // The floor app, once plain and once with each reference variant's context.
    const floor = async (label: string, runs: Measured[], context: string[], nodeOptions: string[] = []) => {
      process.stderr.write(`${count} tenants: ${label} (run ${i + 1}/${repeat}, load ${load()})...\n`);
      const app = ['--app', ['node', ...nodeOptions, path.join('scripts', 'synth-floor-app.js')].join(' '), '-o', floorOut, '-c', `floorSpec=${spec}`];
      runs.push(await cdkSynth(`${label} ${count}`, [...app, ...context.flatMap((c) => ['-c', c])]));
      fs.rmSync(floorOut, { recursive: true, force: true });
    };
    await floor(`floor, ${templates} templates`, floorRuns, []);
    await floor('floor with the built-in validator', floorValidatedRuns, ['floorValidation=true']);
    await floor("floor with the blueprint's App and node options", floorBlueprintOptionsRuns, ['floorAppOptions=blueprint'], appNodeOptions());
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    tenants: count,
    templates,
    blueprint: medianRun(blueprintRuns),
    floor: medianRun(floorRuns),
    floorValidated: medianRun(floorValidatedRuns),
    floorBlueprintOptions: medianRun(floorBlueprintOptionsRuns),
    validatorAlone: medianRun(validatorAloneRuns),
    unchecked: medianRun(uncheckedRuns),
    nagOnly: medianRun(nagOnlyRuns),
    kept: medianRun(keptRuns),
    onboarded: medianRun(onboardedRuns),
    ...stats,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const count of counts) rows.push(await measure(count));
  const demoOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-demo-'));
  process.stderr.write(`demo app (tenants.json), cold (load ${load()})...\n`);
  // Its own empty report cache (the user's node_modules/.cache is left alone).
  const demoReports = { TIB_VALIDATION_CACHE: path.join(demoOut, 'validation-cache') };
  const demo = await cdkSynth('demo', ['-o', path.join(demoOut, 'cdk.out')], demoReports);
  process.stderr.write(`demo app (tenants.json), again, nothing changed, the validator's reports kept (load ${load()})...\n`);
  const demoAgain = await cdkSynth('demo again', ['-o', path.join(demoOut, 'cdk.out')], demoReports);
  // The same, as the first synth after a clone: an empty transpile cache (scripts/register-esbuild.js).
  process.stderr.write(`demo app (tenants.json), cold, empty transpile cache (load ${load()})...\n`);
  const firstDemo = await cdkSynth('demo, empty transpile cache', ['-o', path.join(demoOut, 'cdk.out.first')], {
    TIB_TRANSPILE_CACHE: path.join(demoOut, 'transpile-cache'),
    TIB_VALIDATION_CACHE: path.join(demoOut, 'validation-cache-first'),
  });
  fs.rmSync(demoOut, { recursive: true, force: true });

  console.log(`${os.cpus().length} CPUs; load average = 1-minute load before each run (blueprint / floor)`);
  console.log('');
  console.log('| tenants | templates | blueprint wall s / CPU s | blueprint peak MiB | plain-CDK floor wall s / CPU s | floor peak MiB | ratio wall / CPU | load avg |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const b = r.blueprint;
    const f = r.floor;
    console.log(
      `| ${r.tenants} | ${r.templates} | ${b.seconds.toFixed(1)} / ${b.cpuSeconds.toFixed(1)} | ${b.peakMiB.toFixed(0)} | ${f.seconds.toFixed(1)} / ${f.cpuSeconds.toFixed(1)} | ${f.peakMiB.toFixed(0)} | ${(b.seconds / f.seconds).toFixed(2)}× / ${(b.cpuSeconds / f.cpuSeconds).toFixed(2)}× | ${b.load} / ${f.load} |`,
    );
  }
  console.log('');
  // A titled table, one row per size.
  const table = (title: string, columns: string[], cells: (r: Row) => string[]) => {
    console.log(title);
    console.log('');
    console.log(`| tenants | ${columns.join(' | ')} |`);
    console.log(`|---:|${columns.map(() => '---:').join('|')}|`);
    for (const r of rows) console.log(`| ${r.tenants} | ${cells(r).join(' | ')} |`);
  };
  const secs = (m: Measured) => `${m.seconds.toFixed(1)} / ${m.cpuSeconds.toFixed(1)}`;
  const againstFloor = (r: Row, m: Measured) => `${(m.seconds / r.floor.seconds).toFixed(2)}× / ${(m.cpuSeconds / r.floor.cpuSeconds).toFixed(2)}×`;
  table(
    "The edit loop: the blueprint synthesized again into the same output folder, with the CloudFormation validator's reports the synth before kept (node_modules/.cache/tib-cfn-validate; a report is reused only for exactly the same template path, text and options and the same validator package; every other template is validated, and both nag packs run in full). Against the same floor as above:",
    ['nothing changed, wall s / CPU s', 'peak MiB', '/ the floor, wall / CPU', 'one tenant onboarded, wall s / CPU s', 'peak MiB', '/ the floor, wall / CPU'],
    (r) => [secs(r.kept), r.kept.peakMiB.toFixed(0), againstFloor(r, r.kept), secs(r.onboarded), r.onboarded.peakMiB.toFixed(0), againstFloor(r, r.onboarded)],
  );
  console.log('');
  // A part of the blueprint (it without something): its figures, its ratio to the floor, and what the blueprint adds to it.
  const split = (r: Row, m: Measured) => [
    secs(m),
    m.peakMiB.toFixed(0),
    againstFloor(r, m),
    `${(r.blueprint.seconds - m.seconds).toFixed(1)} / ${(r.blueprint.cpuSeconds - m.cpuSeconds).toFixed(1)}`,
  ];
  // A reference variant, and the blueprint's ratio to it.
  const reference = (title: string, column: string, of: (r: Row) => Measured) =>
    table(title, [`${column} wall s / CPU s`, 'peak MiB', 'blueprint / it, wall / CPU'], (r) => {
      const v = of(r);
      return [secs(v), v.peakMiB.toFixed(0), `${(r.blueprint.seconds / v.seconds).toFixed(2)}× / ${(r.blueprint.cpuSeconds / v.cpuSeconds).toFixed(2)}×`];
    });
  reference(
    "For reference, the floor app with aws-cdk-lib's built-in CloudFormation validator on (as a plain `new App()` has it):",
    'floor + built-in validator',
    (r) => r.floorValidated,
  );
  console.log('');
  reference(
    "For reference, the floor app with the blueprint app's two App options (no creation stack traces, no tree.json; lib/blueprint/app-props.ts) and cdk.json's node options (heap growth, WebAssembly tiering, V8's thread pool sized to the cores): the blueprint's ratio to it is its ratio without the settings any plain app could also use:",
    'floor + blueprint App and node options',
    (r) => r.floorBlueprintOptions,
  );
  console.log('');
  table(
    "For reference, aws-cdk-lib's CloudFormation validator alone on the blueprint's templates (scripts/validate-templates-alone.js with cdk.json's node options: engine load and every stack template, one after the other, no CDK app; nested stack templates are not validated at synth, nor here):",
    ['validator alone wall s / CPU s', 'peak MiB', 'its wall / the floor wall'],
    (r) => [secs(r.validatorAlone), r.validatorAlone.peakMiB.toFixed(0), `${(r.validatorAlone.seconds / r.floor.seconds).toFixed(2)}×`],
  );
  console.log('');
  table(
    "For reference, the blueprint's app without its checks (scripts/synth-blueprint-unchecked.ts: the same registry, App options and templates; no nag packs, no CloudFormation validator). Its ratio to the floor is the part of the blueprint's ratio that its own content costs in aws-cdk-lib, before any check:",
    [
      'blueprint without checks wall s / CPU s',
      'peak MiB',
      'it / the floor, wall / CPU',
      "the checks' share: blueprint - it, wall / CPU s",
      'left for the checks at 2× the floor, wall s',
    ],
    (r) => [...split(r, r.unchecked), (2 * r.floor.seconds - r.unchecked.seconds).toFixed(1)],
  );
  console.log('');
  table(
    "For reference, the blueprint with both nag packs and without the CloudFormation validator (CDK_VALIDATION=false, as for aws-cdk-lib's built-in validator). The blueprint's time minus it is what the validator costs inside the app, where it shares the cores with the synthesis:",
    ['blueprint without the validator wall s / CPU s', 'peak MiB', 'it / the floor, wall / CPU', "the validator's share: blueprint - it, wall / CPU s"],
    (r) => split(r, r.nagOnly),
  );
  console.log('');
  // What the machine's cores can give at all: whatever the scheduling, the blueprint needs at
  // least the CPU of a run without the validator plus the validator's own (engine and
  // templates), and `cores` cores give at most `cores` CPU seconds per second of wall time.
  const cores = os.cpus().length;
  // Within half a CPU second either way is within this machine's run-to-run noise.
  const bound = (needed: number, given: number) =>
    Math.abs(needed - given) < 0.5
      ? `at the edge: ${(needed - given).toFixed(1)} CPU s`
      : needed > given
        ? `out of reach: ${(needed - given).toFixed(1)} CPU s over`
        : 'not ruled out';
  table(
    `The CPU bound (${cores} CPUs): within 2× the floor's wall time the cores give at most ${cores} × that time; the blueprint needs at least the CPU of a run without the validator plus the validator alone's (its engine, compiled on first use, and every template; its own Node start, about 0.05 s, included). Without the nag packs (the unchecked app) this bounds any way of running both nag packs; with them, the packs as they are. Within 0.5 CPU s either way is at the edge (this machine's run-to-run noise):`,
    [
      `${cores} × 2 × floor wall, CPU s`,
      'unchecked + validator alone, CPU s',
      '2× by CPU, any nag packs',
      'without the validator + validator alone, CPU s',
      '2× by CPU, these nag packs',
    ],
    (r) => {
      const given = cores * 2 * r.floor.seconds;
      const anyPacks = r.unchecked.cpuSeconds + r.validatorAlone.cpuSeconds;
      const thesePacks = r.nagOnly.cpuSeconds + r.validatorAlone.cpuSeconds;
      return [given.toFixed(1), anyPacks.toFixed(1), bound(anyPacks, given), thesePacks.toFixed(1), bound(thesePacks, given)];
    },
  );
  console.log('');
  console.log(
    `Demo app (tenants.json, 3 tenants), cold start (fresh output folder): ${demo.seconds.toFixed(1)} s wall, ${demo.cpuSeconds.toFixed(1)} s CPU, peak ${demo.peakMiB.toFixed(0)} MiB, load ${demo.load}`,
  );
  console.log(
    `The same again into the same output folder, nothing changed, the validator's reports kept: ${demoAgain.seconds.toFixed(1)} s wall, ${demoAgain.cpuSeconds.toFixed(1)} s CPU, peak ${demoAgain.peakMiB.toFixed(0)} MiB, load ${demoAgain.load}`,
  );
  console.log(
    `The same as the first synth after a clone (an empty transpile cache, scripts/register-esbuild.js): ${firstDemo.seconds.toFixed(1)} s wall, ${firstDemo.cpuSeconds.toFixed(1)} s CPU, peak ${firstDemo.peakMiB.toFixed(0)} MiB, load ${firstDemo.load}`,
  );
  console.log('');
  console.log(
    '| tenants | platform resources | max resources / cache cell (nested) | max resources / tenant stack | largest template KiB | TenantAccessRole trust / inline / managed chars |',
  );
  console.log('|---:|---:|---:|---:|---:|---|');
  for (const r of rows) console.log(r.stats);
  const problems = rows.flatMap((r) => r.problems.map((p) => `${r.tenants} tenants: ${p}`));
  if (problems.length > 0) {
    console.log(`\nCloudFormation limits exceeded:\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
