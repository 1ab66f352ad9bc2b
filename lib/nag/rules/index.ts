/**
 * Every TenantIsolationChecks rule, in the order the pack applies them and the README lists them.
 */
import { TenantIsolationRule } from '../rule';
import { CacheDefaultUser, CacheUserAccess } from '../../boundaries/cache/nag';
import { FailOpenTenantCondition, TagSessionTrust, TenantDataGrantScope, TenantPatternDelimiter } from '../../boundaries/identity/nag';
import { StatefulRetention } from './retention';
import { AllIndexPaths, MultiRequestExplicitIndex } from '../../boundaries/search/nag';
import { TenantQueueProtection, TenantQueueTag } from '../../boundaries/jobs/nag';
import { TenantBucketProtection } from '../../boundaries/storage/nag';
import { PooledTableAccess } from '../../boundaries/dynamodb/nag';
import { SupportRoleGuards } from '../../boundaries/support/nag';
import { CacheKeyTenant, SignedUrlScope } from '../../boundaries/cdn/nag';
import { SesSendScope } from '../../boundaries/email/nag';

export * from '../../boundaries/cache/nag';
export * from '../../boundaries/identity/nag';
export * from './retention';
export * from '../../boundaries/search/nag';
export * from '../../boundaries/jobs/nag';
export * from '../../boundaries/storage/nag';
export * from '../../boundaries/dynamodb/nag';
export * from '../../boundaries/support/nag';
export * from '../../boundaries/cdn/nag';
export * from '../../boundaries/email/nag';

export const TENANT_ISOLATION_RULES: readonly TenantIsolationRule[] = [
  TenantDataGrantScope,
  TenantPatternDelimiter,
  FailOpenTenantCondition,
  TagSessionTrust,
  CacheUserAccess,
  CacheDefaultUser,
  MultiRequestExplicitIndex,
  AllIndexPaths,
  TenantBucketProtection,
  TenantQueueProtection,
  TenantQueueTag,
  PooledTableAccess,
  StatefulRetention,
  SupportRoleGuards,
  CacheKeyTenant,
  SignedUrlScope,
  SesSendScope,
];
