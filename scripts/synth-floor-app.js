/**
 * The plain-CDK floor of the synth benchmark (scripts/bench-synth.ts): a plain aws-cdk-lib app
 * with the same number of templates as a blueprint assembly and the same number of resources in
 * each template (not counting CDKMetadata, which the CLI adds to both), every resource an SQS
 * queue (the L2 `sqs.Queue`, one resource each). No nag packs and no validation plugins (aws-cdk-lib's
 * built-in CloudFormation validator is off: `builtinCloudFormationValidation: false`), so it is
 * what synthesizing that many templates and resources costs with CDK alone.
 *
 *   npx cdk synth --app "node scripts/synth-floor-app.js" -c floorSpec=<file.json>
 *   floorSpec: { "templates": [ { "id": "Platform", "resources": 310 }, ... ] }
 * Plain JavaScript, so no TypeScript loader is part of the floor.
 */
'use strict';
const fs = require('fs');
const { App, Stack } = require('aws-cdk-lib');
const sqs = require('aws-cdk-lib/aws-sqs');

// `-c floorValidation=true`: the same app with aws-cdk-lib's built-in CloudFormation validator on,
// as a plain `new App()` has it (shown beside the floor, for reference only).
// (Read from the CLI's context before the App exists: the validator is an App prop.)
const cliContext = JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}');
const withValidator = String(cliContext.floorValidation) === 'true';
// `-c floorAppOptions=blueprint`: the same app with the two App options the blueprint's app sets
// (lib/blueprint/app-props.ts: no creation stack traces, no tree.json), for reference.
const blueprintOptions = cliContext.floorAppOptions === 'blueprint' ? { treeMetadata: false, context: { 'aws:cdk:disable-creation-stack-traces': true } } : {};
const app = new App({ builtinCloudFormationValidation: withValidator, ...blueprintOptions });
const specFile = app.node.tryGetContext('floorSpec');
if (!specFile) throw new Error('floor app: -c floorSpec=<file.json> is required');
const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
for (const { id, resources } of spec.templates) {
  const stack = new Stack(app, id);
  for (let i = 0; i < resources; i++) new sqs.Queue(stack, `Queue${i}`);
}
app.synth();
