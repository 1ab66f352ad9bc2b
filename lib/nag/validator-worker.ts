/**
 * The CloudFormation validator's worker thread, started on its own: this module loads nothing but
 * Node's worker_threads, so bin/app.ts can start the worker before it loads aws-cdk-lib and the
 * blueprint, and the validator engine (its WebAssembly module and resource schemas, about 2 s)
 * loads while the main thread does. The worker's protocol and the reasons its reports are the
 * built-in validator's own are in worker-cloudformation-validate.ts, which drives it.
 */
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
const { port, flag, awsCdkLib, warmTypes } = workerData;
const state = new Int32Array(flag);
let validator;
let plugin;
// { engine, config }: the engine with no rego rules, and the options the plugin passes to it.
let ready;
// Reports of templates validated as soon as they were written, by the key of exactly what the
// plugin will pass (template name, template text, options); used once, then dropped.
const early = new Map();
let earlyUsed = 0;
// The resource types of each template read early, by the SHA-256 of its text: the job needs the
// types of every template, and a template unchanged since it was read is not parsed again.
const typesByText = new Map();
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
function prepare() {
  const { CloudFormationValidatePlugin } = require(awsCdkLib);
  validator = require(require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(awsCdkLib)] }));
  plugin = new CloudFormationValidatePlugin();
  const engine = new validator.CompositeEngine({});
  // Warm-up through the plugin's own validate, on a small template of the blueprint's resource
  // types (loads their schemas), recording the options the plugin passes to the engine.
  const warm = { Resources: Object.fromEntries(warmTypes.map((type, i) => ['R' + i, { Type: type, Properties: {} }])) };
  let config;
  let dir;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-validate-warm-'));
    const file = path.join(dir, 'warm.template.json');
    fs.writeFileSync(file, JSON.stringify(warm));
    plugin.engine = { validateTemplate: (t, c) => ((config = c), engine.validateTemplate(t, c)), free: () => undefined };
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
  return { engine, config };
}
// Validates one template now, as the plugin will: same engine, same name, same text, and the
// recorded options with this stack's pseudo parameters.
function validateEarly(t) {
  ready ??= prepare();
  if (ready.config === undefined || !ready.config.pseudoParameterOverrides) return;
  const text = fs.readFileSync(t.templatePath, 'utf-8');
  typesByText.set(textKey(text), resourceTypesOf(text));
  const template = new validator.TemplateContent(text, t.templatePath);
  const config = { ...ready.config, pseudoParameterOverrides: { ...ready.config.pseudoParameterOverrides, accountId: t.accountId, region: t.region } };
  const key = keyOf(template, config);
  if (key !== undefined) early.set(key, ready.engine.validateTemplate(template, config));
}
// The engine the plugin gets: a report computed early for exactly this call, else the engine's.
function withEarlyReports(engine) {
  return {
    validateTemplate(template, config) {
      const key = keyOf(template, config);
      if (key !== undefined && early.has(key)) {
        const report = early.get(key);
        early.delete(key);
        earlyUsed++;
        return report;
      }
      return engine.validateTemplate(template, config);
    },
    free: () => engine.free(),
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
    try { validateEarly(job.early); } catch { /* validated with the job */ }
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
    // the early reports, computed with the prepared engine, are not used).
    if (rulesFor(types).length === 0) {
      plugin.engine = withEarlyReports(ready.engine);
      plugin.engineResourceTypes = types;
    } else {
      early.clear();
      plugin.engine = undefined;
      plugin.engineResourceTypes = undefined;
    }
    const report = plugin.validate({ templatePaths: job.stackTemplates.map((s) => s.templatePath), stackTemplates: job.stackTemplates });
    early.clear();
    reply({ report, version: plugin.version, ruleIds: plugin.ruleIds, earlyUsed });
    earlyUsed = 0;
  } catch (e) {
    reply({ error: String(e && e.stack || e) });
  }
});
try { ready = prepare(); } catch { /* reported when a job comes */ }
`;

/** A started worker: the thread, the port to talk to it, and the flag it raises when it answers. */
export interface ValidatorWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly state: Int32Array;
}

/** Starts the validator's worker thread (it prepares the engine at once). */
export function startValidatorWorker(): ValidatorWorker {
  const channel = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: channel.port2, flag, awsCdkLib: require.resolve('aws-cdk-lib'), warmTypes: WARM_TYPES },
    transferList: [channel.port2],
  });
  // The worker never keeps the app process alive (a synth that fails before validation exits).
  worker.unref();
  channel.port1.unref();
  return { worker, port: channel.port1, state: new Int32Array(flag) };
}
