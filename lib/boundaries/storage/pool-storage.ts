/**
 * The object storage boundary for pool tenants: one bucket, one prefix per tenant.
 *
 * Tenant `<id>` owns `tenants/<id>/` (namespace.ts). TenantAccessRole may read, write, delete and
 * list only there; the bucket policy and the key policy repeat the confinement as explicit Denies,
 * so a broader grant added to the role later cannot open another tenant's prefix.
 *
 * Encryption: SSE-KMS with a customer key and S3 Bucket Keys OFF. With Bucket Keys, S3 sends
 * the bucket ARN as encryption context instead of the object ARN (S3 User Guide, bucket-key),
 * which would make the key policy unable to tell tenants apart. Without them, every object
 * operation calls KMS with `aws:s3:arn` = the object ARN, and the key policy binds decrypt and
 * encrypt to the caller's own prefix. The cost is one KMS request per object operation.
 */
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { objectPrefix, PRINCIPAL_TENANT } from '../../core/namespace';
import { acknowledgeFinding, iam5ResourceFinding } from '../../nag/acknowledge';
import {
  SUPPORT_KMS_ACTIONS,
  SUPPORT_LIST_ACTIONS,
  SUPPORT_OBJECT_READ_ACTIONS,
  TENANT_KMS_ACTIONS,
  TENANT_LIST_ACTIONS,
  TENANT_OBJECT_ACTIONS,
} from '../../core/storage-actions';

export interface PoolStorageProps {
  /**
   * Deterministic bucket name. The key policy must name the bucket's objects, and a key policy
   * cannot reference a bucket that references the key (a cycle), so the name is computed.
   * It carries no tenant names (bucket names are public in DNS).
   */
  readonly bucketName: string;
  /** Bucket that receives server access logs. */
  readonly accessLogsBucket: s3.IBucket;
}

export class PoolStorage extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  private readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: PoolStorageProps) {
    super(scope, id);
    this.bucketArn = `arn:${Aws.PARTITION}:s3:::${props.bucketName}`;

    this.key = new kms.Key(this, 'Key', {
      description: 'Pool tenant object storage (S3 SSE-KMS, object ARN bound to the tenant prefix)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: false,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'pool-tenant-data/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });

    // Objects must be written with this key: an explicit SSE-S3 or other-key upload would
    // escape the key policy's tenant binding.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyUploadsNotUnderTheBucketKey',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        // Only when the header is present (absent: default encryption applies this key).
        // Not `...IfExists`: that is true when the key is absent and would deny every plain PUT.
        conditions: {
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
          StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.key.keyArn },
        },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyUploadsNotSseKms',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: {
          Null: { 's3:x-amz-server-side-encryption': 'false' },
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        },
      }),
    );
  }

  /** `arn:...:s3:::<bucket>/tenants/${aws:PrincipalTag/TenantId}/*` */
  public get tenantObjectsArn(): string {
    return `${this.bucketArn}/${objectPrefix(PRINCIPAL_TENANT)}*`;
  }

  /**
   * Grants a tenant-tagged role (TenantAccessRole) access to its own prefix only, and adds the
   * matching Denies to the bucket policy and the key policy. Returns the identity policy.
   */
  public grantTenantAccess(role: iam.IRole): iam.ManagedPolicy {
    const policy = new iam.ManagedPolicy(this, 'TenantStorageAccess', {
      description: 'Pool object storage: each session reaches only tenants/${aws:PrincipalTag/TenantId}/',
      statements: [
        new iam.PolicyStatement({
          sid: 'TenantObjects',
          actions: [...TENANT_OBJECT_ACTIONS],
          resources: [this.tenantObjectsArn],
        }),
        new iam.PolicyStatement({
          sid: 'TenantListing',
          actions: [...TENANT_LIST_ACTIONS],
          resources: [this.bucketArn],
          conditions: { StringLike: { 's3:prefix': `${objectPrefix(PRINCIPAL_TENANT)}*` } },
        }),
      ],
    });
    role.addManagedPolicy(policy);
    acknowledgeFinding(
      policy.node.defaultChild!,
      iam5ResourceFinding(policy, this.tenantObjectsArn),
      'The only wildcard is the object-key suffix below the caller\'s own prefix tenants/${aws:PrincipalTag/TenantId}/: ' +
        'object keys are chosen at run time, and the session tag confines each session to its tenant (TI-IAM1/TI-IAM2 check the scope and delimiter).',
    );

    const principal = new iam.ArnPrincipal(role.roleArn);
    // Bucket policy: whatever the role's identity policies say, nothing outside its own prefix.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyTenantRoleOutsideOwnPrefix',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['s3:*'],
        notResources: [this.bucketArn, this.tenantObjectsArn],
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyTenantRoleListingOutsideOwnPrefix',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: [...TENANT_LIST_ACTIONS, 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'],
        resources: [this.bucketArn],
        // A missing s3:prefix (a listing of the bucket root) matches StringNotLike: denied.
        conditions: { StringNotLike: { 's3:prefix': `${objectPrefix(PRINCIPAL_TENANT)}*` } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyTenantRoleBucketConfiguration',
        effect: iam.Effect.DENY,
        principals: [principal],
        notActions: [...TENANT_LIST_ACTIONS, 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'],
        resources: [this.bucketArn],
      }),
    );

    // Key policy: the role may use the key only through S3, only for objects under its prefix.
    const contextKey = 'kms:EncryptionContext:aws:s3:arn';
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTenantRoleOwnPrefixViaS3',
        principals: [principal],
        actions: [...TENANT_KMS_ACTIONS],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
          StringLike: { [contextKey]: this.tenantObjectsArn },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyTenantRoleOtherContexts',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['kms:*'],
        resources: ['*'],
        // Absent context or absent tag both match StringNotLike: denied.
        conditions: { StringNotLike: { [contextKey]: this.tenantObjectsArn } },
      }),
    );
    return policy;
  }

  /**
   * Grants a support role (SupportAccessRole, tagged TenantId + SupportTicket) READ access to the
   * tagged tenant's prefix only, and repeats the confinement in the bucket and key policies.
   * The key policy binds Decrypt to the same encryption context as TenantAccessRole (the object
   * ARN under `tenants/${aws:PrincipalTag/TenantId}/`, via S3 only); every other KMS action is
   * denied to it, so it can neither write (GenerateDataKey) nor administer the key.
   */
  public grantSupportRead(role: iam.IRole): iam.ManagedPolicy {
    const listing = `${objectPrefix(PRINCIPAL_TENANT)}*`;
    const policy = new iam.ManagedPolicy(this, 'SupportStorageRead', {
      description: 'Pool object storage, support sessions: read tenants/${aws:PrincipalTag/TenantId}/ only',
      statements: [
        new iam.PolicyStatement({ sid: 'SupportTenantObjectsRead', actions: [...SUPPORT_OBJECT_READ_ACTIONS], resources: [this.tenantObjectsArn] }),
        new iam.PolicyStatement({
          sid: 'SupportTenantListing',
          actions: [...SUPPORT_LIST_ACTIONS],
          resources: [this.bucketArn],
          conditions: { StringLike: { 's3:prefix': listing } },
        }),
      ],
    });
    role.addManagedPolicy(policy);
    Validations.of(policy).acknowledge({
      id: iam5ResourceFinding(this, this.tenantObjectsArn),
      reason: "The wildcard is below the session's own tenant prefix (ABAC on the TenantId session tag); reads only.",
    });

    const principal = new iam.ArnPrincipal(role.roleArn);
    const reads = [...SUPPORT_OBJECT_READ_ACTIONS, ...SUPPORT_LIST_ACTIONS];
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySupportRoleOutsideOwnPrefix',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['s3:*'],
        notResources: [this.bucketArn, this.tenantObjectsArn],
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySupportRoleListingOutsideOwnPrefix',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: [...SUPPORT_LIST_ACTIONS, 's3:ListBucketMultipartUploads'],
        resources: [this.bucketArn],
        conditions: { StringNotLike: { 's3:prefix': listing } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySupportRoleAnythingButReads',
        effect: iam.Effect.DENY,
        principals: [principal],
        notActions: reads,
        resources: [this.bucketArn, `${this.bucketArn}/*`],
      }),
    );

    const contextKey = 'kms:EncryptionContext:aws:s3:arn';
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSupportRoleDecryptOwnPrefixViaS3',
        principals: [principal],
        actions: [...SUPPORT_KMS_ACTIONS],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
          StringLike: { [contextKey]: this.tenantObjectsArn },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySupportRoleOtherContexts',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['kms:*'],
        resources: ['*'],
        conditions: { StringNotLike: { [contextKey]: this.tenantObjectsArn } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySupportRoleAnythingButDecrypt',
        effect: iam.Effect.DENY,
        principals: [principal],
        notActions: [...SUPPORT_KMS_ACTIONS],
        resources: ['*'],
      }),
    );
    return policy;
  }
}
