/**
 * RlsBootstrap: a custom resource that applies policies/rls/bootstrap.sql to the cluster through
 * the RDS Data API on create and whenever the SQL changes (its SHA-256 is a resource property,
 * so a changed file is an Update), and does nothing to the database on delete.
 *
 * The function's code is lib/boundaries/database/rls-bootstrap/*.ts, transpiled at synth time by the
 * project's own TypeScript compiler (a devDependency) into the asset, next to a copy of the SQL.
 * No bundler is needed: the code imports only Node built-ins, its sibling files and
 * @aws-sdk/client-rds-data, which the Lambda Node.js runtime provides (Node.js 18 and later
 * runtimes include the AWS SDK for JavaScript v3; Lambda Developer Guide, lambda-nodejs).
 * Synth stays offline; the Docker fallback is never used.
 */
import { AssetHashType, CustomResource, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { PropProblems } from '../validation';

/** The reviewed SQL, loaded by the construct and shipped in the function's asset. */
export const RLS_BOOTSTRAP_SQL_FILE = path.join(__dirname, '..', '..', '..', 'policies', 'rls', 'bootstrap.sql');
const HANDLER_DIR = path.join(__dirname, 'rls-bootstrap');

/** The handler's source files (everything in lib/boundaries/database/rls-bootstrap/). */
function handlerSources(): string[] {
  return fs.readdirSync(HANDLER_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
}

/** Writes the transpiled handler and the SQL into `outputDir` (CDK local bundling). */
export function bundleRlsBootstrap(outputDir: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  for (const file of handlerSources()) {
    const source = fs.readFileSync(path.join(HANDLER_DIR, file), 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    });
    const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length) {
      throw new Error(`RlsBootstrap: cannot transpile ${file}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
    }
    fs.writeFileSync(path.join(outputDir, file.replace(/\.ts$/, '.js')), out.outputText);
  }
  fs.copyFileSync(RLS_BOOTSTRAP_SQL_FILE, path.join(outputDir, 'bootstrap.sql'));
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
    this.sqlSha256 = createHash('sha256').update(fs.readFileSync(RLS_BOOTSTRAP_SQL_FILE, 'utf8'), 'utf8').digest('hex');

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
      code: lambda.Code.fromAsset(HANDLER_DIR, {
        // OUTPUT: the hash covers the transpiled code AND the SQL copied in from policies/.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
          command: ['sh', '-c', 'echo "RlsBootstrap bundles locally with the project TypeScript compiler" >&2; exit 1'],
          local: {
            tryBundle(outputDir: string): boolean {
              bundleRlsBootstrap(outputDir);
              return true;
            },
          },
        },
      }),
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
