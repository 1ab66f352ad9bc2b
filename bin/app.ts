#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` builds the PlatformStack and one TenantStack per tenant of
 * `tenants.json` (override with `-c registry=<path>`). Env-agnostic: no AWS account needed.
 * cdk-nag AwsSolutions and TenantIsolationChecks run at synth and fail it on any
 * unacknowledged finding (`-c tenantIsolationChecks=false` turns the project's pack off).
 */
import * as path from 'path';
import { startValidatorWorker, validationReportCache } from '../lib/nag/validator-worker';

// Started before anything else loads: the CloudFormation validator's engine loads in its worker
// thread while this thread loads aws-cdk-lib and builds the constructs (lib/nag/validator-worker.ts).
// CDK_VALIDATION=false turns the validator off, as it does for aws-cdk-lib's built-in one. The
// reports of templates validated by an earlier synth are kept and reused for exactly the same
// template (TIB_VALIDATION_CACHE=<folder>|off; lib/nag/validator-worker.ts).
const repoRoot = path.join(__dirname, '..');
const validatorWorker = process.env.CDK_VALIDATION === 'false' ? undefined : startValidatorWorker({ reportCache: validationReportCache(repoRoot) });
// Loaded only now, for the reason above (an import would load it before the worker starts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { synthBlueprintApp } = require('../lib/blueprint/synth-app') as typeof import('../lib/blueprint/synth-app');
synthBlueprintApp(repoRoot, validatorWorker);
