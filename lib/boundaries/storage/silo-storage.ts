/**
 * Dedicated object storage for a silo tenant: its own bucket and customer key, in its TenantStack.
 *
 * The layout is the same as in the pool (`tenants/<id>/...`), so application code does not care
 * about the tier. Access is granted by the bucket and key policies to TenantAccessRole, and only
 * to sessions whose `TenantId` tag equals this tenant. Within one account a resource policy that
 * names a role grants its sessions access without an identity-policy statement (IAM User Guide,
 * policy evaluation within a single account), so the shared role's policies stay tenant-free.
 */
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { objectPrefix, TENANT_TAG_KEY } from '../../core/namespace';
import { TenantId } from '../../core/tenant-id';
import {
  SUPPORT_KMS_ACTIONS,
  SUPPORT_LIST_ACTIONS,
  SUPPORT_OBJECT_READ_ACTIONS,
  TENANT_KMS_ACTIONS,
  TENANT_LIST_ACTIONS,
  TENANT_OBJECT_ACTIONS,
} from '../../core/storage-actions';
import { TenantIdInput, tenantIdProp } from '../validation';

export interface SiloStorageProps {
  /** The silo tenant (TenantId rules). */
  readonly tenant: TenantIdInput;
  /** ARN of TenantAccessRole (by name: no cross-stack export). */
  readonly tenantAccessRoleArn: string;
  /** Server access logs destination. */
  readonly accessLogsBucket: s3.IBucket;
  /**
   * The bucket's name. It becomes a public DNS name: do not put the tenant id in it (the blueprint
   * uses `names.siloBucket`, a hashed label). A literal name that contains the tenant id is refused.
   * @default a name CloudFormation generates from the stack name and construct path (which, in a
   * stack named after the tenant, carries the tenant id)
   */
  readonly bucketName?: string;
  /**
   * Whether the tenant's sessions may reach the data. False for a retired tenant: the data is
   * retained, the access is removed.
   * @default true
   */
  readonly accessEnabled?: boolean;
}

export class SiloStorage extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  private readonly tenant: TenantId;
  private readonly accessEnabled: boolean;

  constructor(scope: Construct, id: string, props: SiloStorageProps) {
    super(scope, id);
    this.tenant = tenantIdProp(this, 'tenant', props.tenant);
    this.accessEnabled = props.accessEnabled ?? true;
    const tenant = this.tenant.value;
    const prefix = objectPrefix(this.tenant);
    const principal = new iam.ArnPrincipal(props.tenantAccessRoleArn);
    const tagKey = `aws:PrincipalTag/${TENANT_TAG_KEY}`;

    this.key = new kms.Key(this, 'Key', {
      description: `Silo object storage of one tenant`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });

    // Tokens (account, Region) are skipped; the literal parts must not carry the tenant id.
    const literalName = props.bucketName?.replace(/\$\{Token\[[^\]]*\]\}/g, '-');
    if (literalName !== undefined && `-${literalName.replace(/\./g, '-')}-`.includes(`-${tenant}-`)) {
      throw new Error(
        `${this.node.path}: bucketName ${JSON.stringify(props.bucketName)} contains the tenant id "${tenant}"; bucket names are public DNS names (use names.siloBucket, a hashed label)`,
      );
    }
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // One tenant per key: Bucket Keys cannot mix tenants here, and they cut KMS calls.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: `silo-tenant-data/${tenant}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });

    // The platform's access-log bucket policy grants log delivery for `silo-tenant-data/*`.
    Annotations.of(this.bucket).acknowledgeWarning(
      '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
      'PlatformStack grants logging.s3.amazonaws.com on silo-tenant-data/* in the access-log bucket policy',
    );

    // Any session of the tenant role that is not this tenant (or has no tag) gets nothing here.
    // StringNotEquals matches when the tag is absent, so the Deny fails closed.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherTenantSessions',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['s3:*'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: { StringNotEquals: { [tagKey]: tenant } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherTenantSessions',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['kms:*'],
        resources: ['*'],
        conditions: { StringNotEquals: { [tagKey]: tenant } },
      }),
    );

    if (props.accessEnabled ?? true) {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'TenantObjects',
          principals: [principal],
          actions: [...TENANT_OBJECT_ACTIONS],
          resources: [this.bucket.arnForObjects(`${prefix}*`)],
          conditions: { StringEquals: { [tagKey]: tenant } },
        }),
      );
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'TenantListing',
          principals: [principal],
          actions: [...TENANT_LIST_ACTIONS],
          resources: [this.bucket.bucketArn],
          conditions: { StringEquals: { [tagKey]: tenant }, StringLike: { 's3:prefix': `${prefix}*` } },
        }),
      );
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowTenantSessionsViaS3',
          principals: [principal],
          actions: [...TENANT_KMS_ACTIONS],
          resources: ['*'],
          conditions: {
            StringEquals: { [tagKey]: tenant, 'kms:ViaService': `s3.${this.bucket.stack.region}.amazonaws.com` },
          },
        }),
      );
    }
  }

  /**
   * Lets support sessions (SupportAccessRole) tagged with THIS tenant read under `tenants/<id>/`,
   * through the bucket and key policies (same account: a resource policy naming the role grants
   * its sessions). Sessions of any other tenant, or without the tag, get nothing; no session of
   * the role may do anything but read. A retired tenant keeps the Denies and loses the Allows.
   */
  public grantSupportRead(supportRoleArn: string): void {
    const tenant = this.tenant.value;
    const principal = new iam.ArnPrincipal(supportRoleArn);
    const tagKey = `aws:PrincipalTag/${TENANT_TAG_KEY}`;
    const reads = [...SUPPORT_OBJECT_READ_ACTIONS, ...SUPPORT_LIST_ACTIONS];
    const everything = [this.bucket.bucketArn, this.bucket.arnForObjects('*')];

    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySupportOtherTenantSessions',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['s3:*'],
        resources: everything,
        conditions: { StringNotEquals: { [tagKey]: tenant } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'DenySupportAnythingButReads', effect: iam.Effect.DENY, principals: [principal], notActions: reads, resources: everything }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySupportOtherTenantSessions',
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['kms:*'],
        resources: ['*'],
        conditions: { StringNotEquals: { [tagKey]: tenant } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySupportAnythingButDecrypt',
        effect: iam.Effect.DENY,
        principals: [principal],
        notActions: [...SUPPORT_KMS_ACTIONS],
        resources: ['*'],
      }),
    );
    if (!this.accessEnabled) return;

    const prefix = objectPrefix(this.tenant);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SupportObjectsRead',
        principals: [principal],
        actions: [...SUPPORT_OBJECT_READ_ACTIONS],
        resources: [this.bucket.arnForObjects(`${prefix}*`)],
        conditions: { StringEquals: { [tagKey]: tenant } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SupportListing',
        principals: [principal],
        actions: [...SUPPORT_LIST_ACTIONS],
        resources: [this.bucket.bucketArn],
        conditions: { StringEquals: { [tagKey]: tenant }, StringLike: { 's3:prefix': `${prefix}*` } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSupportDecryptViaS3',
        principals: [principal],
        actions: [...SUPPORT_KMS_ACTIONS],
        resources: ['*'],
        conditions: { StringEquals: { [tagKey]: tenant, 'kms:ViaService': `s3.${this.bucket.stack.region}.amazonaws.com` } },
      }),
    );
  }
}
