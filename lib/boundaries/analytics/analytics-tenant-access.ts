/**
 * What TenantAccessRole may do with analytics, and the resource-policy Denies that hold it there:
 * read its own partition (`tenants/${aws:PrincipalTag/TenantId}/analytics/`), run queries in its
 * own workgroup (`tenant-${aws:PrincipalTag/TenantId}-analytics`) with results under its own
 * prefix, read the shared table schema. Never: another prefix, the error prefix, writing its own
 * partition, another workgroup, changing a workgroup, the stream or the integrity key.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { objectPrefix, PRINCIPAL_TENANT, type TenantRef } from '../../core/namespace';
import { analyticsNames, TENANT_ATHENA_ACTIONS, TENANT_CATALOG_ATHENA_ACTIONS, TENANT_GLUE_ACTIONS } from './analytics-names';
import { TENANT_KMS_ACTIONS } from '../../core/storage-actions';

/**
 * What the grant needs of TenantAnalytics (analytics.ts), declared here rather than imported so
 * that the construct and this helper do not import each other (no-circular, .dependency-cruiser.cjs).
 */
export interface TenantAnalyticsResources extends Construct {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly database: glue.CfnDatabase;
  readonly bucketArn: string;
  readonly streamArn: string;
  readonly qualifier: string;
  /** The bucket ARN as cdk-nag prints it in finding ids. */
  readonly nagBucketArn: string;
  /** ARN pattern of the objects under the calling session's own tenant prefix. */
  readonly tenantObjectsArn: string;
  workgroupArn(tenant: TenantRef): string;
}

/**
 * TenantAccessRole: read its own partition, run queries in its own workgroup with results under
 * its own prefix. Adds the matching bucket-policy and key-policy Denies.
 */
export function grantTenantAnalyticsRead(analytics: TenantAnalyticsResources, role: iam.IRole): iam.ManagedPolicy {
  const own = (sub: string) => `${analytics.bucketArn}/${objectPrefix(PRINCIPAL_TENANT)}${sub}`;
  const ownWorkgroup = analytics.workgroupArn(PRINCIPAL_TENANT);
  const catalog = `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:datacatalog/AwsDataCatalog`;
  const glueArn = (r: string) => `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:${r}`;
  const db = analytics.database.ref; // the database name
  const policy = new iam.ManagedPolicy(analytics, 'TenantAnalyticsAccess', {
    description: 'Analytics: each session reads only tenants/${aws:PrincipalTag/TenantId}/analytics/ and queries only its own workgroup',
    statements: [
      new iam.PolicyStatement({ sid: 'ReadOwnPartition', actions: ['s3:GetObject'], resources: [own('analytics/*')] }),
      new iam.PolicyStatement({
        sid: 'OwnQueryResults',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:DeleteObject'],
        resources: [own('athena-results/*')],
      }),
      new iam.PolicyStatement({
        sid: 'ListOwnPrefix',
        actions: ['s3:ListBucket'],
        resources: [analytics.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${objectPrefix(PRINCIPAL_TENANT)}*` } },
      }),
      new iam.PolicyStatement({ sid: 'BucketLocation', actions: ['s3:GetBucketLocation'], resources: [analytics.bucketArn] }),
      new iam.PolicyStatement({ sid: 'OwnWorkgroup', actions: [...TENANT_ATHENA_ACTIONS], resources: [ownWorkgroup] }),
      new iam.PolicyStatement({ sid: 'CatalogSchema', actions: [...TENANT_CATALOG_ATHENA_ACTIONS], resources: [catalog] }),
      new iam.PolicyStatement({
        sid: 'GlueSchema',
        actions: [...TENANT_GLUE_ACTIONS],
        resources: [glueArn('catalog'), glueArn(`database/${db}`), glueArn(`table/${db}/${analyticsNames.table}`)],
      }),
      // Explicit Denies: hold even if a broader Allow is attached to the role later.
      new iam.PolicyStatement({
        sid: 'DenyOtherWorkgroups',
        effect: iam.Effect.DENY,
        actions: ['athena:*'],
        notResources: [ownWorkgroup, catalog],
      }),
      new iam.PolicyStatement({
        sid: 'DenyWorkgroupChanges',
        // A session must not redirect its workgroup's enforced result location or lift enforcement.
        effect: iam.Effect.DENY,
        actions: ['athena:CreateWorkGroup', 'athena:UpdateWorkGroup', 'athena:DeleteWorkGroup', 'athena:TagResource', 'athena:UntagResource'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyProducingAndIntegrityKey',
        // Tenant sessions never produce records nor read the key that stamps them.
        effect: iam.Effect.DENY,
        actions: ['firehose:*', 'secretsmanager:*'],
        // Computed ARNs, not references: the key policy names this role, so a reference from the
        // role's policy to the key-encrypted secret or stream would be a dependency cycle.
        // Secret ARNs end in `-` and six random characters (Secrets Manager guide, reference_iam-permissions).
        resources: [analytics.streamArn, `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${analyticsNames.secret(analytics.qualifier)}-??????`],
      }),
    ],
  });
  role.addManagedPolicy(policy);
  for (const sub of ['analytics/*', 'athena-results/*']) {
    Validations.of(policy.node.defaultChild!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${analytics.nagBucketArn}/tenants/<aws:PrincipalTag/TenantId>/${sub}]`,
      reason: 'ABAC: objects under the calling session\'s own tenant prefix (${aws:PrincipalTag/TenantId}); object keys are generated by Firehose and Athena. The bucket policy denies every other prefix.',
    });
  }

  const principal = new iam.ArnPrincipal(role.roleArn);
  const listActions = ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'];
  analytics.bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyTenantRoleOutsideOwnPrefix',
      effect: iam.Effect.DENY,
      principals: [principal],
      actions: ['s3:*'],
      notResources: [analytics.bucketArn, analytics.tenantObjectsArn],
    }),
  );
  analytics.bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyTenantRoleChangingOwnPartition',
      // The partition is the pipeline's record of what happened: read-only for the tenant.
      effect: iam.Effect.DENY,
      principals: [principal],
      notActions: ['s3:GetObject'],
      resources: [own('analytics/*')],
    }),
  );
  analytics.bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyTenantRoleListingOutsideOwnPrefix',
      effect: iam.Effect.DENY,
      principals: [principal],
      actions: listActions,
      resources: [analytics.bucketArn],
      // A missing s3:prefix (a listing of the bucket root) matches StringNotLike: denied.
      conditions: { StringNotLike: { 's3:prefix': `${objectPrefix(PRINCIPAL_TENANT)}*` } },
    }),
  );
  analytics.bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyTenantRoleBucketConfiguration',
      effect: iam.Effect.DENY,
      principals: [principal],
      notActions: [...listActions, 's3:GetBucketLocation'],
      resources: [analytics.bucketArn],
    }),
  );

  const contextKey = 'kms:EncryptionContext:aws:s3:arn';
  analytics.key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowTenantRoleOwnPrefixViaS3',
      principals: [principal],
      actions: [...TENANT_KMS_ACTIONS],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
        StringLike: { [contextKey]: analytics.tenantObjectsArn },
      },
    }),
  );
  analytics.key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyTenantRoleOtherContexts',
      effect: iam.Effect.DENY,
      principals: [principal],
      actions: ['kms:*'],
      resources: ['*'],
      // Absent context (the stream, the secret) or absent tag both match StringNotLike: denied.
      conditions: { StringNotLike: { [contextKey]: analytics.tenantObjectsArn } },
    }),
  );
  return policy;
}
