/**
 * tenant-isolation-blueprint: the library entry (`import { ... } from 'tenant-isolation-blueprint'`).
 *
 * - The constructs of every isolation boundary (identity, storage, database, cache, jobs, search,
 *   analytics, support, dynamodb, email), each with its tenant-scoped grants.
 * - The cdk-nag pack `TenantIsolationChecks` (and `applyNagPacks`, `acknowledge`, the rules).
 * - The CDK-free tenant model the constructs take: `TenantId`, the namespace contract, tiers, the
 *   registry format and cache placement.
 *
 * Application code imports `tenant-isolation-blueprint/runtime` instead (no aws-cdk-lib needed);
 * the audit engine is `tenant-isolation-blueprint/audit`.
 */

// Tenant model (lib/core).
export * from './core/tenant-id';
export * from './core/namespace';
export * from './core/tier';
export * from './core/registry';
export * from './core/placement';

// identity: TenantAccessRole, the one ABAC principal every boundary grants to.
export * from './boundaries/identity/tenant-access-role';
export * from './boundaries/identity/person-trust';
export * from './boundaries/identity/retired-tenants';
// props validation shared by the constructs (TenantIdInput, PropProblems)
export * from './boundaries/validation';
// the tenant-session fence on platform resources (defence in depth)
export * from './boundaries/identity/tenant-session-fence';
// object storage
export * from './boundaries/storage/tenant-prefixed-bucket';
export * from './boundaries/storage/pool-storage';
export * from './boundaries/storage/silo-storage';
// database
export * from './boundaries/database/database';
export * from './boundaries/database/rls-bootstrap-resource';
// cache
export * from './boundaries/cache/cache';
export * from './boundaries/cache/cache-cell';
// queues / jobs
export * from './boundaries/jobs/tenant-queues';
export * from './boundaries/jobs/jobs-access';
// search
export * from './boundaries/search/search';
// analytics
export * from './boundaries/analytics/analytics';
export * from './boundaries/analytics/analytics-workgroup';
export * from './boundaries/analytics/analytics-tenant-access';
// DynamoDB
export * from './boundaries/dynamodb';
// email (Amazon SES)
export * from './boundaries/email';
// support tooling
export * from './boundaries/support/support-tooling';
export * from './boundaries/support/support-access';
export * from './boundaries/support/break-glass';
export * from './boundaries/support/audit-trail';
export * from './boundaries/support/support-alert';
// CDN (CloudFront)
export * from './core/cdn';
export * from './boundaries/cdn/tenant-content-distribution';
export * from './boundaries/cdn/tenant-path-guard-source';

// The cdk-nag pack.
export * from './nag';
