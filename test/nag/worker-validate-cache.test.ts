/**
 * The validator's kept reports (lib/nag/validator-worker.ts, `reportCache`): a synth after the
 * first takes the report of a template it has validated before, for exactly the same template
 * path, text and options and the same validator package, and validates everything else. Each
 * test compares the worker's report with aws-cdk-lib's built-in CloudFormationValidatePlugin,
 * byte for byte, on the blueprint's templates with invalid values planted in tenant stacks.
 */
import { App, CfnResource, CloudFormationValidatePlugin, IPolicyValidationContext, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBlueprint } from '../../lib/blueprint/app';
import { generatedRegistry } from '../../lib/core/generated-registry';
import { startValidatorWorker, validationReportCache } from '../../lib/nag/validator-worker';
import { WorkerCloudFormationValidatePlugin } from '../../lib/nag/worker-cloudformation-validate';
import { newTestApp } from '../helpers/app';
import { validationContextOf } from '../helpers/validation-context';

jest.setTimeout(300_000);

const TENANTS = 30;

/** Plants SQS MessageRetentionPeriod 5 (schema: 60..1209600) in a stack. */
function plantRetention(stack: IConstruct): void {
  const queue = stack.node.findAll().find((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::SQS::Queue')!;
  queue.addPropertyOverride('MessageRetentionPeriod', 5);
}

/** The blueprint of 30 tenants in `outdir`, with the retention period planted in tenant `victim`. */
function blueprintApp(outdir: string, victim: number): { app: App; tenants: readonly Stack[]; tenantFile: (i: number) => string } {
  const app = newTestApp({ outdir, builtinCloudFormationValidation: false });
  const blueprint = buildBlueprint(app, { registry: generatedRegistry(TENANTS) });
  plantRetention(blueprint.tenants[victim]);
  return { app, tenants: blueprint.tenants, tenantFile: (i) => path.join(outdir, blueprint.tenants[i].templateFile) };
}

/** Plants SQS DelaySeconds 9999 (schema: 0..900) in a written template. */
function plantDelaySeconds(file: string): void {
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  const queueId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::SQS::Queue')!;
  template.Resources[queueId].Properties.DelaySeconds = 9999;
  fs.writeFileSync(file, JSON.stringify(template, undefined, 1));
}

function descriptionsFor(report: { violations: { description: string; violatingResources: { templatePath?: string }[] }[] }, file: string): string {
  return report.violations
    .filter((v) => v.violatingResources.some((r) => r.templatePath === file))
    .map((v) => v.description)
    .join('\n');
}

function validateWithCache(
  context: IPolicyValidationContext,
  reportCache: string,
): WorkerCloudFormationValidatePlugin & { report: ReturnType<CloudFormationValidatePlugin['validate']> } {
  const worker = new WorkerCloudFormationValidatePlugin(startValidatorWorker({ reportCache }));
  const report = worker.validate(context);
  return Object.assign(worker, { report });
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-validate-cache-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a second validation takes every report from the cache without loading the engine; a template changed since is validated and its new violation named', () => {
  const outdir = path.join(dir, 'cdk.out');
  const cache = path.join(dir, 'cache');
  const { app, tenantFile } = blueprintApp(outdir, 17);
  const context = validationContextOf(app.synth());
  const templates = context.stackTemplates.length;

  const first = validateWithCache(context, cache);
  expect(first.cachedReportsUsed).toBe(0);
  expect(first.engineLoaded).toBe(true);
  expect(JSON.stringify(first.report)).toBe(JSON.stringify(new CloudFormationValidatePlugin().validate(context)));
  expect(fs.existsSync(path.join(cache, 'reports.json'))).toBe(true);

  const second = validateWithCache(context, cache);
  expect(second.cachedReportsUsed).toBe(templates);
  expect(second.engineLoaded).toBe(false);
  expect(JSON.stringify(second.report)).toBe(JSON.stringify(first.report));
  expect(second.report.success).toBe(false);
  expect(descriptionsFor(second.report, tenantFile(17))).toMatch(/MessageRetentionPeriod/);

  // An invalid value planted in tenant 5's written template: only that template misses.
  plantDelaySeconds(tenantFile(5));
  const third = validateWithCache(context, cache);
  expect(third.cachedReportsUsed).toBe(templates - 1);
  expect(third.engineLoaded).toBe(true);
  expect(JSON.stringify(third.report)).toBe(JSON.stringify(new CloudFormationValidatePlugin().validate(context)));
  expect(descriptionsFor(third.report, tenantFile(5))).toMatch(/DelaySeconds/);
  expect(descriptionsFor(third.report, tenantFile(17))).toMatch(/MessageRetentionPeriod/);
});

test('a synth of the app again, with one tenant changed, validates that tenant as it is written and takes the rest from the cache', () => {
  const outdir = path.join(dir, 'cdk.out');
  const cache = path.join(dir, 'cache');
  const before = blueprintApp(outdir, 17);
  validateWithCache(validationContextOf(before.app.synth()), cache);

  // The same app built again into the same folder, now with the planted value in tenant 3 too.
  const again = blueprintApp(outdir, 17);
  plantRetention(again.tenants[3]);
  const worker = new WorkerCloudFormationValidatePlugin(startValidatorWorker({ reportCache: cache }));
  worker.validateTemplatesAsWritten(again.app);
  const context = validationContextOf(again.app.synth());
  worker.waitForEarlyValidations();
  const report = worker.validate(context);

  expect(worker.earlyReportsUsed).toBe(1);
  expect(worker.cachedReportsUsed).toBe(context.stackTemplates.length - 1);
  expect(JSON.stringify(report)).toBe(JSON.stringify(new CloudFormationValidatePlugin().validate(context)));
  expect(descriptionsFor(report, again.tenantFile(3))).toMatch(/MessageRetentionPeriod/);
  expect(descriptionsFor(report, again.tenantFile(17))).toMatch(/MessageRetentionPeriod/);
});

test('kept reports are not used for the same templates at another path, from another validator package, or from a damaged file', () => {
  const outdir = path.join(dir, 'cdk.out');
  const cache = path.join(dir, 'cache');
  const { app } = blueprintApp(outdir, 17);
  const context = validationContextOf(app.synth());
  validateWithCache(context, cache);
  const file = path.join(cache, 'reports.json');
  const kept = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(Object.keys(kept.reports)).toHaveLength(context.stackTemplates.length);

  // The same template text at another path: the engine's report names the path, so it misses.
  const moved = path.join(dir, 'moved.out');
  fs.cpSync(outdir, moved, { recursive: true });
  const movedContext = validationContextOf(new cxapi.CloudAssembly(moved));
  const atOtherPath = validateWithCache(movedContext, cache);
  expect(atOtherPath.cachedReportsUsed).toBe(0);
  expect(JSON.stringify(atOtherPath.report)).toBe(JSON.stringify(new CloudFormationValidatePlugin().validate(movedContext)));

  // Reports of another validator package (its identity differs): none is used.
  fs.writeFileSync(file, JSON.stringify({ ...kept, engine: '0'.repeat(64) }));
  const otherEngine = validateWithCache(context, cache);
  expect(otherEngine.cachedReportsUsed).toBe(0);
  expect(otherEngine.engineLoaded).toBe(true);
  // ... and the file now holds this engine's reports again.
  expect(JSON.parse(fs.readFileSync(file, 'utf8')).engine).toBe(kept.engine);

  // A damaged file: not used, and replaced.
  fs.writeFileSync(file, '{"format":1,"engine":');
  const damaged = validateWithCache(context, cache);
  expect(damaged.cachedReportsUsed).toBe(0);
  expect(JSON.stringify(damaged.report)).toBe(JSON.stringify(new CloudFormationValidatePlugin().validate(context)));
  expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).reports)).toHaveLength(context.stackTemplates.length);
});

test('TIB_VALIDATION_CACHE chooses the folder, off turns the cache off, and the default is under node_modules/.cache', () => {
  expect(validationReportCache('/repo', 'off')).toBeUndefined();
  expect(validationReportCache('/repo', 'some/where')).toBe(path.resolve('some/where'));
  expect(validationReportCache('/repo', undefined)).toBe(path.join('/repo', 'node_modules', '.cache', 'tib-cfn-validate'));
  expect(validationReportCache('/repo', '')).toBe(path.join('/repo', 'node_modules', '.cache', 'tib-cfn-validate'));
});
