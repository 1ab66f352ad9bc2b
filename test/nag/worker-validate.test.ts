/**
 * The CloudFormation validator in a worker thread (lib/nag/worker-cloudformation-validate.ts)
 * returns exactly the report of aws-cdk-lib's built-in CloudFormationValidatePlugin, on the
 * blueprint's own templates with one invalid value planted in one tenant stack out of 30.
 */
import { CfnResource, CloudFormationValidatePlugin } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBlueprint } from '../../lib/blueprint/app';
import { generatedRegistry } from '../../lib/core/generated-registry';
import { WorkerCloudFormationValidatePlugin } from '../../lib/nag/worker-cloudformation-validate';
import { newTestApp } from '../helpers/app';
import { validationContextOf } from '../helpers/validation-context';

jest.setTimeout(300_000);

test('worker report equals the built-in validator report, and finds the one planted invalid value', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-validate-'));
  try {
    const app = newTestApp({ outdir, builtinCloudFormationValidation: false });
    const blueprint = buildBlueprint(app, { registry: generatedRegistry(30) });
    // Planted: SQS MessageRetentionPeriod must be 60..1209600 (AWS::SQS::Queue schema).
    const victim = blueprint.tenants[17];
    const queue = victim.node.findAll().find((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::SQS::Queue')!;
    queue.addPropertyOverride('MessageRetentionPeriod', 5);
    const assembly = app.synth();
    const context = validationContextOf(assembly);

    const builtIn = new CloudFormationValidatePlugin().validate(context);
    const worker = new WorkerCloudFormationValidatePlugin();
    const inWorker = worker.validate(context);

    expect(JSON.stringify(inWorker)).toBe(JSON.stringify(builtIn));
    expect(worker.version).toBe(new CloudFormationValidatePlugin().version);
    const planted = inWorker.violations.filter((v) => v.violatingResources.some((r) => r.templatePath?.endsWith(`${victim.artifactId}.template.json`)));
    expect(planted.map((v) => v.description).join('\n')).toMatch(/MessageRetentionPeriod/);
    expect(inWorker.success).toBe(false);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('templates validated as they are written give the built-in report; a template rewritten after that is validated again', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-validate-early-'));
  try {
    const app = newTestApp({ outdir, builtinCloudFormationValidation: false });
    const blueprint = buildBlueprint(app, { registry: generatedRegistry(30) });
    const victim = blueprint.tenants[17];
    const queue = victim.node.findAll().find((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::SQS::Queue')!;
    queue.addPropertyOverride('MessageRetentionPeriod', 5);
    const worker = new WorkerCloudFormationValidatePlugin();
    worker.validateTemplatesAsWritten(app);
    const assembly = app.synth();
    worker.waitForEarlyValidations();
    // Rewritten after its early validation: an invalid value planted in the file of tenant 5.
    const rewritten = blueprint.tenants[5];
    const file = path.join(outdir, rewritten.templateFile);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const queueId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::SQS::Queue')!;
    template.Resources[queueId].Properties.DelaySeconds = 9999; // 0..900 (AWS::SQS::Queue schema)
    fs.writeFileSync(file, JSON.stringify(template, undefined, 1));
    const context = validationContextOf(assembly);

    const builtIn = new CloudFormationValidatePlugin().validate(context);
    const inWorker = worker.validate(context);

    expect(JSON.stringify(inWorker)).toBe(JSON.stringify(builtIn));
    // Every template but the rewritten one came from its early validation.
    expect(worker.earlyReportsUsed).toBe(context.stackTemplates.length - 1);
    const named = (stack: { artifactId: string }) =>
      inWorker.violations.filter((v) => v.violatingResources.some((r) => r.templatePath?.endsWith(`${stack.artifactId}.template.json`))).map((v) => v.description);
    expect(named(victim).join('\n')).toMatch(/MessageRetentionPeriod/);
    expect(named(rewritten).join('\n')).toMatch(/DelaySeconds/);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
