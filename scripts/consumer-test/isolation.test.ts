import { App } from 'aws-cdk-lib';
import { tenantAccessSurface } from 'tenant-isolation-blueprint/jest'; // importing it registers the matcher
import { buildApp } from './tenant-stack'; // your app, built by a function

test('no tenant reaches another tenant', async () => {
  await expect(buildApp(new App())).toHaveNoCrossTenantAccess(); // also takes a Stage or a cdk.out path
});
test('the tenant access surface is reviewed like code', async () => {
  expect(await tenantAccessSurface(buildApp(new App()))).toMatchSnapshot();
});
