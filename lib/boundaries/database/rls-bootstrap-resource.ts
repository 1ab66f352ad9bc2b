/**
 * RlsBootstrap: a custom resource that applies policies/rls/bootstrap.sql to the cluster through
 * the RDS Data API on create and whenever the SQL changes (its SHA-256 is a resource property,
 * so a changed file is an Update), and does nothing to the database on delete.
 *
 * The function's code is lib/boundaries/database/rls-bootstrap/*.ts, bundled by esbuild into one
 * handler.js next to a copy of the SQL (lib/boundaries/lambda-bundles.ts): prebuilt into
 * dist/lambda/rls-bootstrap/ by `npm run build` for the package, so a consumer's synth needs no
 * esbuild, TypeScript or Docker; built on demand from the sources in this repository. The bundle
 * keeps @aws-sdk/client-rds-data external: the Lambda Node.js runtime provides it (Node.js 18 and
 * later runtimes include the AWS SDK for JavaScript v3; Lambda Developer Guide, lambda-nodejs).
 * Synth stays offline.
 */
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLES, lambdaBundleDir, packageRoot } from '../lambda-bundles';
import { PropProblems } from '../validation';

/** The reviewed SQL (policies/ ships in the package); the function carries a copy of it. */
export const RLS_BOOTSTRAP_SQL_FILE = path.join(packageRoot(), 'policies', 'rls', 'bootstrap.sql');

/**
 * The folder of the function's code: the bundled handler.js and bootstrap.sql, the copy of
 * policies/rls/bootstrap.sql the function applies.
 */
export function rlsBootstrapCodeDir(): string {
  return lambdaBundleDir(LAMBDA_BUNDLES.rlsBootstrap);
}

/** The SQL the function ships and applies (the template carries its SHA-256). */
export function rlsBootstrapSqlFile(): string {
  return path.join(rlsBootstrapCodeDir(), LAMBDA_BUNDLES.rlsBootstrap.extraFiles['policies/rls/bootstrap.sql']);
}

export interface RlsBootstrapProps {
  /** The Aurora PostgreSQL cluster, with the Data API enabled and a master secret. */
  readonly cluster: rds.DatabaseCluster;
  /** Database the bootstrap runs in (where tenant tables live). */
  readonly databaseName: string;
}

export class RlsBootstrap extends Construct {
  /** SHA-256 (hex) of policies/rls/bootstrap.sql as synthesized. */
  public readonly sqlSha256: string;
  public readonly function: lambda.Function;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: RlsBootstrapProps) {
    super(scope, id);
    const secret = props.cluster.secret;
    const problems = new PropProblems(this);
    problems.check(secret !== undefined, 'cluster', props.cluster, 'a cluster with a master secret (the Data API needs one)');
    problems.throwIfAny();
    const codeDir = rlsBootstrapCodeDir();
    // Hashed from the copy in the function's code, so the template and the code always agree.
    this.sqlSha256 = createHash('sha256').update(fs.readFileSync(rlsBootstrapSqlFile(), 'utf8'), 'utf8').digest('hex');

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role with only what the function needs (no AWS managed policy).
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Applies the RLS bootstrap SQL through the RDS Data API',
    });
    this.function = new lambda.Function(this, 'Function', {
      description: 'Applies policies/rls/bootstrap.sql to the tenant database (Data API); never destructive',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'handler.handler',
      code: lambda.Code.fromAsset(codeDir),
      // Data API calls are short; the whole bootstrap is a few dozen statements. The Data API
      // times a statement out after 45 s by default (Aurora User Guide, data-api).
      timeout: Duration.minutes(5),
      memorySize: 256,
      role,
      logGroup,
    });
    logGroup.grantWrite(role);
    props.cluster.grantDataApiAccess(role);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::RlsBootstrap',
      properties: {
        SqlSha256: this.sqlSha256,
        ClusterArn: props.cluster.clusterArn,
        SecretArn: secret!.secretArn,
        Database: props.databaseName,
      },
      // Delete does nothing to the database; RETAIN says so to CloudFormation as well.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Run only once the writer instance exists (the Data API runs on the writer) and the role's
    // policy is attached.
    this.resource.node.addDependency(props.cluster);
    this.resource.node.addDependency(role);
  }
}
