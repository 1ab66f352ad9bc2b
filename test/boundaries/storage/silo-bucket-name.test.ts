/**
 * Silo bucket names do not reveal the tenant: a bucket name is a public DNS name
 * (`<bucket>.s3.<region>.amazonaws.com`), so a name that carries the tenant id publishes the
 * customer list. Before the fix the silo bucket had no name and CloudFormation generated one from
 * the stack name `tib-tenant-<id>` (so it started with `tib-tenant-globex-...`).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { names } from '../../../lib/blueprint/names';
import { SiloStorage } from '../../../lib/boundaries/storage/silo-storage';
import { hashedTenantLabel } from '../../../lib/core/namespace';
import { TenantId } from '../../../lib/core/tenant-id';
import { logicalIdsOfType, resolve, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';
import { newTestApp, testBlueprint } from '../../helpers/app';

const SILOS = ['globex', 'acme-corp', 'initech'];
const { blueprint } = testBlueprint(SILOS.map((s) => `${s}:silo`));

describe('silo bucket names carry a hashed label, never the tenant id', () => {
  test.each(SILOS)('%s: the bucket has an explicit name without the tenant id', (tenant) => {
    const stack = blueprint.tenants.find((t) => t.tenant.id.value === tenant)!;
    const template = Template.fromStack(stack).toJSON() as TemplateJson;
    const buckets = logicalIdsOfType(template, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(1);
    const name = resolve(template, template.Resources[buckets[0]].Properties?.BucketName) as string | undefined;
    expect(typeof name).toBe('string');
    expect(name).toBe(`tib-silo-${hashedTenantLabel(TenantId.parse(tenant))}-${TEST_ENV.account}-${TEST_ENV.region}`);
    expect(name!.includes(tenant)).toBe(false);
    expect(name!.length).toBeLessThanOrEqual(63); // S3 bucket naming rules
    // Still retained: a rename replaces the bucket, the old one (with its data) stays.
    expect((template.Resources[buckets[0]] as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
  });

  test('labels differ per tenant (one bucket each) and match the silo cache label', () => {
    const labels = SILOS.map((t) => hashedTenantLabel(TenantId.parse(t)));
    expect(new Set(labels).size).toBe(SILOS.length);
    expect(labels.every((l) => /^[0-9a-f]{10}$/.test(l))).toBe(true);
  });

  test('SiloStorage refuses a bucket name that carries the tenant id', () => {
    const stack = new Stack(newTestApp(), 'S');
    const logs = s3.Bucket.fromBucketName(stack, 'Logs', 'logs');
    const props = { tenant: TenantId.parse('globex'), tenantAccessRoleArn: 'arn:aws:iam::111122223333:role/x', accessLogsBucket: logs };
    expect(() => new SiloStorage(stack, 'A', { ...props, bucketName: `tib-globex-data-${stack.account}` })).toThrow(
      /S\/A: bucketName .* contains the tenant id "globex"; bucket names are public DNS names/,
    );
    expect(() => new SiloStorage(stack, 'B', { ...props, bucketName: names.siloBucket('tib', TenantId.parse('globex')) })).not.toThrow();
  });
});
