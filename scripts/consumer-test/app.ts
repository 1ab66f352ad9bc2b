/**
 * A consumer's CDK app, written as a platform team would write it against the INSTALLED package
 * (scripts/consumer-test.sh copies it into a fresh temp app, compiles it with TypeScript against
 * the package's declarations and runs it with node). Only public import paths.
 *
 * Context `case`:
 * - `clean`: TenantAccessRole with a tenant-scoped grant, plus the two boundaries whose
 *   constructs ship Lambda code (TenantDatabase: RLS bootstrap, TenantAnalytics: the
 *   transformation), so the synth proves the prebuilt bundles need no esbuild/TypeScript here.
 * - `planted`: the same, plus one unscoped grant on tenant data (`PlantedAnyTenant`):
 *   TenantIsolationChecks must fail the synth with TI-IAM1.
 */
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { objectPrefix, PRINCIPAL_TENANT, TenantAccessRole, TenantAnalytics, TenantDatabase, TenantId, TenantIsolationChecks } from 'tenant-isolation-blueprint';
// Type-only: proves the subpath declarations resolve (the runtime is checked without aws-cdk-lib).
import type { TenantTokenVerifier } from 'tenant-isolation-blueprint/runtime';
import type { AuditResult } from 'tenant-isolation-blueprint/audit';

export type Checked = [TenantTokenVerifier, AuditResult];

const app = new App();
const plantedCase = app.node.tryGetContext('case') === 'planted';
const stack = new Stack(app, 'Consumer');

const broker = new iam.Role(stack, 'AppBroker', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
const tenantRole = new TenantAccessRole(stack, 'TenantAccess', { broker, roleName: 'consumer-TenantAccessRole' });

// Tenant-scoped: the session's own prefix only (`tenants/${aws:PrincipalTag/TenantId}/`).
tenantRole.role.addToPrincipalPolicy(
  new iam.PolicyStatement({
    sid: 'OwnTenantObjects',
    actions: ['s3:GetObject'],
    resources: [`arn:aws:s3:::consumer-documents/${objectPrefix(PRINCIPAL_TENANT)}*`],
  }),
);
if (plantedCase) {
  // The mistake the pack exists for: every tenant's objects.
  tenantRole.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'PlantedAnyTenant', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::consumer-documents/*'] }));
}

const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
});
new TenantDatabase(stack, 'Database', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });

const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
});
const analytics = new TenantAnalytics(stack, 'Analytics', { qualifier: 'consumer', accessLogsBucket: accessLogs, producer: broker, refusedTenants: ['retired-co'] });
// The grant convention of every boundary: one tenant-scoped policy on the ABAC role.
analytics.grantTenantAccess(tenantRole.role);

// A tenant id is parsed once at the edge; a bad one is refused with the rule it broke.
TenantId.parse('acme');

Validations.of(app).addPlugins(new TenantIsolationChecks(app));
app.synth();
