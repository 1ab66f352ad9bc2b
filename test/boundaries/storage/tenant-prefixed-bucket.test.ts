/**
 * TenantPrefixedBucket on its own (the construct PoolStorage, TenantAnalytics and the support read
 * grant are built from), in a fresh app: a session tagged `acme` against `acme-corp`'s prefix,
 * the bucket root, the bucket configuration and the key, evaluated by the IAM oracle on the
 * synthesized identity, bucket and key policies; and the errors that name the construct path.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SUPPORT_READ_GRANT } from '../../../lib/boundaries/storage/pool-storage';
import { TenantPrefixedBucket } from '../../../lib/boundaries/storage/tenant-prefixed-bucket';
import { SUPPORT_OBJECT_READ_ACTIONS } from '../../../lib/core/storage-actions';
import { newTestApp } from '../../helpers/app';
import { arnOf, Decision, evaluate, identityPoliciesOf, keyPolicyOf, resourcePolicyFor } from '../../helpers/iam-attack';
import { logicalIdsOfType, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

function build() {
  const app = newTestApp();
  const stack = new Stack(app, 'Prefixed', { env: { account: TEST_ENV.account, region: TEST_ENV.region } });
  const logs = new s3.Bucket(stack, 'Logs');
  const data = new TenantPrefixedBucket(stack, 'Data', { bucketName: 'prefixed-data-bucket', accessLogsBucket: logs, accessLogsPrefix: 'data/' });
  const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  const writerGrant = data.grantTenantAccess(writer);
  const readerGrant = data.grantTenantAccess(reader, SUPPORT_READ_GRANT);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  return { stack, data, writer, reader, writerGrant, readerGrant, template };
}

const { writerGrant, readerGrant, template } = build();
const roleArn = (prefix: string) =>
  arnOf(
    template,
    logicalIdsOfType(template, 'AWS::IAM::Role').find((id) => id.startsWith(prefix))!,
  );
const bucketId = logicalIdsOfType(template, 'AWS::S3::Bucket').find((id) => id.startsWith('DataBucket'))!;
const keyId = logicalIdsOfType(template, 'AWS::KMS::Key').find((id) => id.startsWith('DataKey'))!;
const bucketArn = arnOf(template, bucketId);
const keyArn = arnOf(template, keyId);
const bucketPolicy = resourcePolicyFor(template, 'AWS::S3::BucketPolicy', 'Bucket', bucketId);
const keyPolicy = keyPolicyOf(template, keyId);
const S3_VIA = { 'kms:ViaService': `s3.${TEST_ENV.region}.amazonaws.com` };

interface Case {
  readonly name: string;
  readonly role: 'Writer' | 'Reader';
  readonly tenant?: string;
  readonly action: string;
  readonly resource: string;
  readonly on: 'bucket' | 'key';
  readonly context?: Record<string, string>;
  readonly expected: Decision;
}

const object = (owner: string) => `${bucketArn}/tenants/${owner}/report.csv`;
const cases: Case[] = [
  { name: 'acme reads its own object', role: 'Writer', tenant: 'acme', action: 's3:GetObject', resource: object('acme'), on: 'bucket', expected: 'Allowed' },
  { name: 'acme writes its own object', role: 'Writer', tenant: 'acme', action: 's3:PutObject', resource: object('acme'), on: 'bucket', expected: 'Allowed' },
  {
    name: "acme reads acme-corp's object (shared leading letters)",
    role: 'Writer',
    tenant: 'acme',
    action: 's3:GetObject',
    resource: object('acme-corp'),
    on: 'bucket',
    expected: 'ExplicitlyDenied',
  },
  {
    name: "acme deletes acme-corp's object",
    role: 'Writer',
    tenant: 'acme',
    action: 's3:DeleteObject',
    resource: object('acme-corp'),
    on: 'bucket',
    expected: 'ExplicitlyDenied',
  },
  // No tag: `${aws:PrincipalTag/TenantId}` does not resolve, so the grant matches nothing (the
  // explicit Deny of untagged sessions is TenantAccessRole's, not this construct's).
  {
    name: 'a session without the tenant tag reads tenants/acme/',
    role: 'Writer',
    action: 's3:GetObject',
    resource: object('acme'),
    on: 'bucket',
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'acme lists its own prefix',
    role: 'Writer',
    tenant: 'acme',
    action: 's3:ListBucket',
    resource: bucketArn,
    on: 'bucket',
    context: { 's3:prefix': 'tenants/acme/' },
    expected: 'Allowed',
  },
  {
    name: 'acme lists tenants/ (every tenant)',
    role: 'Writer',
    tenant: 'acme',
    action: 's3:ListBucket',
    resource: bucketArn,
    on: 'bucket',
    context: { 's3:prefix': 'tenants/' },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'acme lists the bucket root (no s3:prefix)',
    role: 'Writer',
    tenant: 'acme',
    action: 's3:ListBucket',
    resource: bucketArn,
    on: 'bucket',
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'acme lists versions of the bucket root',
    role: 'Writer',
    tenant: 'acme',
    action: 's3:ListBucketVersions',
    resource: bucketArn,
    on: 'bucket',
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'acme changes the bucket policy',
    role: 'Writer',
    tenant: 'acme',
    action: 's3:PutBucketPolicy',
    resource: bucketArn,
    on: 'bucket',
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'acme decrypts its own object via S3',
    role: 'Writer',
    tenant: 'acme',
    action: 'kms:Decrypt',
    resource: keyArn,
    on: 'key',
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': object('acme') },
    expected: 'Allowed',
  },
  {
    name: "acme decrypts acme-corp's object via S3",
    role: 'Writer',
    tenant: 'acme',
    action: 'kms:Decrypt',
    resource: keyArn,
    on: 'key',
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': object('acme-corp') },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'acme decrypts without an S3 encryption context',
    role: 'Writer',
    tenant: 'acme',
    action: 'kms:Decrypt',
    resource: keyArn,
    on: 'key',
    context: S3_VIA,
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'read-only grant: acme-support reads its tenant',
    role: 'Reader',
    tenant: 'acme',
    action: 's3:GetObject',
    resource: object('acme'),
    on: 'bucket',
    expected: 'Allowed',
  },
  {
    name: 'read-only grant: writes its own tenant',
    role: 'Reader',
    tenant: 'acme',
    action: 's3:PutObject',
    resource: object('acme'),
    on: 'bucket',
    expected: 'ExplicitlyDenied',
  },
  {
    name: "read-only grant: reads acme-corp's object",
    role: 'Reader',
    tenant: 'acme',
    action: 's3:GetObject',
    resource: object('acme-corp'),
    on: 'bucket',
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'read-only grant: GenerateDataKey on its own context',
    role: 'Reader',
    tenant: 'acme',
    action: 'kms:GenerateDataKey',
    resource: keyArn,
    on: 'key',
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': object('acme') },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'read-only grant: decrypts its own object via S3',
    role: 'Reader',
    tenant: 'acme',
    action: 'kms:Decrypt',
    resource: keyArn,
    on: 'key',
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': object('acme') },
    expected: 'Allowed',
  },
  {
    name: 'anyone uploads under another KMS key',
    role: 'Writer',
    tenant: 'acme',
    action: 's3:PutObject',
    resource: object('acme'),
    on: 'bucket',
    context: {
      's3:x-amz-server-side-encryption': 'aws:kms',
      's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/other`,
    },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'anyone uploads with SSE-S3',
    role: 'Writer',
    tenant: 'acme',
    action: 's3:PutObject',
    resource: object('acme'),
    on: 'bucket',
    context: { 's3:x-amz-server-side-encryption': 'AES256' },
    expected: 'ExplicitlyDenied',
  },
];

describe('TenantPrefixedBucket.grantTenantAccess: a tenant session against another tenant', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const arn = roleArn(c.role);
    const roleId = logicalIdsOfType(template, 'AWS::IAM::Role').find((id) => id.startsWith(c.role))!;
    const decision = await evaluate({
      roleArn: arn,
      tenant: c.tenant,
      action: c.action,
      resource: c.resource,
      identityPolicies: identityPoliciesOf(template, roleId),
      resourcePolicy: c.on === 'bucket' ? bucketPolicy : keyPolicy,
      context: c.context,
    });
    expect(decision).toBe(c.expected);
  });
});

describe('TenantPrefixedBucket: the grant, the contract and its errors', () => {
  test('grantTenantAccess returns an iam.Grant holding the identity statements (objects, then listing)', () => {
    expect(writerGrant.success).toBe(true);
    expect(writerGrant.principalStatements.map((s) => s.sid)).toEqual(['TenantObjects', 'TenantListing']);
    expect(readerGrant.principalStatements.map((s) => s.sid)).toEqual(['SupportTenantObjectsRead', 'SupportTenantListing']);
    expect(readerGrant.principalStatements[0].actions).toEqual([...SUPPORT_OBJECT_READ_ACTIONS]);
    expect(writerGrant.principalStatements[1].toStatementJson().Condition).toEqual({ StringLike: { 's3:prefix': 'tenants/${aws:PrincipalTag/TenantId}/*' } });
  });

  test('bucket and key are retained, SSE-KMS with Bucket Keys off', () => {
    const t = Template.fromJSON(template as never);
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketName: 'prefixed-data-bucket',
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: false, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
      },
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });

  test('a grantee that is not a role is refused with the construct path', () => {
    const { stack, data } = build();
    const user = new iam.User(stack, 'Someone');
    expect(() => data.grantTenantAccess(user)).toThrow(/^Prefixed\/Data: grantTenantAccess needs an IAM role/);
  });

  test('an object sub-prefix with a wildcard or without its delimiter is refused with the sid', () => {
    const { data, writer } = build();
    expect(() => data.grantTenantAccess(writer, { objectGrants: [{ sid: 'Bad', actions: ['s3:GetObject'], subPrefix: 'reports' }] })).toThrow(
      /^Prefixed\/Data: grantTenantAccess objectGrants Bad: subPrefix "reports" must end in '\/'/,
    );
    expect(() => data.grantTenantAccess(writer, { objectGrants: [{ sid: 'Wild', actions: ['s3:GetObject'], subPrefix: '*/' }] })).toThrow(/subPrefix "\*\/"/);
  });

  test('a second grant with the same statement ids is refused (policy sids must be unique)', () => {
    const { stack, data } = build();
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => data.grantTenantAccess(other)).toThrow(/^Prefixed\/Data: grantTenantAccess would repeat the statement ids DenyTenantRoleOutsideOwnPrefix, /);
  });

  test('an invalid bucket name is refused with the construct path and the value', () => {
    const stack = new Stack(newTestApp(), 'Names');
    expect(() => new TenantPrefixedBucket(stack, 'Data', { bucketName: 'Not_A_Bucket', accessLogsBucket: new s3.Bucket(stack, 'Logs'), accessLogsPrefix: 'x/' })).toThrow(
      /^Names\/Data: bucketName "Not_A_Bucket" is not a valid S3 bucket name/,
    );
  });
});
