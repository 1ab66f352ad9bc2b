/**
 * Turns both packs on for an app: AwsSolutions and TenantIsolationChecks, as CDK validation
 * plugins, so `cdk synth` fails on any unacknowledged finding (cdk-nag 3 registers packs with
 * `Validations.of(app).addPlugins`; aws-cdk-lib fails synth when a plugin reports an error).
 *
 * `-c tenantIsolationChecks=false` turns the project's pack off (docs/nag.md); AwsSolutions
 * stays on.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { TenantIsolationChecks } from './tenant-isolation-checks';
import { withFindAllMemo } from './inspect/tree-memo';
import { WorkerCloudFormationValidatePlugin } from './worker-cloudformation-validate';

export const TENANT_ISOLATION_CHECKS_CONTEXT = 'tenantIsolationChecks';

/** Whether the context leaves TenantIsolationChecks on (anything but `false`/"false"). */
export function tenantIsolationChecksEnabled(app: App): boolean {
  const value = app.node.tryGetContext(TENANT_ISOLATION_CHECKS_CONTEXT);
  return !(value === false || String(value).toLowerCase() === 'false');
}

/** The packs for this app, in the order they run. */
export function nagPacksFor(app: App): NagPack[] {
  // verbose: the synth report then carries each rule's explanation, and for a rule that could
  // not evaluate a value, the value and where it was.
  const packs: NagPack[] = [new AwsSolutionsChecks(app, { verbose: true })];
  if (tenantIsolationChecksEnabled(app)) packs.push(new TenantIsolationChecks(app, { verbose: true }));
  return packs;
}

export interface ApplyNagPacksOptions {
  /**
   * Run aws-cdk-lib's CloudFormation validator in this worker thread (started early by
   * bin/app.ts), in parallel with the nag packs, instead of after them on the main thread;
   * each stack's template is validated there as soon as it is written. Call applyNagPacks after
   * the stacks are built.
   * @default aws-cdk-lib's built-in CloudFormationValidatePlugin
   */
  readonly cloudFormationValidation?: WorkerCloudFormationValidatePlugin;
}

export function applyNagPacks(app: App, options: ApplyNagPacksOptions = {}): NagPack[] {
  const packs = nagPacksFor(app);
  Validations.of(app).addPlugins(...packs);
  const cfn = options.cloudFormationValidation;
  if (cfn) {
    // It becomes the built-in validator (runs after the packs, as the built-in one does); the
    // first pack to run hands it the templates before walking the tree.
    cfn.replaceBuiltIn();
    // Each stack's template goes to the worker as soon as it is written (stacks built so far).
    cfn.validateTemplatesAsWritten(app);
  }
  for (const pack of packs) {
    const walk = pack.validate.bind(pack);
    pack.validate = (context) => {
      cfn?.start(context.stackTemplates);
      // Rules that search the stack for related resources share one walk per stack
      // (lib/nag/inspect/tree-memo.ts: the same lists, memoized while the tree does not change).
      return withFindAllMemo(() => walk(context));
    };
  }
  return packs;
}
