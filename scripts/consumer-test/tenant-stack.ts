/**
 * The consumer's app construction as a function, so its jest test (isolation.test.ts, the README
 * example) can build it: a TenantAccessRole with a tenant-scoped grant on a pool bucket.
 * `CONSUMER_CASE=planted` adds one grant on every tenant's objects, which the matcher must fail on.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { objectPrefix, PRINCIPAL_TENANT, TenantAccessRole } from 'tenant-isolation-blueprint';

export function buildApp(app: App): App {
  const stack = new Stack(app, 'Documents');
  const bucket = new s3.Bucket(stack, 'Pool', { bucketName: 'consumer-documents' });
  const broker = new iam.Role(stack, 'AppBroker', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const tenants = new TenantAccessRole(stack, 'TenantAccess', { broker, roleName: 'consumer-TenantAccessRole' });
  tenants.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'OwnTenantObjects', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${objectPrefix(PRINCIPAL_TENANT)}*`)] }),
  );
  if (process.env.CONSUMER_CASE === 'planted') {
    tenants.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'PlantedAnyTenant', actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
  }
  return app;
}
