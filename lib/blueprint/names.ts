/**
 * Stable names: stack names, fixed role names and deterministic bucket names. Changing one of
 * these renames a deployed resource, so they live in one place and are documented in the README.
 */
import { Aws } from 'aws-cdk-lib';
import { pooledItemsTableName } from '../core/dynamodb-keys';
import { hashedTenantLabel } from '../core/namespace';
import { TenantId } from '../core/tenant-id';

/** Default qualifier; override with `-c qualifier=<q>` to deploy two blueprints in one account. */
export const DEFAULT_QUALIFIER = 'tib';

export function validateQualifier(qualifier: string): string {
  if (!/^[a-z][a-z0-9]{1,9}$/.test(qualifier)) {
    throw new Error(`invalid qualifier ${JSON.stringify(qualifier)}: 2-10 lowercase letters and digits, starting with a letter`);
  }
  return qualifier;
}

export const names = {
  platformStack: (q: string) => `${q}-platform`,
  tenantStack: (q: string, tenant: TenantId) => `${q}-tenant-${tenant.value}`,
  tenantAccessRole: (q: string) => `${q}-TenantAccessRole`,
  /** Deterministic: account and region make it unique; no tenant names in DNS. */
  poolBucket: (q: string) => `${q}-tenant-data-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
  /**
   * A silo tenant's bucket: `<q>-silo-<hash>-<account>-<region>`, the tenant as a hashed label
   * (bucket names are public DNS names: no customer list). Before, CloudFormation generated the
   * name from the stack name `<q>-tenant-<id>`, which carried the tenant id; see docs/storage.md
   * for the migration (a new name replaces the bucket; the old one is retained).
   */
  siloBucket: (q: string, tenant: TenantId) => `${q}-silo-${hashedTenantLabel(tenant)}-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
  accessLogsBucket: (q: string) => `${q}-access-logs-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
  supportAccessRole: (q: string) => `${q}-SupportAccessRole`,
  breakGlassRole: (q: string) => `${q}-BreakGlassRole`,
  auditTrail: (q: string) => `${q}-audit-trail`,
  auditLogsBucket: (q: string) => `${q}-audit-logs-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
  /** The pooled DynamoDB items table (lib/core/dynamodb-keys.ts); silo tables: `<q>-tenant-<id>-items`. */
  pooledItemsTable: (q: string) => pooledItemsTableName(q),
};

/** Global secondary indexes of the demo's items tables (pooled and silo alike). */
export const ITEMS_TABLE_INDEXES = [{ indexName: 'byType', partitionKeyName: 'gsi1pk', sortKeyName: 'gsi1sk' }] as const;
