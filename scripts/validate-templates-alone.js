/**
 * aws-cdk-lib's CloudFormation validator alone, on the templates of a synthesized assembly: the
 * built-in `CloudFormationValidatePlugin.validate` on every stack template the manifest lists,
 * one after the other, with no CDK app around it. bench:synth runs it on the blueprint's
 * assembly to show what the validator by itself costs (its engine load and its templates), the
 * part of the blueprint's synth that the plain-CDK floor does not do.
 *
 *   node scripts/validate-templates-alone.js <cdk.out>
 * Prints the number of templates and violations found.
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
const templates = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.template.json'))
  .sort()
  .map((f) => path.join(dir, f));
const plugin = new CloudFormationValidatePlugin();
const report = plugin.validate({
  templatePaths: templates,
  stackTemplates: templates.map((templatePath) => ({ stackConstructPath: path.basename(templatePath), templatePath })),
});
console.log(`${templates.length} templates validated, ${report.violations.length} violations`);
