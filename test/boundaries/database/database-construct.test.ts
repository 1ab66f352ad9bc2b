/**
 * Construct assertions for the database boundary: the Aurora cluster, the bootstrap custom
 * resource, cdk-nag AwsSolutions (real pack, via Validations like `cdk synth`), props
 * validation, and the deployable function code itself: the esbuild bundle in the asset is loaded
 * and its request logic run against PGlite, so what CloudFormation would invoke is what the tests
 * execute.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TenantDatabase } from '../../../lib/boundaries/database/database';
import { PlatformNetwork } from '../../../lib/blueprint/network';
import { RLS_BOOTSTRAP_SQL_FILE } from '../../../lib/boundaries/database/rls-bootstrap-resource';
import { newTestApp, testBlueprint } from '../../helpers/app';

// The bundle requires @aws-sdk/client-rds-data, which the Lambda runtime provides and the asset
// folder (outside this repository) cannot resolve. These tests hand the logic a PGlite executor,
// so the Data API client is never used: the double refuses every call to prove it.
jest.mock(
  '@aws-sdk/client-rds-data',
  () => {
    class UnusedRdsDataClientDouble {
      async send(): Promise<never> {
        throw new Error('UnusedRdsDataClientDouble: the Data API is not reachable in tests');
      }
    }
    class Command {
      constructor(public readonly input: unknown) {}
    }
    return {
      RDSDataClient: UnusedRdsDataClientDouble,
      BeginTransactionCommand: Command,
      ExecuteStatementCommand: Command,
      CommitTransactionCommand: Command,
      RollbackTransactionCommand: Command,
    };
  },
  { virtual: true },
);

const SQL_SHA256 = createHash('sha256').update(fs.readFileSync(RLS_BOOTSTRAP_SQL_FILE, 'utf8'), 'utf8').digest('hex');

function databaseStack(props: Partial<ConstructorParameters<typeof TenantDatabase>[2]> = {}) {
  const app = newTestApp();
  const stack = new Stack(app, 'Db');
  const network = new PlatformNetwork(stack, 'Network');
  const database = new TenantDatabase(stack, 'Database', { vpc: network.vpc, vpcSubnets: network.dataSubnets, ...props });
  return { app, stack, database };
}

describe('TenantDatabase in the platform stack', () => {
  const { app, blueprint } = testBlueprint(['acme', 'acme-corp']);
  const template = Template.fromStack(blueprint.platform);

  test('Aurora PostgreSQL 17.5 Serverless v2, encrypted with the customer key, IAM auth, Data API, protected, backed up', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EngineVersion: '17.5',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
      EnableIAMDatabaseAuthentication: true,
      EnableHttpEndpoint: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      DatabaseName: 'tenant_app',
    });
    const clusters = template.findResources('AWS::RDS::DBCluster');
    expect(Object.values(clusters).map((c) => [c.DeletionPolicy, c.UpdateReplacePolicy])).toEqual([['Snapshot', 'Snapshot']]);
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.allResourcesProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PubliclyAccessible: false });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: Match.objectLike({ 'rds.force_ssl': '1' }) });
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  test("the cluster sits in the platform VPC's isolated subnets", () => {
    const subnetGroups = Object.values(template.findResources('AWS::RDS::DBSubnetGroup'));
    expect(subnetGroups).toHaveLength(1);
    const isolated = blueprint.platform.network.vpc.isolatedSubnets.map((s) => blueprint.platform.resolve(s.subnetId));
    expect(subnetGroups[0].Properties.SubnetIds).toEqual(isolated);
  });

  test('the master secret is encrypted with the customer key and rotated every 30 days', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: Match.objectLike({}), PrivateDnsEnabled: true });
  });

  test('the bootstrap custom resource carries the SQL hash, the cluster, the secret and the database', () => {
    template.hasResource('Custom::RlsBootstrap', {
      Properties: {
        SqlSha256: SQL_SHA256,
        ClusterArn: Match.anyValue(),
        SecretArn: { Ref: Match.stringLikeRegexp('^DatabaseClusterSecretAttachment') },
        Database: 'tenant_app',
      },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^DatabaseClusterwriter')]),
      DeletionPolicy: 'Retain',
    });
  });

  test('the bootstrap function may use the Data API on this cluster and read its secret, nothing else', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^DatabaseRlsBootstrapRole') }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action as string | string[])).sort();
    expect(actions).toEqual(
      expect.arrayContaining([
        'rds-data:BeginTransaction',
        'rds-data:CommitTransaction',
        'rds-data:ExecuteStatement',
        'rds-data:RollbackTransaction',
        'secretsmanager:GetSecretValue',
      ]),
    );
    for (const a of actions) expect(a).toMatch(/^(rds-data|secretsmanager|kms|logs):/);
    for (const s of statements) expect(s.Resource).not.toBe('*');
    void app;
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('the database construct has no unacknowledged finding (Validations plugin, as at synth)', () => {
    const { app } = databaseStack();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  test('control: the same plugin does fail a cluster without IAM auth (the pack really runs)', () => {
    const app = newTestApp();
    const stack = new Stack(app, 'Control');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new rds.DatabaseCluster(stack, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_5 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      writer: rds.ClusterInstance.serverlessV2('writer'),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-RDS6/);
  });
});

describe('TenantDatabase props validation', () => {
  test('reports every bad prop at once, naming the construct path and the value', () => {
    expect(() =>
      databaseStack({
        databaseName: 'Tenant-App',
        serverlessV2MinCapacity: 0.3,
        serverlessV2MaxCapacity: 300,
        readers: -1,
        engineVersion: rds.AuroraPostgresEngineVersion.VER_14_9,
      }),
    ).toThrow(
      new RegExp(
        [
          'Db/Database: invalid props \\(5\\):',
          '  - databaseName: "Tenant-App" — must be a PostgreSQL identifier matching .*',
          '  - serverlessV2MinCapacity: 0.3 — must be 0 to 256 in steps of 0.5',
          '  - serverlessV2MaxCapacity: 300 — must be 1 to 256 .*',
          '  - readers: -1 — must be an integer from 0 to 15',
          '  - engineVersion: "14.9" — must be PostgreSQL 15 or later',
        ].join('\\n'),
      ),
    );
  });
});

describe('the deployable bootstrap function (synthesized asset)', () => {
  const { app, stack } = databaseStack();
  const assembly = app.synth();
  const template = Template.fromStack(stack).toJSON();
  const fnKey = Object.keys(template.Resources).find((k) => k.startsWith('DatabaseRlsBootstrapFunction'))!;
  const fn = template.Resources[fnKey].Properties;
  const assetDir = path.join(assembly.directory, `asset.${String(fn.Code.S3Key).replace(/\.zip$/, '')}`);

  test('contains the bundled handler and the same SQL the template hashes, on a current runtime', () => {
    expect(fs.readdirSync(assetDir).sort()).toEqual(['bootstrap.sql', 'handler.js']);
    const bundled = fs.readFileSync(path.join(assetDir, 'bootstrap.sql'), 'utf8');
    expect(createHash('sha256').update(bundled, 'utf8').digest('hex')).toBe(SQL_SHA256);
    expect(fn.Handler).toBe('handler.handler');
    expect(fn.Runtime).toBe('nodejs24.x');
    // One self-contained file: only Node built-ins and the runtime-provided AWS SDK v3 are required.
    const requires = [...fs.readFileSync(path.join(assetDir, 'handler.js'), 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect([...new Set(requires)].sort()).toEqual(['@aws-sdk/client-rds-data', 'crypto', 'fs', 'https', 'path']);
  });

  test('the bundled handler.js applies the bundled SQL to a real PostgreSQL (PGlite)', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundledLogic = require(path.join(assetDir, 'handler.js')) as typeof import('../../../lib/boundaries/database/rls-bootstrap/handler');
    const script = fs.readFileSync(path.join(assetDir, 'bootstrap.sql'), 'utf8');
    const db = new PGlite();
    try {
      const executor = {
        begin: async () => void (await db.query('BEGIN')),
        execute: async (s: string) => void (await db.query(s)),
        commit: async () => void (await db.query('COMMIT')),
        rollback: async () => void (await db.query('ROLLBACK')),
      };
      const body = await bundledLogic.handleRequest(
        {
          RequestType: 'Create',
          ResponseURL: 'https://example.invalid/response',
          StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/tib-platform/x',
          RequestId: 'req-1',
          LogicalResourceId: 'DatabaseRlsBootstrap',
          ResourceProperties: { SqlSha256: SQL_SHA256 },
        },
        script,
        () => executor,
      );
      expect(JSON.parse(body)).toMatchObject({ Status: 'SUCCESS', Data: { Applied: 'true', SqlSha256: SQL_SHA256 } });
      expect((await db.query("SELECT count(*)::int AS n FROM pg_proc WHERE pronamespace = 'isolation'::regnamespace")).rows).toEqual([{ n: 8 }]);
    } finally {
      await db.close();
    }
  });
});
