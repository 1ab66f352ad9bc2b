/**
 * What bin/app.ts runs once the CloudFormation validator's worker has started: the blueprint app
 * on the registry (`-c registry=<path>`, else tenants.json), both nag packs, the validator in
 * that worker, and `app.synth()`. A registry error exits 2 with its message.
 */
import { App } from 'aws-cdk-lib';
import { buildBlueprintFromContext } from './app';
import { blueprintAppProps } from './app-props';
import { applyNagPacks } from '../nag';
import { WorkerCloudFormationValidatePlugin } from '../nag/worker-cloudformation-validate';
import { ValidatorWorker } from '../nag/validator-worker';
import { RegistryError } from '../core/registry';

/** `validatorWorker`: the started worker, or undefined for no CloudFormation validation (CDK_VALIDATION=false). */
export function synthBlueprintApp(repoRoot: string, validatorWorker: ValidatorWorker | undefined): void {
  const cloudFormationValidation = validatorWorker ? new WorkerCloudFormationValidatePlugin(validatorWorker) : undefined;
  // No creation stack traces (`--debug` restores them) and no tree.json (`-c treeMetadata=true`):
  // lib/blueprint/app-props.ts.
  const app = new App(blueprintAppProps());
  try {
    buildBlueprintFromContext(app, repoRoot);
  } catch (e) {
    if (e instanceof RegistryError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  applyNagPacks(app, { cloudFormationValidation });
  app.synth();
}
