/**
 * The project's cdk-nag pack, for this app and for any other CDK app:
 *
 *   import { TenantIsolationChecks } from 'tenant-isolation-blueprint/lib/nag';
 *   Validations.of(app).addPlugins(new TenantIsolationChecks(app));
 */
export * from './tenant-isolation-checks';
export * from './apply-nag-packs';
export * from './acknowledge';
export * from './rule';
export * from './rules';
export * from './rules-table';
