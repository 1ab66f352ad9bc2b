/**
 * The CloudFormation validator's worker thread, started on its own: this module loads nothing but
 * Node's path and worker_threads, so bin/app.ts can start the worker before it loads aws-cdk-lib and the
 * blueprint, and the validator engine (its WebAssembly module and resource schemas, about 2 s)
 * loads while the main thread does. The worker's protocol and the reasons its reports are the
 * built-in validator's own are in worker-cloudformation-validate.ts, which drives it.
 */
import * as path from 'path';
import { MessageChannel, MessagePort, Worker } from 'worker_threads';

/** Resource types whose schemas the worker loads before the first real template (a hint only). */
const WARM_TYPES = [
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::SSM::Parameter',
  'AWS::Athena::WorkGroup',
  'AWS::Lambda::Function',
  'AWS::CloudFormation::Stack',
];

// Plain JavaScript (no TypeScript loader in a worker). It requires aws-cdk-lib from the path
// the app itself resolved, so both threads use the same aws-cdk-lib and validator.
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { port, flag, awsCdkLib, warmTypes, reportCache, outdir } = workerData;
const state = new Int32Array(flag);
const CACHE_FORMAT = 1;
let validator;
let plugin;
// { config, engineId }: the options the plugin passes to the engine (recorded from the plugin
// itself), and the identity of the validator package (every file of it, WebAssembly included).
let ready;
// The engine with no rego rules, created when first needed: at once, unless the report cache
// holds reports of this very engine (then only when a template is not in it).
let engine;
// Reports of templates validated as soon as they were written, by the key of exactly what the
// plugin will pass (template name, template text, options); used once, then dropped.
const early = new Map();
let earlyUsed = 0;
// Reports kept by earlier synths (reportCache/reports.json), by the same key, and the folders of
// the templates they are of; and the reports of this synth's templates, which replace them.
let cached = new Map();
let cachedFolders = [];
let cacheUsed = 0;
const reports = new Map();
// The resource types of each template read early, by the SHA-256 of its text: the job needs the
// types of every template, and a template unchanged since it was read is not parsed again.
const typesByText = new Map();
const warmTemplate = { Resources: Object.fromEntries(warmTypes.map((type, i) => ['R' + i, { Type: type, Properties: {} }])) };
function textKey(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}
function resourceTypesOf(text) {
  const types = [];
  for (const r of Object.values(JSON.parse(text).Resources ?? {})) if (r && typeof r.Type === 'string') types.push(r.Type);
  return types;
}
function rulesFor(types) {
  const index = JSON.parse(fs.readFileSync(path.join(path.dirname(awsCdkLib), 'core', 'lib', 'validation', 'rules', 'index.generated.json'), 'utf8'));
  return index.rules.filter((r) => r.types === null || r.types.some((t) => types.has(t))).map((r) => r.file);
}
// A canonical text of a value: sorted keys, undefined kept apart from absent.
function canonical(v) {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
}
// The key is the SHA-256 of that canonical text, so that the reports waiting to be used do not
// keep every template's text alive (43 MB at 1,000 tenants).
function keyOf(template, config) {
  if (typeof template.content !== 'string' || typeof template.name !== 'string') return undefined;
  return crypto.createHash('sha256').update(canonical([template.name, template.content, config])).digest('hex');
}
// The validator package's identity: the SHA-256 of every file in its folder (its WebAssembly
// engine with the resource schemas inside, its bindings, its package.json), by name.
function engineIdentity(dir) {
  const hash = crypto.createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    hash.update(name + '\\0').update(fs.readFileSync(file)).update('\\0');
  }
  return hash.digest('hex');
}
function prepare() {
  const { CloudFormationValidatePlugin } = require(awsCdkLib);
  const main = require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(awsCdkLib)] });
  validator = require(main);
  plugin = new CloudFormationValidatePlugin();
  // The options the plugin passes to the engine, recorded from the plugin's own validate on a
  // small template (the stand-in engine's empty answer is thrown away).
  let config;
  let dir;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-validate-warm-'));
    const file = path.join(dir, 'warm.template.json');
    fs.writeFileSync(file, JSON.stringify(warmTemplate));
    plugin.engine = { validateTemplate: (t, c) => ((config = c), { diagnostics: [] }), free: () => undefined };
    plugin.engineResourceTypes = new Set(warmTypes);
    plugin.validate({ templatePaths: [file], stackTemplates: [{ stackConstructPath: 'Warm', templatePath: file }] });
  } catch {
    // No recorded options: nothing is validated early (every template is, with the job).
    config = undefined;
  } finally {
    plugin.engine = undefined;
    plugin.engineResourceTypes = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  let engineId;
  try {
    engineId = engineIdentity(path.dirname(main));
  } catch {
    // Unidentifiable: no report is kept or reused.
    engineId = undefined;
  }
  return { config, engineId };
}
// The engine with no rego rules, warmed on a small template of the blueprint's resource types
// (loads their schemas; a report does not depend on what the engine validated before).
function engineNow() {
  if (engine) return engine;
  engine = new validator.CompositeEngine({});
  if (ready.config !== undefined) {
    try { engine.validateTemplate(new validator.TemplateContent(JSON.stringify(warmTemplate), 'warm.template.json'), ready.config); } catch { /* a warm-up only */ }
  }
  return engine;
}
// Reports kept by earlier synths of this engine; none if the file is missing, damaged, of
// another format or of another engine (it is rewritten after the job).
function readCache() {
  if (!reportCache || ready.engineId === undefined) return;
  try {
    const file = JSON.parse(fs.readFileSync(path.join(reportCache, 'reports.json'), 'utf8'));
    if (file && file.format === CACHE_FORMAT && file.engine === ready.engineId && file.reports && typeof file.reports === 'object') {
      cached = new Map(Object.entries(file.reports).filter(([, r]) => r && typeof r === 'object' && Array.isArray(r.diagnostics)));
      cachedFolders = Array.isArray(file.folders) ? file.folders : [];
    }
  } catch { /* validated afresh */ }
}
// This synth's reports replace the file, atomically (a temporary file, then a rename), so a
// concurrent synth reads the old file or the new one, never half of one. Best effort.
function writeCache(folders) {
  if (!reportCache || ready.engineId === undefined || reports.size === 0) return;
  const file = path.join(reportCache, 'reports.json');
  const temp = file + '.' + process.pid + '-' + crypto.randomBytes(6).toString('hex') + '.tmp';
  try {
    fs.mkdirSync(reportCache, { recursive: true });
    fs.writeFileSync(temp, JSON.stringify({ format: CACHE_FORMAT, engine: ready.engineId, folders, reports: Object.fromEntries(reports) }));
    fs.renameSync(temp, file);
  } catch {
    try { fs.rmSync(temp, { force: true }); } catch { /* nothing to clean */ }
  }
}
// Validates one template now, as the plugin will: same engine, same name, same text, and the
// recorded options with this stack's pseudo parameters (unless a report of exactly that is kept).
function validateEarly(t) {
  if (ready.config === undefined || !ready.config.pseudoParameterOverrides) return;
  const text = fs.readFileSync(t.templatePath, 'utf-8');
  typesByText.set(textKey(text), resourceTypesOf(text));
  const template = new validator.TemplateContent(text, t.templatePath);
  const config = { ...ready.config, pseudoParameterOverrides: { ...ready.config.pseudoParameterOverrides, accountId: t.accountId, region: t.region } };
  const key = keyOf(template, config);
  if (key !== undefined && !cached.has(key)) early.set(key, engineNow().validateTemplate(template, config));
}
// The engine the plugin gets: the report computed early for exactly this call, else the one
// kept for exactly this call, else the engine's. Every report is kept for the next synth.
function preparedEngine() {
  return {
    validateTemplate(template, config) {
      const key = keyOf(template, config);
      let report;
      if (key !== undefined && early.has(key)) {
        report = early.get(key);
        early.delete(key);
        earlyUsed++;
      } else if (key !== undefined && cached.has(key)) {
        report = cached.get(key);
        cacheUsed++;
      } else {
        report = engineNow().validateTemplate(template, config);
      }
      if (key !== undefined) reports.set(key, report);
      return report;
    },
    free: () => engine?.free(),
  };
}
function reply(message) {
  port.postMessage(message);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}
port.on('message', (job) => {
  if (job.ping) {
    reply({ pong: true });
    return;
  }
  if (job.early) {
    // Best effort: a template not validated early is validated when the job comes.
    try { ready ??= prepare(); validateEarly(job.early); } catch { /* validated with the job */ }
    return;
  }
  try {
    ready ??= prepare();
    const types = new Set();
    for (const s of job.stackTemplates) {
      const text = fs.readFileSync(s.templatePath, 'utf8');
      for (const type of typesByText.get(textKey(text)) ?? resourceTypesOf(text)) types.add(type);
    }
    typesByText.clear();
    // The prepared engine has no rego rules: hand it over only when the plugin would build
    // exactly that (no rule applies to these types), else let the plugin build its own (and
    // the early and kept reports, from the engine without rules, are not used).
    const prepared = rulesFor(types).length === 0;
    if (prepared) {
      plugin.engine = preparedEngine();
      plugin.engineResourceTypes = types;
    } else {
      early.clear();
      cached.clear();
      plugin.engine = undefined;
      plugin.engineResourceTypes = undefined;
    }
    const report = plugin.validate({ templatePaths: job.stackTemplates.map((s) => s.templatePath), stackTemplates: job.stackTemplates });
    if (prepared) writeCache([...new Set(job.stackTemplates.map((s) => path.dirname(path.resolve(s.templatePath))))]);
    early.clear();
    reports.clear();
    reply({ report, version: plugin.version, ruleIds: plugin.ruleIds, earlyUsed, cacheUsed, engineLoaded: engine !== undefined });
    earlyUsed = 0;
    cacheUsed = 0;
  } catch (e) {
    reply({ error: String(e && e.stack || e) });
  }
});
try {
  ready = prepare();
  readCache();
  // Without kept reports of this output folder every template needs the engine: load it now,
  // while the app builds (a report names its template's path, so another folder's never match).
  if (cached.size === 0 || (outdir !== undefined && !cachedFolders.includes(path.resolve(outdir)))) engineNow();
} catch { /* reported when a job comes */ }
`;

/** A started worker: the thread, the port to talk to it, and the flag it raises when it answers. */
export interface ValidatorWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly state: Int32Array;
}

/** Options of the validator's worker. */
export interface ValidatorWorkerOptions {
  /**
   * A folder in which the worker keeps the engine's report on every template it validated
   * (`reports.json`, replaced atomically after each synth), and from which it takes the report
   * of a template validated before: the engine's answer is a function of the validator package
   * (the file names it by the SHA-256 of every file in it), the template's path and text and
   * the options the plugin passes, so a report is reused only for exactly those. With reports
   * of this output folder kept, the engine itself (about 1.7 s and 200 MiB) loads only when a
   * template is not among them.
   * @default none: every template is validated
   */
  readonly reportCache?: string;
  /**
   * The output folder the templates are written to. With kept reports of templates in another
   * folder only (they never match: a report names its template's path), the engine loads at once,
   * as without a cache, instead of on the first template.
   * @default the CDK CLI's CDK_OUTDIR; if unset, kept reports of any folder defer the engine
   */
  readonly outdir?: string;
}

/**
 * Where bin/app.ts keeps the validator's reports between synths: `TIB_VALIDATION_CACHE=<folder>`,
 * none with `TIB_VALIDATION_CACHE=off`, else node_modules/.cache/tib-cfn-validate under the
 * project.
 */
export function validationReportCache(projectRoot: string, setting: string | undefined = process.env.TIB_VALIDATION_CACHE): string | undefined {
  if (setting === 'off') return undefined;
  return setting ? path.resolve(setting) : path.join(projectRoot, 'node_modules', '.cache', 'tib-cfn-validate');
}

/** Starts the validator's worker thread: it prepares the plugin at once, and the engine at once unless kept reports of this output folder defer it (ValidatorWorkerOptions.reportCache). */
export function startValidatorWorker(options: ValidatorWorkerOptions = {}): ValidatorWorker {
  const channel = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      port: channel.port2,
      flag,
      awsCdkLib: require.resolve('aws-cdk-lib'),
      warmTypes: WARM_TYPES,
      reportCache: options.reportCache,
      outdir: options.outdir ?? process.env.CDK_OUTDIR,
    },
    transferList: [channel.port2],
  });
  // The worker never keeps the app process alive (a synth that fails before validation exits).
  worker.unref();
  channel.port1.unref();
  return { worker, port: channel.port1, state: new Int32Array(flag) };
}
