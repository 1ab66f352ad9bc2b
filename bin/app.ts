#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` builds the PlatformStack and one TenantStack per tenant of
 * `tenants.json` (override with `-c registry=<path>`). Env-agnostic: no AWS account needed.
 * cdk-nag AwsSolutions and TenantIsolationChecks run at synth and fail it on any
 * unacknowledged finding (`-c tenantIsolationChecks=false` turns the project's pack off).
 */
import { App } from 'aws-cdk-lib';
import * as path from 'path';
import { buildBlueprintFromContext } from '../lib/blueprint/app';
import { blueprintAppProps } from '../lib/blueprint/app-props';
import { applyNagPacks } from '../lib/nag';
import { WorkerCloudFormationValidatePlugin } from '../lib/nag/worker-cloudformation-validate';
import { RegistryError } from '../lib/core/registry';

// Started first: the CloudFormation validator's engine loads in a worker thread while the
// constructs are built (lib/nag/worker-cloudformation-validate.ts). CDK_VALIDATION=false turns
// the validator off, as it does for aws-cdk-lib's built-in one.
const cloudFormationValidation = process.env.CDK_VALIDATION === 'false' ? undefined : new WorkerCloudFormationValidatePlugin();
// No creation stack traces (`--debug` restores them) and no tree.json (`-c treeMetadata=true`):
// lib/blueprint/app-props.ts.
const app = new App(blueprintAppProps());
try {
  buildBlueprintFromContext(app, path.join(__dirname, '..'));
} catch (e) {
  if (e instanceof RegistryError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
applyNagPacks(app, { cloudFormationValidation });
app.synth();
