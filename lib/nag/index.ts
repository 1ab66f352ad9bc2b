/**
 * The project's cdk-nag pack, for this app and for any other CDK app (the package's root entry
 * re-exports it):
 *
 *   import { Validations } from 'aws-cdk-lib';
 *   import { TenantIsolationChecks } from 'tenant-isolation-blueprint';
 *   Validations.of(app).addPlugins(new TenantIsolationChecks(app));
 *
 * or both packs, AwsSolutions and TenantIsolationChecks, as this repository's app does:
 * `applyNagPacks(app)`.
 */
export * from './tenant-isolation-checks';
export * from './apply-nag-packs';
export * from './acknowledge';
export * from './rule';
export * from './rules';
export * from './rules-table';
