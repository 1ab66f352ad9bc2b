/**
 * The audit trail: a CloudTrail trail whose log files cannot be read without the key, altered
 * without detection, or deleted while retained.
 *
 * - Multi-Region, global service events, log file validation (digest files), SSE-KMS with a
 *   customer key. Key policy per CloudTrail User Guide (create-kms-key-policy-for-cloudtrail):
 *   `kms:GenerateDataKey*` for cloudtrail.amazonaws.com bound to the `aws:cloudtrail:arn`
 *   encryption context and `aws:SourceArn` = this trail, and `kms:DescribeKey`. Readers decrypt
 *   through IAM policies (the key's default account statement).
 * - Log bucket: TLS only, Block Public Access, versioned, Object Lock with a default retention,
 *   an explicit Deny of deletes and of retention changes for every principal, retained on stack
 *   deletion, server access logs to the platform's access-log bucket.
 * - Advanced event selectors: all management events (read and write: AssumeRole is recorded
 *   whatever its classification), and S3 object data events for tenant data. The pool bucket is
 *   named by ARN. Silo buckets live in tenant stacks under generated names; by default the trail
 *   records object events of every bucket except the two log buckets (which would otherwise log
 *   their own deliveries), so silo buckets and any later tenant bucket are covered without
 *   naming them. Set `siloDataEvents: false` to log the pool bucket only (cheaper, blind to silos).
 *   Field selector operators: CloudFormation AWS::CloudTrail::Trail AdvancedFieldSelector.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { fenceBucketFromTenantSessions, fenceKeyFromTenantSessions } from '../identity/tenant-session-fence';
import { PropProblems } from '../validation';

export interface AuditTrailProps {
  /** Fixed trail name (the key and bucket policies name the trail ARN). */
  readonly trailName: string;
  /** Fixed log bucket name (no tenant names: bucket names are public in DNS). */
  readonly bucketName: string;
  /** Receives the log bucket's server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Tenant data buckets named by ARN for S3 data events (the pool bucket). */
  readonly tenantDataBucketArns: readonly string[];
  /**
   * Also record object data events of every other bucket (silo tenant buckets have generated names).
   * @default true
   */
  readonly siloDataEvents?: boolean;
  /**
   * Object Lock default retention of log files (GOVERNANCE mode; the bucket policy denies
   * `s3:BypassGovernanceRetention` to everyone, so only removing that policy lifts it).
   * @default Duration.days(365)
   */
  readonly retention?: Duration;
}

/**
 * Actions on log files nobody may perform (denied in the bucket policy to every principal).
 * Bucket-configuration actions (PutBucketObjectLockConfiguration, PutLifecycleConfiguration) are
 * NOT denied: CloudFormation calls them when it updates the bucket, and a Deny would make every
 * later stack update of the bucket fail. Neither can remove a log file under retention: a
 * shorter default retention applies to new objects only, and lifecycle expiration cannot delete
 * a locked object version (S3 User Guide, object-lock).
 */
export const AUDIT_LOG_DENIED_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:DeleteBucket',
  's3:BypassGovernanceRetention',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
] as const;

export class AuditTrail extends Construct {
  public readonly trail: cloudtrail.CfnTrail;
  public readonly key: kms.Key;
  public readonly bucket: s3.Bucket;
  public readonly trailArn: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(365);
    const problems = new PropProblems(this);
    problems.check(retention.toHours() >= 24, 'retention', retention.toHumanString(), 'at least a day');
    problems.check(props.tenantDataBucketArns.length > 0, 'tenantDataBucketArns', [], 'at least one bucket ARN (name the pool bucket)');
    problems.throwIfAny();
    this.trailArn = `arn:${Aws.PARTITION}:cloudtrail:${Aws.REGION}:${Aws.ACCOUNT_ID}:trail/${props.trailName}`;
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const fromThisTrail = { StringEquals: { 'aws:SourceArn': this.trailArn } };

    this.key = new kms.Key(this, 'Key', {
      description: 'Audit trail log files (CloudTrail SSE-KMS)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailEncryptLogs',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...fromThisTrail,
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*` },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailDescribeKey',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: fromThisTrail,
      }),
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      // Log files are SSE-KMS with the trail key (set by CloudTrail); digest files are SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(retention),
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'audit-trail/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailAclCheck',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: fromThisTrail,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailWrite',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/*`)],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': this.trailArn } },
      }),
    );
    // The audit trail records tenant sessions; none of them may read, delete or reconfigure it.
    fenceKeyFromTenantSessions(this.key);
    fenceBucketFromTenantSessions(this.bucket);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyLogTampering',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...AUDIT_LOG_DENIED_ACTIONS],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );

    const objectEvents = (name: string, arnSelector: cloudtrail.CfnTrail.AdvancedFieldSelectorProperty) => ({
      name,
      fieldSelectors: [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: ['AWS::S3::Object'] }, arnSelector],
    });
    const selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] = [
      { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] },
      objectEvents('Pool tenant data', { field: 'resources.ARN', startsWith: props.tenantDataBucketArns.map((arn) => `${arn}/`) }),
    ];
    if (props.siloDataEvents ?? true) {
      selectors.push(
        objectEvents('Silo tenant data and any other bucket, except log buckets', {
          field: 'resources.ARN',
          notStartsWith: [`${this.bucket.bucketArn}/`, `${props.accessLogsBucket.bucketArn}/`, ...props.tenantDataBucketArns.map((arn) => `${arn}/`)],
        }),
      );
    }

    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName: props.trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: this.key.keyArn,
      s3BucketName: this.bucket.bucketName,
      advancedEventSelectors: selectors,
    });
    // CloudTrail checks the bucket and key policies when the trail is created.
    this.trail.node.addDependency(this.bucket.policy!);
    this.trail.node.addDependency(this.key);
  }
}
