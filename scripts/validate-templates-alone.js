/**
 * aws-cdk-lib's CloudFormation validator alone, on the templates of a synthesized assembly that
 * it validates at synth: the built-in `CloudFormationValidatePlugin.validate` on the template of
 * every stack artifact the manifest lists, one after the other, with no CDK app around it.
 * Nested stacks' templates are not stack artifacts, and aws-cdk-lib's validation does not hand
 * them to the plugin (lib/nag/worker-cloudformation-validate.ts), so they are not validated here
 * either. bench:synth runs it on the blueprint's assembly to show what the validator by itself
 * costs (its engine load and its templates), the part of the blueprint's synth that the
 * plain-CDK floor does not do.
 *
 *   node scripts/validate-templates-alone.js <cdk.out>
 * Prints the number of templates validated, the nested templates left out, and the violations.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { CloudFormationValidatePlugin } = require('aws-cdk-lib');

const dir = process.argv[2];
if (!dir || !fs.existsSync(path.join(dir, 'manifest.json'))) {
  console.error(`usage: node scripts/validate-templates-alone.js <cdk.out> (${dir ?? 'missing'} is not a cloud assembly)`);
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const stacks = Object.entries(manifest.artifacts ?? {})
  .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
  .map(([id, artifact]) => ({ stackConstructPath: artifact.displayName ?? id, templatePath: path.join(dir, artifact.properties.templateFile) }));
const nested = fs.readdirSync(dir).filter((f) => f.endsWith('.nested.template.json')).length;
const plugin = new CloudFormationValidatePlugin();
const report = plugin.validate({ templatePaths: stacks.map((s) => s.templatePath), stackTemplates: stacks });
console.log(`${stacks.length} stack templates validated (${nested} nested stack templates not validated), ${report.violations.length} violations`);
