/**
 * The object storage boundary for pool tenants: one bucket, one prefix per tenant.
 *
 * A TenantPrefixedBucket (tenant-prefixed-bucket.ts: bucket + key, upload-encryption Denies,
 * prefix grants with bucket-policy and key-policy fences): tenant `<id>` owns `tenants/<id>/`
 * (namespace.ts). TenantAccessRole may read, write, delete and list only there; support sessions
 * may only read there. PoolStorage is a subclass, not a wrapper, so the bucket and key keep their
 * construct paths (`.../PoolStorage/Bucket`, `.../PoolStorage/Key`) and logical ids: they are
 * retained resources, and a new logical id would replace them on deploy.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  SUPPORT_KMS_ACTIONS,
  SUPPORT_LIST_ACTIONS,
  SUPPORT_OBJECT_READ_ACTIONS,
  TENANT_KMS_ACTIONS,
  TENANT_LIST_ACTIONS,
  TENANT_OBJECT_ACTIONS,
} from '../../core/storage-actions';
import { TenantPrefixedBucket, TenantPrefixGrantOptions } from './tenant-prefixed-bucket';

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

/**
 * What a support session (SupportAccessRole, tagged TenantId + SupportTicket) gets on a
 * tenant-prefixed bucket: READ of the tagged tenant's prefix only. The key policy binds Decrypt
 * to the same encryption context as TenantAccessRole (the object ARN under
 * `tenants/${aws:PrincipalTag/TenantId}/`, via S3 only); every other S3 and KMS action is denied
 * to it (`exclusive`), so it can neither write (GenerateDataKey) nor administer the key.
 */
export const SUPPORT_READ_GRANT: TenantPrefixGrantOptions = {
  objectGrants: [{ sid: 'SupportTenantObjectsRead', actions: SUPPORT_OBJECT_READ_ACTIONS, subPrefix: '' }],
  listActions: SUPPORT_LIST_ACTIONS,
  keyActions: SUPPORT_KMS_ACTIONS,
  exclusive: true,
  sids: {
    listing: 'SupportTenantListing',
    denyOutsidePrefix: 'DenySupportRoleOutsideOwnPrefix',
    denyListingOutsidePrefix: 'DenySupportRoleListingOutsideOwnPrefix',
    denyOtherBucketActions: 'DenySupportRoleAnythingButReads',
    keyAllow: 'AllowSupportRoleDecryptOwnPrefixViaS3',
    keyDenyOtherContexts: 'DenySupportRoleOtherContexts',
    keyDenyOtherActions: 'DenySupportRoleAnythingButDecrypt',
  },
};

export class PoolStorage extends TenantPrefixedBucket {
  constructor(scope: Construct, id: string, props: PoolStorageProps) {
    super(scope, id, {
      bucketName: props.bucketName,
      accessLogsBucket: props.accessLogsBucket,
      accessLogsPrefix: 'pool-tenant-data/',
      keyDescription: 'Pool tenant object storage (S3 SSE-KMS, object ARN bound to the tenant prefix)',
    });
  }

  /**
   * Grants a tenant-tagged role (TenantAccessRole) access to its own prefix only, through its own
   * managed policy `TenantStorageAccess`, and adds the matching Denies to the bucket policy and
   * the key policy. Returns the grant; the policy is `tenantStoragePolicy`.
   */
  public grantTenantAccess(role: iam.IGrantable, options: TenantPrefixGrantOptions = {}): iam.Grant {
    if (options.policy) return super.grantTenantAccess(role, options);
    const policy = new iam.ManagedPolicy(this, 'TenantStorageAccess', {
      description: 'Pool object storage: each session reaches only tenants/${aws:PrincipalTag/TenantId}/',
    });
    attach(role, policy);
    return super.grantTenantAccess(role, {
      actions: TENANT_OBJECT_ACTIONS,
      listActions: TENANT_LIST_ACTIONS,
      keyActions: TENANT_KMS_ACTIONS,
      wildcardReason:
        "The only wildcard is the object-key suffix below the caller's own prefix tenants/${aws:PrincipalTag/TenantId}/: " +
        'object keys are chosen at run time, and the session tag confines each session to its tenant (TI-IAM1/TI-IAM2 check the scope and delimiter).',
      ...options,
      policy,
    });
  }

  /**
   * Grants a support role READ access to the tagged tenant's prefix only (SUPPORT_READ_GRANT),
   * through its own managed policy `SupportStorageRead`.
   */
  public grantSupportRead(role: iam.IGrantable): iam.Grant {
    const policy = new iam.ManagedPolicy(this, 'SupportStorageRead', {
      description: 'Pool object storage, support sessions: read tenants/${aws:PrincipalTag/TenantId}/ only',
    });
    attach(role, policy);
    return super.grantTenantAccess(role, {
      ...SUPPORT_READ_GRANT,
      policy,
      wildcardReason: "The wildcard is below the session's own tenant prefix (ABAC on the TenantId session tag); reads only.",
    });
  }
}

function attach(grantee: iam.IGrantable, policy: iam.ManagedPolicy): void {
  const role = grantee.grantPrincipal as Partial<iam.IRole>;
  if (typeof role.addManagedPolicy !== 'function') throw new Error(`${policy.node.path}: the grantee must be an IAM role`);
  role.addManagedPolicy(policy);
}
