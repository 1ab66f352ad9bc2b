/**
 * The analytics boundary: a tenant-partitioned event pipeline where a record can never land in
 * another tenant's partition. See docs/analytics.md for the decisions and limits.
 *
 *   producer (lib/boundaries/analytics/runtime/analytics-producer.ts, broker role, tenant from a verified TenantContext)
 *     -> Firehose delivery stream (Direct PUT, SSE with the analytics key)
 *     -> transformation Lambda (analytics-transform/: tenant is a TenantId, HMAC verifies, body
 *        names no other tenant) -> `!{partitionKeyFromLambda:tenant}`
 *     -> analytics bucket `tenants/<id>/analytics/dt=<day>/`, or `analytics-errors/<error type>/`
 *
 * A dedicated bucket and key, not the pool bucket: Firehose writes as its own service role, which
 * must reach every tenant's partition; here that role reaches only `tenants/* /analytics/` and the
 * error prefix of a bucket holding nothing else, and never the pool key that protects tenant
 * documents. The layout (`tenants/<id>/...`) and the TenantAccessRole rules (own prefix only, the
 * key bound to the object ARN, the upload-encryption Denies) are the pool's: TenantAnalytics is a
 * TenantPrefixedBucket (lib/boundaries/storage/tenant-prefixed-bucket.ts), so the storage
 * boundary's guarantees carry over. (A subclass, not a wrapper: the retained bucket and key keep
 * their construct paths `.../Analytics/Bucket`, `.../Analytics/Key` and logical ids.)
 * Tenants only READ their partition (append-only history written by the pipeline alone) and
 * write their own Athena results (`tenants/<id>/athena-results/`).
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TenantRef } from '../../core/namespace';
import { TenantPrefixedBucket, TenantPrefixGrantOptions } from '../storage/tenant-prefixed-bucket';
import { analyticsBucketName, analyticsNames, analyticsWorkgroupName, DATA_PREFIX_EXPRESSION, ERROR_PREFIX, ERROR_PREFIX_EXPRESSION } from './analytics-names';
import { grantTenantAnalyticsRead } from './analytics-tenant-access';
import { TENANT_KMS_ACTIONS } from '../../core/storage-actions';
import { acknowledgeFindings } from '../../nag/acknowledge';
import { PropProblems, TenantIdInput, throwValidationError } from '../validation';
import { LAMBDA_BUNDLES, lambdaBundleDir } from '../lambda-bundles';
import { REFUSED_TENANTS_FILE } from './analytics-transform/refused-tenants';

export * from './analytics-names';

export interface TenantAnalyticsProps {
  /** Names the stream, database, secret and bucket. */
  readonly qualifier: string;
  /** Server access logs destination. */
  readonly accessLogsBucket: s3.IBucket;
  /**
   * The application principal that produces events (the broker: it holds verified
   * TenantContexts). It may put records and read the integrity key; tenant sessions may not.
   */
  readonly producer: iam.IGrantable;
  /**
   * Firehose buffering interval. Dynamic partitioning keeps one buffer per active partition.
   * @default Duration.seconds(300)
   */
  readonly bufferingInterval?: Duration;
  /**
   * Offboarded tenants (retired and purged): the transformation refuses their records even with a
   * valid integrity tag, so a token still valid at offboarding cannot keep writing into the
   * retained partition. Written beside the Lambda's code at synth (refused-tenants.json): the deploy that
   * offboards a tenant updates it.
   * @default [] — nobody refused
   */
  readonly refusedTenants?: readonly TenantIdInput[];
}

export class TenantAnalytics extends TenantPrefixedBucket {
  public readonly integritySecret: secrets.Secret;
  public readonly transform: lambda.Function;
  public readonly deliveryRole: iam.Role;
  public readonly stream: firehose.CfnDeliveryStream;
  public readonly database: glue.CfnDatabase;
  public readonly table: glue.CfnTable;
  /** Tenant roles granted so far: each gets its own managed policy and its own fences. */
  private tenantGrants = 0;
  public readonly qualifier: string;
  /** `arn:...:firehose:<region>:<account>:deliverystream/<name>` (computed, see grantTenantRead). */
  public readonly streamArn: string;

  constructor(scope: Construct, id: string, props: TenantAnalyticsProps) {
    // Bucket and key (Bucket Keys off: S3 then sends the object ARN as encryption context, which
    // the key policy binds to the caller's tenant prefix), with the upload-encryption Denies.
    super(scope, id, {
      bucketName: analyticsBucketName(props.qualifier),
      accessLogsBucket: props.accessLogsBucket,
      accessLogsPrefix: 'tenant-analytics/',
      keyDescription: 'Tenant analytics: stream SSE, partitions (object ARN bound to the tenant prefix), query results, integrity key',
      keyAlias: analyticsNames.keyAlias(props.qualifier),
      otherKeyUploadDenySid: 'DenyUploadsNotUnderTheAnalyticsKey',
    });
    const q = props.qualifier;
    this.qualifier = q;
    this.streamArn = `arn:${Aws.PARTITION}:firehose:${Aws.REGION}:${Aws.ACCOUNT_ID}:deliverystream/${analyticsNames.stream(q)}`;
    const bucketName = analyticsBucketName(q);
    const bufferingSeconds = (props.bufferingInterval ?? Duration.seconds(300)).toSeconds();
    // BufferingHints.IntervalInSeconds: 0-900 (Firehose API, BufferingHints); zero buffering is
    // not available with dynamic partitioning (Firehose Developer Guide, buffering).
    const problems = new PropProblems(this);
    problems.check(bufferingSeconds >= 60 && bufferingSeconds <= 900, 'bufferingInterval', `${bufferingSeconds} seconds`, '60 to 900 seconds');
    const refused = (props.refusedTenants ?? [])
      .map((t, i) => problems.tenantId(`refusedTenants[${i}]`, t)?.value)
      .filter((v): v is string => v !== undefined)
      .sort();
    problems.throwIfAny();

    // The HMAC key that binds a record to its tenant. Generated by Secrets Manager at deploy time.
    this.integritySecret = new secrets.Secret(this, 'IntegrityKey', {
      secretName: analyticsNames.secret(q),
      description: 'HMAC key binding analytics records to the tenant stamped by the producer',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    acknowledgeFindings(this.integritySecret.node.defaultChild!, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'HMAC integrity key, rotated by the operator (put-secret-value): the transformation accepts the AWSCURRENT and AWSPREVIOUS versions, so records signed before a rotation still verify. Scheduled rotation needs a rotation Lambda that is not built yet (docs/analytics.md, key rotation).',
      },
    ]);

    this.transform = this.createTransform(refused);
    this.integritySecret.grantRead(this.transform);
    // Secret.grantRead adds a key-policy statement (the third: after the account statement and the
    // Secrets Manager statement) for the secret's readers, via Secrets Manager only.
    acknowledgeFindings(this.key.node.defaultChild!, [
      {
        id: 'TI-IAM1[#2]',
        reason:
          'Added by Secret.grantRead: the transformation and the producer (broker) decrypt the integrity secret through Secrets Manager only (kms:ViaService). It protects the HMAC key, not tenant data; TenantAccessRole is denied every use of this key outside its own S3 prefix.',
      },
    ]);

    this.deliveryRole = this.createDeliveryRole();
    const deliveryLogs = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deliveryLogStream = new logs.LogStream(this, 'DeliveryLogStream', { logGroup: deliveryLogs, removalPolicy: RemovalPolicy.RETAIN });
    deliveryLogs.grantWrite(this.deliveryRole);

    this.stream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamName: analyticsNames.stream(q),
      deliveryStreamType: 'DirectPut',
      // With a customer managed key, Firehose calls kms:CreateGrant with the deploying principal's
      // permissions and manages that grant itself (Firehose API, DeliveryStreamEncryptionConfigurationInput);
      // the key policy's account statement lets the CloudFormation role do so.
      deliveryStreamEncryptionConfigurationInput: { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: this.key.keyArn },
      // Property names verified against the CloudFormation reference
      // (AWS::KinesisFirehose::DeliveryStream ExtendedS3DestinationConfiguration,
      // DynamicPartitioningConfiguration, ProcessorParameter: LambdaArn | NumberOfRetries |
      // BufferSizeInMBs | BufferIntervalInSeconds) and the Firehose guide, dynamic-partitioning-s3bucketprefix.
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: this.deliveryRole.roleArn,
        prefix: DATA_PREFIX_EXPRESSION,
        // Required with dynamic partitioning (Firehose guide, dynamic-partitioning-error-handling).
        errorOutputPrefix: ERROR_PREFIX_EXPRESSION,
        // Dynamic partitioning needs at least 64 MiB (the L2 defaults to 128 with it on).
        bufferingHints: { intervalInSeconds: bufferingSeconds, sizeInMBs: 128 },
        compressionFormat: 'GZIP',
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: this.key.keyArn } },
        dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: [
                { parameterName: 'LambdaArn', parameterValue: this.transform.functionArn },
                { parameterName: 'NumberOfRetries', parameterValue: '3' },
                { parameterName: 'BufferSizeInMBs', parameterValue: '1' },
                { parameterName: 'BufferIntervalInSeconds', parameterValue: '60' },
              ],
            },
          ],
        },
        cloudWatchLoggingOptions: { enabled: true, logGroupName: deliveryLogs.logGroupName, logStreamName: deliveryLogStream.logStreamName },
        s3BackupMode: 'Disabled',
      },
    });
    // The role's policy must exist before Firehose validates access to the bucket and function.
    this.stream.node.addDependency(this.deliveryRole);

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: analyticsNames.database(q), description: 'Tenant analytics (one table; each tenant reads only its own partition)' },
    });
    this.table = this.createTable(bucketName);

    // Tenant stacks read the key ARN at deploy time (an SSM parameter, not an export that would
    // pin the platform stack while imported).
    new ssm.StringParameter(this, 'KeyArnParameter', {
      parameterName: analyticsNames.keyArnParameter(q),
      description: 'ARN of the tenant analytics KMS key (Athena workgroups encrypt query results with it)',
      stringValue: this.key.keyArn,
    });

    this.protectBucket();
    this.grantProduce(props.producer);
  }

  /**
   * Lets sessions of `role` (a tenant ABAC role, tagged `TenantId`) read only their own
   * partition and query only their own workgroup. One managed policy, attached to every granted
   * role; its size does not grow with tenants.
   */
  public override grantTenantAccess(grantee: iam.IGrantable, options?: TenantPrefixGrantOptions): iam.Grant {
    // With options: the storage part alone (TenantPrefixedBucket), as grantTenantAnalyticsRead uses it.
    if (options) return super.grantTenantAccess(grantee, options);
    const role = grantee.grantPrincipal;
    if (!(role instanceof iam.Role) && !('addManagedPolicy' in role)) {
      throwValidationError(this, `${this.node.path}: grantTenantAccess needs a role (its sessions carry the TenantId tag), got ${role.constructor.name}`);
    }
    this.tenantGrants += 1;
    return grantTenantAnalyticsRead(this, role as iam.IRole, this.tenantGrants === 1 ? 'TenantAnalyticsAccess' : `TenantAnalyticsAccess${this.tenantGrants}`);
  }

  /** The bucket ARN as cdk-nag prints it in finding ids. */
  public get nagBucketArn(): string {
    return `arn:<AWS::Partition>:s3:::${this.qualifier}-analytics-<AWS::AccountId>-<AWS::Region>`;
  }

  /** The ARN of a tenant's workgroup (literal id or the session-tag variable). */
  public workgroupArn(tenant: TenantRef): string {
    return `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${analyticsWorkgroupName(tenant)}`;
  }

  /** Lets `grantee` (the broker) put records and read the integrity key. Never grant this to TenantAccessRole. */
  public grantProduce(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
      resourceArns: [this.streamArn],
    });
    this.integritySecret.grantRead(grantee);
  }

  private createTransform(refusedTenants: readonly string[]): lambda.Function {
    const logGroup = new logs.LogGroup(this, 'TransformLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'TransformRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Analytics transformation Lambda: reads the integrity key, writes its own logs',
    });
    logGroup.grantWrite(role);
    // analytics-transform/handler.ts bundled by esbuild (minified, with a source map), prebuilt in
    // the package so a consumer's synth needs no bundler (lib/boundaries/lambda-bundles.ts).
    return new lambda.Function(this, 'Transform', {
      code: lambda.Code.fromAsset(transformCodeDir(refusedTenants)),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Firehose waits up to 5 minutes for a transformation invocation (Firehose guide, data-transformation).
      timeout: Duration.minutes(1),
      role,
      logGroup,
      description: 'Validates analytics records (TenantId, HMAC, no foreign tenant) and returns the tenant partition key',
      environment: { INTEGRITY_SECRET_ARN: this.integritySecret.secretArn, NODE_OPTIONS: '--enable-source-maps' },
    });
  }

  private createDeliveryRole(): iam.Role {
    const role = new iam.Role(this, 'DeliveryRole', {
      // Confused-deputy guard: only Firehose acting for this account (Firehose guide, controlling-access).
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'Analytics Firehose delivery: writes tenant partitions and the error prefix only',
    });
    const writable = [`${this.bucketArn}/tenants/*/analytics/*`, `${this.bucketArn}/${ERROR_PREFIX}*`];
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WritePartitionsAndErrors',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
        resources: writable,
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BucketForDelivery',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KeyForDeliveredObjects',
        actions: [...TENANT_KMS_ACTIONS],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': writable },
        },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTransform',
        actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
        // Firehose invokes the unqualified ARN named in the processor's LambdaArn parameter.
        resources: [this.transform.functionArn],
      }),
    );
    const policy = role.node.findChild('DefaultPolicy').node.defaultChild!;
    for (const [suffix, reason] of [
      [
        'tenants/*/analytics/*',
        'Firehose writes every tenant partition (the key is chosen per record by the transformation); the wildcard is the tenant id inside tenants/<id>/analytics/ and nothing wider. Tenant choice is enforced by the transformation, not by this role.',
      ],
      [`${ERROR_PREFIX}*`, 'Firehose names error objects itself (error type, date, random suffix) under the error prefix.'],
    ] as const) {
      acknowledgeFindings(policy, [{ id: `AwsSolutions-IAM5[Resource::${this.nagBucketArn}/${suffix}]`, reason }]);
    }
    // TenantIsolationChecks TI-IAM1: this role is the pipeline's one cross-tenant writer, by design.
    for (const [sid, reason] of [
      [
        'WritePartitionsAndErrors',
        "The delivery role is the pipeline's one cross-tenant writer: Firehose writes every tenant partition, taking the prefix per record from the transformation's verified partition key (TenantId + HMAC). The bucket policy lets no other principal write partitions, and only firehose.amazonaws.com of this account can assume the role.",
      ],
      [
        'BucketForDelivery',
        'Bucket-level calls Firehose needs for S3 delivery (GetBucketLocation, ListBucket, ListBucketMultipartUploads on the analytics bucket only); made by the Firehose service, never by a tenant session.',
      ],
      [
        'KeyForDeliveredObjects',
        'Encrypts the objects Firehose writes: kms:ViaService s3 and the object-ARN encryption context bind it to the partition and error prefixes of the analytics bucket.',
      ],
    ] as const) {
      acknowledgeFindings(policy, [{ id: `TI-IAM1[${sid}]`, reason }]);
    }
    return role;
  }

  private createTable(bucketName: string): glue.CfnTable {
    const root = `s3://${bucketName}/tenants/`;
    return new glue.CfnTable(this, 'Table', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.database.ref, // the name, and a dependency on the database
      tableInput: {
        name: analyticsNames.table,
        description: 'Analytics events; partition projection: every query must name one tenant (injected), and S3 lets a session read only its own',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'tenant', type: 'string' },
          { name: 'dt', type: 'string' },
        ],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          // `injected`: the query must give the tenant as a literal (Athena guide,
          // partition-projection-kinesis-firehose-example-using-custom-prefixes-and-dynamic-partitioning).
          'projection.tenant.type': 'injected',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2024-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `${root}\${tenant}/analytics/dt=\${dt}/`,
        },
        storageDescriptor: {
          location: root,
          columns: [
            { name: 'ts', type: 'string', comment: 'event time (producer clock, ISO-8601 UTC)' },
            { name: 'type', type: 'string', comment: 'event type' },
            { name: 'body', type: 'string', comment: 'event JSON; use json_extract_scalar' },
          ],
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        },
      },
    });
  }

  /** Bucket-policy Denies beyond the upload-encryption ones of TenantPrefixedBucket. */
  private protectBucket(): void {
    // Partitions and the error prefix are written by the delivery role alone: no other principal
    // (a tenant session, the broker, an operator's script) can plant a record in a partition.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyPartitionWritesExceptDelivery',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [`${this.bucketArn}/tenants/*/analytics/*`, `${this.bucketArn}/${ERROR_PREFIX}*`],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.deliveryRole.roleArn } },
      }),
    );
  }
}

/**
 * The transformation's code: the prebuilt bundle plus `refused-tenants.json`, the offboarded
 * tenants of this synth (the handler refuses their records). The list travels in the code, not in
 * the 4 KB of Lambda environment variables. The folder is named by its content, so repeated
 * synths reuse it and the asset hash changes exactly when the bundle or the list does.
 */
function transformCodeDir(refusedTenants: readonly string[]): string {
  const bundle = lambdaBundleDir(LAMBDA_BUNDLES.analyticsTransform);
  const list = JSON.stringify(refusedTenants);
  const hash = createHash('sha256');
  for (const f of fs.readdirSync(bundle).sort()) hash.update(f).update(fs.readFileSync(path.join(bundle, f)));
  const dir = path.join(os.tmpdir(), `tib-analytics-transform-${hash.update(list).digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(path.join(dir, REFUSED_TENANTS_FILE))) {
    const staging = fs.mkdtempSync(`${dir}.staging-`);
    fs.cpSync(bundle, staging, { recursive: true });
    fs.writeFileSync(path.join(staging, REFUSED_TENANTS_FILE), list);
    try {
      fs.renameSync(staging, dir);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another synth made it first
    }
  }
  return dir;
}
