/**
 * A reference app of the synth benchmark (scripts/bench-synth.ts), never a way to build a
 * deployable assembly: the blueprint's app exactly as bin/app.ts builds it (the same registry,
 * the same App options, the same constructs and templates), but with none of its checks: no
 * nag packs and no CloudFormation validator (aws-cdk-lib's built-in one is off, as in the floor).
 * What it costs is what aws-cdk-lib's synthesis of the blueprint's own content costs, the part
 * of the synth no check can make cheaper; bench:synth prints it beside the plain-CDK floor.
 *
 *   npx cdk synth --app "node -r ./scripts/register-esbuild.js scripts/synth-blueprint-unchecked.ts" -c registry=<path>
 */
import { App } from 'aws-cdk-lib';
import * as path from 'path';
import { buildBlueprintFromContext } from '../lib/blueprint/app';
import { blueprintAppProps } from '../lib/blueprint/app-props';

const app = new App({ ...blueprintAppProps(), builtinCloudFormationValidation: false });
buildBlueprintFromContext(app, path.join(__dirname, '..'));
app.synth();
