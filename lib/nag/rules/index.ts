/**
 * Every TenantIsolationChecks rule, in the order the pack applies them and the README lists them.
 */
import { TenantIsolationRule } from '../rule';
import { CacheDefaultUser, CacheUserAccess } from './cache';
import { FailOpenTenantCondition, TagSessionTrust, TenantDataGrantScope, TenantPatternDelimiter } from './iam';
import { StatefulRetention } from './retention';
import { AllIndexPaths, MultiRequestExplicitIndex } from './search';
import { TenantBucketProtection, TenantQueueProtection, TenantQueueTag } from './storage';
import { SupportRoleGuards } from './support';

export * from './cache';
export * from './iam';
export * from './retention';
export * from './search';
export * from './storage';
export * from './support';

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
  StatefulRetention,
  SupportRoleGuards,
];
