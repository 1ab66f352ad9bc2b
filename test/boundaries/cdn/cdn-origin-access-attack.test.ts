/**
 * The CDN's origin access on the synthesized blueprint, under the IAM oracle
 * (@cloud-copilot/iam-simulate): CloudFront (the `cloudfront.amazonaws.com` service principal,
 * acting for the distribution named by `aws:SourceArn`) reads exactly `tenants/*` of the pool
 * bucket and decrypts exactly objects under it; nothing else, and nothing for another
 * distribution. The tenant fences the CDN added to share the bucket and key policies with still
 * hold for tenant sessions (storage-attack.test.ts proves them in full).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { testBlueprint } from '../../helpers/app';
import { arnOf, Decision, evaluate, evaluateService, identityPoliciesOf, keyPolicyOf, resourcePolicyFor } from '../../helpers/iam-attack';
import { logicalIdsOfType, resolve, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const { blueprint } = testBlueprint(['acme', 'acme-corp', 'globex:silo']);
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const silo = Template.fromStack(blueprint.tenants.find((t) => t.tenant.id.value === 'globex')!).toJSON() as TemplateJson;

const bucketId = logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('PoolStorageBucket'))!;
const keyId = logicalIdsOfType(platform, 'AWS::KMS::Key').find((id) => id.startsWith('PoolStorageKey'))!;
const logsId = logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('AccessLogsBucket'))!;
const distributionId = logicalIdsOfType(platform, 'AWS::CloudFront::Distribution')[0];
const bucketArn = arnOf(platform, bucketId);
const keyArn = arnOf(platform, keyId);
const bucketPolicy = resourcePolicyFor(platform, 'AWS::S3::BucketPolicy', 'Bucket', bucketId);
const keyPolicy = keyPolicyOf(platform, keyId);
const distributionArn = resolve(platform, {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]],
}) as string;
const otherDistribution = `arn:aws:cloudfront::${TEST_ENV.account}:distribution/EOTHERDIST0001`;
const CONTEXT = 'kms:EncryptionContext:aws:s3:arn';

const cf = (action: string, resource: string, policy: 'bucket' | 'key', context: Record<string, string> = {}) =>
  evaluateService({ service: 'cloudfront.amazonaws.com', action, resource, resourcePolicy: policy === 'bucket' ? bucketPolicy : keyPolicy, context });

describe('CloudFront reads exactly tenants/* of the pool bucket, for this distribution only', () => {
  it.each(['acme', 'acme-corp'])('reads and decrypts %s objects through the distribution', async (tenant) => {
    const object = `${bucketArn}/tenants/${tenant}/exports/report.pdf`;
    expect(await cf('s3:GetObject', object, 'bucket', { 'aws:SourceArn': distributionArn })).toBe('Allowed');
    expect(await cf('kms:Decrypt', keyArn, 'key', { 'aws:SourceArn': distributionArn, [CONTEXT]: object })).toBe('Allowed');
  });

  const refused: Array<[string, string, string, 'bucket' | 'key', Record<string, string>, Decision]> = [
    ['an object outside tenants/', 's3:GetObject', `${bucketArn}/platform/config.json`, 'bucket', { 'aws:SourceArn': distributionArn }, 'ExplicitlyDenied'],
    ['a look-alike root (tenantsX/)', 's3:GetObject', `${bucketArn}/tenantsX/acme/x`, 'bucket', { 'aws:SourceArn': distributionArn }, 'ExplicitlyDenied'],
    ['a write', 's3:PutObject', `${bucketArn}/tenants/acme/x`, 'bucket', { 'aws:SourceArn': distributionArn }, 'ExplicitlyDenied'],
    ['a delete', 's3:DeleteObject', `${bucketArn}/tenants/acme/x`, 'bucket', { 'aws:SourceArn': distributionArn }, 'ExplicitlyDenied'],
    ['an old version', 's3:GetObjectVersion', `${bucketArn}/tenants/acme/x`, 'bucket', { 'aws:SourceArn': distributionArn }, 'ExplicitlyDenied'],
    ['a listing of the bucket', 's3:ListBucket', bucketArn, 'bucket', { 'aws:SourceArn': distributionArn }, 'ExplicitlyDenied'],
    ['a read for another distribution', 's3:GetObject', `${bucketArn}/tenants/acme/x`, 'bucket', { 'aws:SourceArn': otherDistribution }, 'ExplicitlyDenied'],
    ['a read without a source distribution', 's3:GetObject', `${bucketArn}/tenants/acme/x`, 'bucket', {}, 'ExplicitlyDenied'],
    [
      'a decrypt of an object outside tenants/',
      'kms:Decrypt',
      keyArn,
      'key',
      { 'aws:SourceArn': distributionArn, [CONTEXT]: `${bucketArn}/platform/config.json` },
      'ExplicitlyDenied',
    ],
    ['a decrypt without an encryption context', 'kms:Decrypt', keyArn, 'key', { 'aws:SourceArn': distributionArn }, 'ExplicitlyDenied'],
    [
      'a decrypt for another distribution',
      'kms:Decrypt',
      keyArn,
      'key',
      { 'aws:SourceArn': otherDistribution, [CONTEXT]: `${bucketArn}/tenants/acme/x` },
      'ExplicitlyDenied',
    ],
    ['a data key (writes)', 'kms:GenerateDataKey', keyArn, 'key', { 'aws:SourceArn': distributionArn, [CONTEXT]: `${bucketArn}/tenants/acme/x` }, 'ExplicitlyDenied'],
    ['key administration', 'kms:PutKeyPolicy', keyArn, 'key', { 'aws:SourceArn': distributionArn }, 'ExplicitlyDenied'],
  ];
  it.each(refused)('refuses %s', async (_what, action, resource, policy, context, expected) => {
    expect(await cf(action, resource, policy, context)).toBe(expected);
  });

  it('reaches no other bucket: the access-log bucket and the silo bucket grant CloudFront nothing', async () => {
    const logs = resourcePolicyFor(platform, 'AWS::S3::BucketPolicy', 'Bucket', logsId);
    const siloBucketId = logicalIdsOfType(silo, 'AWS::S3::Bucket').find((id) => id.startsWith('SiloStorageBucket'))!;
    const siloPolicy = resourcePolicyFor(silo, 'AWS::S3::BucketPolicy', 'Bucket', siloBucketId);
    const ctx = { 'aws:SourceArn': distributionArn };
    expect(
      await evaluateService({
        service: 'cloudfront.amazonaws.com',
        action: 's3:GetObject',
        resource: `${arnOf(platform, logsId)}/pool-tenant-data/x`,
        resourcePolicy: logs,
        context: ctx,
      }),
    ).toBe('ImplicitlyDenied');
    expect(
      await evaluateService({
        service: 'cloudfront.amazonaws.com',
        action: 's3:GetObject',
        resource: `${arnOf(silo, siloBucketId)}/tenants/globex/x`,
        resourcePolicy: siloPolicy,
        context: ctx,
      }),
    ).toBe('ImplicitlyDenied');
  });

  it('no platform key policy other than the pool key mentions CloudFront', () => {
    const keys = logicalIdsOfType(platform, 'AWS::KMS::Key').filter((id) => id !== keyId);
    expect(keys.length).toBeGreaterThan(3);
    for (const id of keys) expect(JSON.stringify(keyPolicyOf(platform, id))).not.toContain('cloudfront.amazonaws.com');
  });
});

describe('the tenant fences still hold next to the CDN statements', () => {
  const roleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('TenantAccessRole'))!;
  const roleArn = arnOf(platform, roleId);
  const identity = identityPoliciesOf(platform, roleId);

  it.each([
    ['acme', 's3:GetObject', `${bucketArn}/tenants/acme-corp/x`, 'ExplicitlyDenied'],
    ['acme-corp', 's3:GetObject', `${bucketArn}/tenants/acme/x`, 'ExplicitlyDenied'],
    ['acme', 's3:GetObject', `${bucketArn}/tenants/acme/x`, 'Allowed'],
  ] as const)('%s %s %s -> %s', async (tenant, action, resource, expected) => {
    expect(await evaluate({ roleArn, tenant, action, resource, identityPolicies: identity, resourcePolicy: bucketPolicy, context: { 's3:TlsVersion': '1.3' } })).toBe(
      expected,
    );
  });

  it("a tenant session cannot pose as the distribution: CloudFront's grant names the service principal only", async () => {
    const widened = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 'kms:Decrypt'], Resource: '*' }] }];
    expect(
      await evaluate({
        roleArn,
        tenant: 'acme',
        action: 's3:GetObject',
        resource: `${bucketArn}/tenants/globex/x`,
        identityPolicies: widened,
        resourcePolicy: bucketPolicy,
        context: { 'aws:SourceArn': distributionArn, 's3:TlsVersion': '1.3' },
      }),
    ).toBe('ExplicitlyDenied');
    expect(
      await evaluate({
        roleArn,
        tenant: 'acme',
        action: 'kms:Decrypt',
        resource: keyArn,
        identityPolicies: widened,
        resourcePolicy: keyPolicy,
        context: { 'aws:SourceArn': distributionArn, [CONTEXT]: `${bucketArn}/tenants/globex/x`, 'kms:ViaService': `s3.${TEST_ENV.region}.amazonaws.com` },
      }),
    ).toBe('ExplicitlyDenied');
  });

  it('the access-log bucket still refuses every tenant session (tenant-session fence)', async () => {
    const logs = resourcePolicyFor(platform, 'AWS::S3::BucketPolicy', 'Bucket', logsId);
    const widened = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }];
    expect(
      await evaluate({
        roleArn,
        tenant: 'acme',
        action: 's3:GetObject',
        resource: `${arnOf(platform, logsId)}/pool-tenant-data/x`,
        identityPolicies: widened,
        resourcePolicy: logs,
      }),
    ).toBe('ExplicitlyDenied');
  });
});
