/**
 * A bucket and its KMS key where tenant `<id>` owns the prefix `tenants/<id>/` (namespace.ts):
 * the storage boundary's one construct for tenant-prefixed objects. The pool bucket
 * (PoolStorage), the analytics bucket (TenantAnalytics) and the support sessions' read access are
 * all built from it, so the prefix grant, the fences and the upload-encryption Denies are written
 * once.
 *
 * Encryption: SSE-KMS with the bucket's own customer key and S3 Bucket Keys OFF. With Bucket
 * Keys, S3 sends the bucket ARN as encryption context instead of the object ARN (S3 User Guide,
 * bucket-key), which would make the key policy unable to tell tenants apart. Without them, every
 * object operation calls KMS with `aws:s3:arn` = the object ARN, and the key policy binds the
 * grantee's key use to its own prefix. The cost is one KMS request per object operation.
 *
 * `grantTenantAccess(grantee, options)` follows the project's grant convention (grantee first,
 * returns `iam.Grant`, action lists from lib/core/storage-actions.ts). It grants the object
 * prefix `tenants/${aws:PrincipalTag/TenantId}/`, `s3:ListBucket` with an `s3:prefix` condition
 * under it and the key with the encryption-context condition, and repeats the confinement as
 * explicit Denies in the bucket policy and the key policy, so a broader grant attached to the
 * grantee later cannot open another tenant's prefix.
 */
import { Aws, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { objectPrefix, PRINCIPAL_TENANT } from '../../core/namespace';
import { BUCKET_LISTING_ACTIONS, TENANT_KMS_ACTIONS, TENANT_LIST_ACTIONS, TENANT_OBJECT_ACTIONS } from '../../core/storage-actions';
import { acknowledgeFinding, iam5ResourceFinding } from '../../nag/acknowledge';

export interface TenantPrefixedBucketProps {
  /**
   * Deterministic bucket name. The key policy must name the bucket's objects, and a key policy
   * cannot reference a bucket that references the key (a cycle), so the name is computed.
   * It must carry no tenant names (bucket names are public in DNS).
   */
  readonly bucketName: string;
  /** Bucket that receives server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Prefix of this bucket's server access logs in `accessLogsBucket`, e.g. `pool-tenant-data/`. */
  readonly accessLogsPrefix: string;
  /** @default 'Tenant-prefixed object storage (S3 SSE-KMS, object ARN bound to the tenant prefix)' */
  readonly keyDescription?: string;
  /** @default no alias */
  readonly keyAlias?: string;
  /**
   * Sid of the bucket-policy Deny of uploads that name another KMS key.
   * @default 'DenyUploadsNotUnderTheBucketKey'
   */
  readonly otherKeyUploadDenySid?: string;
}

/** One identity statement on objects below the grantee's own prefix. */
export interface TenantObjectGrant {
  readonly sid: string;
  readonly actions: readonly string[];
  /** Below `tenants/${aws:PrincipalTag/TenantId}/`, ending in `/` (or `''` for the whole prefix). */
  readonly subPrefix: string;
}

/** Statement ids of one grant (identity policy, bucket policy, key policy). */
export interface TenantPrefixGrantSids {
  /** @default 'TenantObjects' (the default object grant) */
  readonly objects: string;
  /** @default 'TenantListing' */
  readonly listing: string;
  /** @default 'BucketLevel' */
  readonly bucketActions: string;
  /** @default 'DenyTenantRoleOutsideOwnPrefix' */
  readonly denyOutsidePrefix: string;
  /** @default 'DenyTenantRoleListingOutsideOwnPrefix' */
  readonly denyListingOutsidePrefix: string;
  /** @default 'DenyTenantRoleBucketConfiguration' (or, with `exclusive`, the Deny of every ungranted S3 action) */
  readonly denyOtherBucketActions: string;
  /** @default 'DenyTenantRoleChangingOwnPrefix' (with `readOnlySubPrefixes`) */
  readonly denyChangingReadOnly: string;
  /** @default 'AllowTenantRoleOwnPrefixViaS3' */
  readonly keyAllow: string;
  /** @default 'DenyTenantRoleOtherContexts' */
  readonly keyDenyOtherContexts: string;
  /** @default 'DenyTenantRoleOtherKeyActions' (with `exclusive`) */
  readonly keyDenyOtherActions: string;
}

export interface TenantPrefixGrantOptions {
  /**
   * Object actions on the whole own prefix (ignored when `objectGrants` is given).
   * @default TENANT_OBJECT_ACTIONS (lib/core/storage-actions.ts)
   */
  readonly actions?: readonly string[];
  /** Object grants by sub-prefix, each its own statement. @default one grant: `actions` on the whole prefix */
  readonly objectGrants?: readonly TenantObjectGrant[];
  /** Listing actions, granted only with `s3:prefix` under the own prefix. @default TENANT_LIST_ACTIONS */
  readonly listActions?: readonly string[];
  /** Bucket-level actions granted without a prefix (e.g. `s3:GetBucketLocation`). @default none */
  readonly bucketActions?: readonly string[];
  /** What S3 may ask the key for on the grantee's behalf. @default TENANT_KMS_ACTIONS */
  readonly keyActions?: readonly string[];
  /**
   * Sub-prefixes below the own prefix where the grantee may only `s3:GetObject` whatever else it
   * is granted (a history written by someone else), as a bucket-policy Deny.
   * @default none
   */
  readonly readOnlySubPrefixes?: readonly string[];
  /**
   * Deny every S3 action the grant does not give, on the bucket and on its objects, and every
   * KMS action but `keyActions` (a read-only grant stays read-only whatever else is attached).
   * @default false: only bucket-level actions other than listing and `bucketActions` are denied
   */
  readonly exclusive?: boolean;
  /**
   * Where the identity statements go: a managed policy the caller attaches to the grantee.
   * @default the grantee's principal policy
   */
  readonly policy?: iam.ManagedPolicy;
  /**
   * Acknowledges the AwsSolutions-IAM5 finding of each object grant's wildcard (the object-key
   * suffix below the own prefix) with this reason, on the policy that holds it.
   * @default no acknowledgement
   */
  readonly wildcardReason?: string;
  /** Statement ids. @default the pool's (TenantObjects, TenantListing, DenyTenantRole...) */
  readonly sids?: Partial<TenantPrefixGrantSids>;
}

const DEFAULT_SIDS: TenantPrefixGrantSids = {
  objects: 'TenantObjects',
  listing: 'TenantListing',
  bucketActions: 'BucketLevel',
  denyOutsidePrefix: 'DenyTenantRoleOutsideOwnPrefix',
  denyListingOutsidePrefix: 'DenyTenantRoleListingOutsideOwnPrefix',
  denyOtherBucketActions: 'DenyTenantRoleBucketConfiguration',
  denyChangingReadOnly: 'DenyTenantRoleChangingOwnPrefix',
  keyAllow: 'AllowTenantRoleOwnPrefixViaS3',
  keyDenyOtherContexts: 'DenyTenantRoleOtherContexts',
  keyDenyOtherActions: 'DenyTenantRoleOtherKeyActions',
};

/** A principal whose policy statements go into a managed policy (attached to it by the caller). */
class ManagedPolicyPrincipal extends iam.PrincipalBase {
  constructor(
    private readonly principal: iam.IPrincipal,
    private readonly policy: iam.ManagedPolicy,
  ) {
    super();
  }
  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.principal.policyFragment;
  }
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
  public dedupeString(): string | undefined {
    return undefined;
  }
}

export class TenantPrefixedBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  /** `arn:<partition>:s3:::<bucketName>` (computed from the deterministic name). */
  public readonly bucketArn: string;
  /** Sids already in the bucket and key policies: a policy's statement ids must be unique. */
  private readonly fenceSids = new Set<string>();

  constructor(scope: Construct, id: string, props: TenantPrefixedBucketProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.bucketName) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucketName)) {
      // S3 User Guide, bucketnamingrules: 3-63 characters of a-z 0-9 . -, starting and ending alphanumeric.
      throw new Error(`${this.node.path}: bucketName ${JSON.stringify(props.bucketName)} is not a valid S3 bucket name (3-63 of a-z 0-9 . -)`);
    }
    this.bucketArn = `arn:${Aws.PARTITION}:s3:::${props.bucketName}`;

    this.key = new kms.Key(this, 'Key', {
      description: props.keyDescription ?? 'Tenant-prefixed object storage (S3 SSE-KMS, object ARN bound to the tenant prefix)',
      ...(props.keyAlias ? { alias: props.keyAlias } : {}),
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
      serverAccessLogsPrefix: props.accessLogsPrefix,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });

    // Objects must be written with this key: an explicit SSE-S3 or other-key upload would
    // escape the key policy's tenant binding.
    const objects = this.bucket.arnForObjects('*');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: props.otherKeyUploadDenySid ?? 'DenyUploadsNotUnderTheBucketKey',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
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
        resources: [objects],
        conditions: {
          Null: { 's3:x-amz-server-side-encryption': 'false' },
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        },
      }),
    );
  }

  /** `tenants/${aws:PrincipalTag/TenantId}/`: the calling session's own prefix. */
  public get tenantPrefix(): string {
    return objectPrefix(PRINCIPAL_TENANT);
  }

  /** `arn:...:s3:::<bucket>/tenants/${aws:PrincipalTag/TenantId}/*` */
  public get tenantObjectsArn(): string {
    return `${this.bucketArn}/${this.tenantPrefix}*`;
  }

  /**
   * Grants a tenant-tagged role (its sessions carry the `TenantId` tag) access to its own prefix
   * only: the object actions under `tenants/${aws:PrincipalTag/TenantId}/`, the listing actions
   * with `s3:prefix` under it, the key through S3 with the object-ARN encryption context under
   * it; and adds the matching Denies to the bucket policy and the key policy, naming the grantee.
   */
  public grantTenantAccess(grantee: iam.IGrantable, options: TenantPrefixGrantOptions = {}): iam.Grant {
    const principal = new iam.ArnPrincipal(this.roleArnOf(grantee));
    const sids = { ...DEFAULT_SIDS, ...options.sids };
    const objectGrants = options.objectGrants ?? [{ sid: sids.objects, actions: options.actions ?? TENANT_OBJECT_ACTIONS, subPrefix: '' }];
    for (const g of objectGrants) {
      if (g.subPrefix !== '' && (!g.subPrefix.endsWith('/') || g.subPrefix.startsWith('/') || g.subPrefix.includes('*'))) {
        throw new Error(`${this.node.path}: grantTenantAccess objectGrants ${g.sid}: subPrefix ${JSON.stringify(g.subPrefix)} must end in '/' and hold no wildcard`);
      }
    }
    const fences = [sids.denyOutsidePrefix, sids.denyListingOutsidePrefix, sids.denyOtherBucketActions, sids.keyAllow, sids.keyDenyOtherContexts];
    if (options.readOnlySubPrefixes?.length) fences.push(sids.denyChangingReadOnly);
    if (options.exclusive) fences.push(sids.keyDenyOtherActions);
    const reused = fences.filter((sid) => this.fenceSids.has(sid));
    if (reused.length > 0) {
      throw new Error(
        `${this.node.path}: grantTenantAccess would repeat the statement ids ${reused.join(', ')} in the bucket or key policy (one grant per principal; pass options.sids for another grantee)`,
      );
    }
    fences.forEach((sid) => this.fenceSids.add(sid));
    if ((options.readOnlySubPrefixes?.length ?? 0) > 1) {
      throw new Error(`${this.node.path}: grantTenantAccess readOnlySubPrefixes holds one sub-prefix (its Deny has one sid)`);
    }
    const listActions = options.listActions ?? TENANT_LIST_ACTIONS;
    const bucketActions = options.bucketActions ?? [];
    const keyActions = options.keyActions ?? TENANT_KMS_ACTIONS;
    const own = `${this.tenantPrefix}*`;
    const target: iam.IGrantable = options.policy ? { grantPrincipal: new ManagedPolicyPrincipal(grantee.grantPrincipal, options.policy) } : grantee;
    const allow = (sid: string, actions: readonly string[], resourceArns: string[], conditions?: Record<string, Record<string, unknown>>) => {
      const grant = iam.Grant.addToPrincipal({ grantee: target, actions: [...actions], resourceArns, ...(conditions ? { conditions } : {}) });
      for (const s of grant.principalStatements) s.sid = sid;
      return grant;
    };

    // Identity statements.
    const objectArns = objectGrants.map((g) => `${this.bucketArn}/${this.tenantPrefix}${g.subPrefix}*`);
    let grant = objectGrants.map((g, i) => allow(g.sid, g.actions, [objectArns[i]])).reduce((a, b) => a.combine(b));
    grant = grant.combine(allow(sids.listing, listActions, [this.bucketArn], { StringLike: { 's3:prefix': own } }));
    if (bucketActions.length > 0) grant = grant.combine(allow(sids.bucketActions, bucketActions, [this.bucketArn]));
    if (options.wildcardReason) {
      const holder: IConstruct | undefined = options.policy?.node.defaultChild ?? (grantee.grantPrincipal instanceof Construct ? grantee.grantPrincipal : undefined);
      if (!holder) throw new Error(`${this.node.path}: grantTenantAccess wildcardReason needs a policy or a construct grantee to acknowledge on`);
      for (const arn of [...new Set(objectArns)]) acknowledgeFinding(holder, iam5ResourceFinding(holder, arn), options.wildcardReason);
    }

    // Bucket policy: whatever the grantee's identity policies say, nothing outside its own prefix.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: sids.denyOutsidePrefix,
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['s3:*'],
        notResources: [this.bucketArn, this.tenantObjectsArn],
      }),
    );
    for (const sub of options.readOnlySubPrefixes ?? []) {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: sids.denyChangingReadOnly,
          effect: iam.Effect.DENY,
          principals: [principal],
          notActions: ['s3:GetObject'],
          resources: [`${this.bucketArn}/${this.tenantPrefix}${sub}*`],
        }),
      );
    }
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: sids.denyListingOutsidePrefix,
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: [...BUCKET_LISTING_ACTIONS],
        resources: [this.bucketArn],
        // A missing s3:prefix (a listing of the bucket root) matches StringNotLike: denied.
        conditions: { StringNotLike: { 's3:prefix': own } },
      }),
    );
    if (options.exclusive) {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: sids.denyOtherBucketActions,
          effect: iam.Effect.DENY,
          principals: [principal],
          notActions: [...new Set([...objectGrants.flatMap((g) => g.actions), ...listActions, ...bucketActions])],
          resources: [this.bucketArn, `${this.bucketArn}/*`],
        }),
      );
    } else {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: sids.denyOtherBucketActions,
          effect: iam.Effect.DENY,
          principals: [principal],
          notActions: [...BUCKET_LISTING_ACTIONS, ...bucketActions],
          resources: [this.bucketArn],
        }),
      );
    }

    // Key policy: the grantee may use the key only through S3, only for objects under its prefix.
    const contextKey = 'kms:EncryptionContext:aws:s3:arn';
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: sids.keyAllow,
        principals: [principal],
        actions: [...keyActions],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
          StringLike: { [contextKey]: this.tenantObjectsArn },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: sids.keyDenyOtherContexts,
        effect: iam.Effect.DENY,
        principals: [principal],
        actions: ['kms:*'],
        resources: ['*'],
        // Absent context (another service's use of the key) or absent tag both match StringNotLike: denied.
        conditions: { StringNotLike: { [contextKey]: this.tenantObjectsArn } },
      }),
    );
    if (options.exclusive) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: sids.keyDenyOtherActions,
          effect: iam.Effect.DENY,
          principals: [principal],
          notActions: [...keyActions],
          resources: ['*'],
        }),
      );
    }
    return grant;
  }

  /** The ARN the fences name: the grantee must be a role (sessions of it carry the tenant tag). */
  private roleArnOf(grantee: iam.IGrantable): string {
    const p = grantee.grantPrincipal as Partial<iam.IRole>;
    if (typeof p.roleArn !== 'string') {
      throw new Error(
        `${this.node.path}: grantTenantAccess needs an IAM role (its tenant-tagged sessions are fenced by ARN in the bucket and key policies); got ${grantee.grantPrincipal.toString()}`,
      );
    }
    return p.roleArn;
  }
}
