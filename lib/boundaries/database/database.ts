/**
 * The database boundary: Aurora PostgreSQL (Serverless v2) holding every pool tenant's rows,
 * isolated by row level security (policies/rls/bootstrap.sql, applied on deploy by RlsBootstrap).
 *
 * - In the platform VPC's isolated subnets; no public access; TLS required (rds.force_ssl).
 * - Storage, Performance Insights and the master secret encrypted with a customer KMS key.
 * - IAM database authentication on (application logins use 15-minute tokens, no passwords).
 * - Master secret in Secrets Manager, rotated (single user) through a VPC interface endpoint,
 *   because the isolated subnets have no route to the Secrets Manager API.
 * - Deletion protection, automated backups, SNAPSHOT when removed from the stack.
 * - Data API on: the bootstrap custom resource (and operators) run SQL over HTTPS with IAM,
 *   without network access to the cluster. Aurora PostgreSQL supports the Data API from 13.11,
 *   14.8, 15.3, 16.1 and 17.4 (Aurora User Guide, Concepts.Aurora_Fea_Regions_DB-eng.Feature.Data_API).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PropProblems } from '../validation';
import { RlsBootstrap } from './rls-bootstrap-resource';
import { acknowledgeFindings } from '../../nag/acknowledge';
import { fenceKeyFromTenantSessions } from '../identity/tenant-session-fence';

export interface TenantDatabaseProps {
  /** The VPC the cluster lives in. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the cluster.
   * @default isolated subnets (`SubnetType.PRIVATE_ISOLATED`)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Aurora PostgreSQL version: PostgreSQL 15 or later (the bootstrap uses views' security_invoker)
   * with the Data API.
   * @default AuroraPostgresEngineVersion.VER_17_5
   */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;
  /**
   * Database that holds tenant tables (and where the bootstrap runs).
   * @default 'tenant_app'
   */
  readonly databaseName?: string;
  /** @default 0.5 (Aurora capacity units) */
  readonly serverlessV2MinCapacity?: number;
  /** @default 4 (Aurora capacity units) */
  readonly serverlessV2MaxCapacity?: number;
  /**
   * Serverless v2 readers besides the writer (in other AZs, promoted on failover).
   * @default 1
   */
  readonly readers?: number;
  /**
   * How long automated backups are kept (1 to 35 days, RDS limit).
   * @default Duration.days(14)
   */
  readonly backupRetention?: Duration;
  /**
   * How often the master secret is rotated.
   * @default Duration.days(30)
   */
  readonly secretRotation?: Duration;
  /**
   * An existing Secrets Manager interface endpoint in `vpc` for the rotation function. A VPC can
   * hold only one endpoint with private DNS per service.
   * @default a new endpoint in `vpcSubnets`
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class TenantDatabase extends Construct {
  public readonly cluster: rds.DatabaseCluster;
  public readonly key: kms.Key;
  public readonly databaseName: string;
  public readonly bootstrap: RlsBootstrap;

  constructor(scope: Construct, id: string, props: TenantDatabaseProps) {
    super(scope, id);
    const databaseName = props.databaseName ?? 'tenant_app';
    const minCapacity = props.serverlessV2MinCapacity ?? 0.5;
    const maxCapacity = props.serverlessV2MaxCapacity ?? 4;
    const readers = props.readers ?? 1;
    const backupRetention = props.backupRetention ?? Duration.days(14);
    const problems = new PropProblems(this);
    problems.check(DATABASE_NAME.test(databaseName), 'databaseName', databaseName, `a PostgreSQL identifier matching ${DATABASE_NAME}`);
    // Serverless v2 capacity: 0 to 256 ACUs in steps of 0.5, max at least 1 (Aurora User Guide, aurora-serverless-v2.setting-capacity).
    const halfSteps = (v: number) => v * 2 === Math.floor(v * 2);
    problems.check(minCapacity >= 0 && minCapacity <= 256 && halfSteps(minCapacity), 'serverlessV2MinCapacity', minCapacity, '0 to 256 in steps of 0.5');
    problems.check(
      maxCapacity >= 1 && maxCapacity <= 256 && halfSteps(maxCapacity) && maxCapacity >= minCapacity,
      'serverlessV2MaxCapacity',
      maxCapacity,
      '1 to 256 in steps of 0.5 and >= serverlessV2MinCapacity',
    );
    problems.check(Number.isInteger(readers) && readers >= 0 && readers <= 15, 'readers', readers, 'an integer from 0 to 15');
    const days = backupRetention.toDays();
    problems.check(days >= 1 && days <= 35, 'backupRetention', `${days} days`, '1 to 35 days');
    const engineVersion = props.engineVersion ?? rds.AuroraPostgresEngineVersion.VER_17_5;
    const major = Number(engineVersion.auroraPostgresMajorVersion);
    problems.check(major >= 15, 'engineVersion', engineVersion.auroraPostgresFullVersion, 'PostgreSQL 15 or later');
    problems.throwIfAny();
    this.databaseName = databaseName;

    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.key = new kms.Key(this, 'Key', {
      description: 'Tenant database: Aurora storage, Performance Insights, master secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: engineVersion });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Tenant database: TLS only, connections logged',
      parameters: { 'rds.force_ssl': '1', log_connections: '1', log_disconnections: '1' },
    });

    const instance = (name: string, promotionTier?: number) =>
      rds.ClusterInstance.serverlessV2(name, {
        enablePerformanceInsights: true,
        performanceInsightEncryptionKey: this.key,
        autoMinorVersionUpgrade: true,
        ...(promotionTier === undefined ? {} : { scaleWithWriter: true }),
      });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      parameterGroup,
      vpc: props.vpc,
      vpcSubnets,
      writer: instance('writer'),
      readers: Array.from({ length: readers }, (_, i) => instance(`reader${i + 1}`, 1)),
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      defaultDatabaseName: databaseName,
      credentials: rds.Credentials.fromGeneratedSecret('platform_admin', { encryptionKey: this.key }),
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      iamAuthentication: true,
      enableDataApi: true,
      deletionProtection: true,
      backup: { retention: backupRetention, preferredWindow: '03:00-04:00' },
      copyTagsToSnapshot: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: logs.RetentionDays.ONE_YEAR,
    });
    // The master secret outlives the stack like the snapshot does: without it a restored
    // snapshot's admin password is lost.
    // (cluster.secret is the target attachment; the generated secret is the `Secret` child.)
    (this.cluster.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledgeFindings(this.key, [
      {
        id: 'TI-IAM1[#2]',
        reason:
          'The RLS bootstrap custom resource role may decrypt the master secret, only via Secrets Manager: a platform ' +
          'operator principal that never acts as a tenant. Rows are isolated by RLS inside the database, not by this key.',
      },
    ]);
    // cloudwatchLogsRetention is applied by CDK's LogRetention function, a stack-wide singleton
    // (fixed construct id in aws-cdk-lib aws-logs/log-retention).
    const logRetention = Stack.of(this).node.tryFindChild('LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a');
    if (logRetention) {
      acknowledgeFindings(logRetention, [
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "CDK's LogRetention function (sets the retention of the cluster's /aws/rds log group) writes only its own logs with this AWS managed policy; it never touches tenant data.",
        },
      ]);
      acknowledgeFindings(logRetention, [
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            "CDK's LogRetention function must set retention on a log group that RDS names and creates after deploy (/aws/rds/cluster/<id>/postgresql), so logs:PutRetentionPolicy/DeleteRetentionPolicy cannot name it in advance; no data access.",
        },
      ]);
    }

    // The rotation function runs in the isolated subnets: it reaches the cluster (allowed by
    // addRotationSingleUser) and the Secrets Manager API through an interface endpoint.
    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: 'Master secret rotation function',
      allowAllOutbound: true,
    });
    const endpoint =
      props.secretsManagerEndpoint ??
      new ec2.InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
        vpc: props.vpc,
        service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        subnets: vpcSubnets,
        privateDnsEnabled: true,
        open: false,
      });
    endpoint.connections.allowDefaultPortFrom(rotationSecurityGroup, 'Secret rotation to the Secrets Manager API');
    this.cluster.addRotationSingleUser({
      automaticallyAfter: props.secretRotation ?? Duration.days(30),
      vpcSubnets,
      endpoint,
      securityGroup: rotationSecurityGroup,
    });

    this.bootstrap = new RlsBootstrap(this, 'RlsBootstrap', { cluster: this.cluster, databaseName });
    // No tenant session needs the database key: the application reaches rows through RLS, never
    // the key. Added last, so the key-policy statements acknowledged by index above keep theirs.
    fenceKeyFromTenantSessions(this.key);
  }
}
