/**
 * Names, prefixes and action lists of the analytics boundary, shared by the platform construct
 * (analytics.ts), the per-tenant workgroup (lib/boundaries/analytics/analytics-workgroup.ts), the tests and the docs.
 */
import { Aws } from 'aws-cdk-lib';
import { objectPrefix, TenantRef, tenantResourceName } from '../../core/namespace';
import { PARTITION_KEY } from './analytics-transform/transform';

/** Deterministic analytics bucket name (no tenant names: bucket names are public in DNS). */
export function analyticsBucketName(qualifier: string): string {
  return `${qualifier}-analytics-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}
export const analyticsNames = {
  stream: (q: string) => `${q}-tenant-analytics`,
  database: (q: string) => `${q}_analytics`,
  table: 'events',
  secret: (q: string) => `${q}/analytics/integrity-key`,
  keyAlias: (q: string) => `alias/${q}/analytics`,
  /** SSM parameter holding the analytics key ARN, read by tenant stacks at deploy time (no export). */
  keyArnParameter: (q: string) => `/${q}/analytics/key-arn`,
};

/** `tenants/<id>/analytics/`: the tenant's partition, written by the pipeline only. */
export function analyticsPartitionPrefix(tenant: TenantRef): string {
  return `${objectPrefix(tenant)}analytics/`;
}
/** `tenants/<id>/athena-results/`: where the tenant's workgroup writes query results. */
export function queryResultsPrefix(tenant: TenantRef): string {
  return `${objectPrefix(tenant)}athena-results/`;
}
/** `tenant-<id>-analytics`: the tenant's Athena workgroup. */
export function analyticsWorkgroupName(tenant: TenantRef): string {
  return tenantResourceName(tenant, 'analytics');
}
/** Where records that fail validation or partitioning go; no tenant session can read it. */
export const ERROR_PREFIX = 'analytics-errors/';

/** Firehose S3 prefix: the partition key comes only from the transformation Lambda. */
export const DATA_PREFIX_EXPRESSION = `tenants/!{partitionKeyFromLambda:${PARTITION_KEY}}/analytics/dt=!{timestamp:yyyy-MM-dd}/`;
/** `!{firehose:error-output-type}` separates processing-failed, partitioning failures, etc. */
export const ERROR_PREFIX_EXPRESSION = `${ERROR_PREFIX}!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`;

/** Athena actions a tenant session may use in its own workgroup. */
export const TENANT_ATHENA_ACTIONS = [
  'athena:StartQueryExecution',
  'athena:StopQueryExecution',
  'athena:GetQueryExecution',
  'athena:GetQueryResults',
  'athena:GetQueryResultsStream',
  'athena:BatchGetQueryExecution',
  'athena:ListQueryExecutions',
  'athena:GetWorkGroup',
] as const;
/** Catalog reads (table schemas only, no data) that Athena drivers and BI tools make. */
export const TENANT_CATALOG_ATHENA_ACTIONS = [
  'athena:GetDataCatalog',
  'athena:ListDatabases',
  'athena:GetDatabase',
  'athena:ListTableMetadata',
  'athena:GetTableMetadata',
] as const;
export const TENANT_GLUE_ACTIONS = ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'] as const;
