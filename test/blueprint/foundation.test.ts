/**
 * Construct assertions for the foundation: the stacks, TenantAccessRole and the storage boundary.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildBlueprint } from '../../lib/blueprint/app';
import { parseRegistry } from '../../lib/core/registry';
import { newTestApp, testBlueprint, testRegistry } from '../helpers/app';
import { PRINCIPAL_TENANT } from '../../lib/core/namespace';
import { TENANT_TAG_REFUSED_PATTERNS } from '../../lib/core/tenant-id-iam';

const { app, blueprint } = testBlueprint(['acme', 'acme-corp', 'globex:silo']);
const platform = Template.fromStack(blueprint.platform);
const tenantStack = (id: string) => blueprint.tenants.find((t) => t.tenant.id.value === id)!;

describe('stacks', () => {
  test('one platform stack and one tenant stack per registry entry, with stable names', () => {
    expect(blueprint.platform.stackName).toBe('tib-platform');
    expect(blueprint.tenants.map((t) => t.stackName)).toEqual(['tib-tenant-acme', 'tib-tenant-acme-corp', 'tib-tenant-globex']);
    for (const t of blueprint.tenants) expect(t.dependencies).toContain(blueprint.platform);
  });

  test('stacks are env-agnostic (no account or region baked in)', () => {
    for (const stack of [blueprint.platform, ...blueprint.tenants]) {
      expect(Stack.of(stack).account).toMatch(/^\$\{Token/);
      expect(Stack.of(stack).region).toMatch(/^\$\{Token/);
    }
  });

  test('tenant stacks are tagged with their TenantId', () => {
    Template.fromStack(tenantStack('acme')).hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/tib/tenants/acme',
      Tags: Match.objectLike({ TenantId: 'acme' }),
    });
  });
});

describe('TenantAccessRole', () => {
  test('is assumable only by the broker, with sts:TagSession, the TenantId tag required and constrained', () => {
    platform.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'tib-TenantAccessRole',
      Path: '/tenant-isolation/',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        // Match.arrayWith: the support helper added a statement that lets the broker set an
        // `app.` source identity (attribution); it is tested in test/support-tooling.
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DemoBrokerRole'), 'Arn'] } },
            Condition: {
              StringLike: { 'aws:RequestTag/TenantId': '???*' },
              StringNotLike: { 'aws:RequestTag/TenantId': [...TENANT_TAG_REFUSED_PATTERNS] },
              'ForAllValues:StringEquals': { 'aws:TagKeys': ['TenantId'] },
            },
          },
        ]),
      },
    });
  });

  test('carries no TenantId tag of its own (the tenant comes only from the session)', () => {
    const roles = platform.findResources('AWS::IAM::Role', { Properties: { RoleName: 'tib-TenantAccessRole' } });
    const tags = Object.values(roles)[0].Properties.Tags as Array<{ Key: string }>;
    expect(tags.map((t) => t.Key)).not.toContain('TenantId');
  });

  test('denies everything when the principal tag is absent', () => {
    platform.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Sid: 'DenyAllWithoutTenantTag', Effect: 'Deny', Action: '*', Resource: '*', Condition: { Null: { 'aws:PrincipalTag/TenantId': 'true' } } },
        ]),
      },
    });
  });

  test('brokerRoleArn replaces the placeholder broker in the trust policy', () => {
    const broker = 'arn:aws:iam::111122223333:role/my-app';
    const b = buildBlueprint(newTestApp(), { registry: testRegistry(['acme']), brokerRoleArn: broker });
    const t = Template.fromStack(b.platform);
    expect(Object.keys(t.findResources('AWS::IAM::Role')).some((id) => id.startsWith('DemoBrokerRole'))).toBe(false);
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'tib-TenantAccessRole',
      AssumeRolePolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: broker } })]) },
    });
  });
});

describe('pool storage', () => {
  test('the bucket blocks public access, is versioned, logged, SSE-KMS with Bucket Keys off, and retained', () => {
    platform.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: { 'Fn::Join': ['', ['tib-tenant-data-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: false,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PoolStorageKey'), 'Arn'] } },
            },
          ],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogsBucket') }, LogFilePrefix: 'pool-tenant-data/' },
      }),
    });
  });

  test('the key rotates and is retained', () => {
    platform.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test('the bucket policy enforces TLS', () => {
    platform.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^PoolStorageBucket') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the identity policy names only the session-tag variable, never a tenant', () => {
    const policies = platform.findResources('AWS::IAM::ManagedPolicy');
    const text = JSON.stringify(policies);
    expect(text).toContain(`/tenants/${PRINCIPAL_TENANT}/*`);
    expect(text).toContain(`"s3:prefix":"tenants/${PRINCIPAL_TENANT}/*"`);
    for (const id of ['acme', 'acme-corp', 'globex']) expect(text).not.toContain(`tenants/${id}`);
  });

  test('the access-log bucket is SSE-S3 (the only encryption log delivery supports), versioned, retained', () => {
    platform.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: { 'Fn::Join': ['', ['tib-access-logs-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
  });
});

describe('silo storage', () => {
  const silo = Template.fromStack(tenantStack('globex'));

  test('a silo tenant gets its own retained, encrypted, versioned, logged bucket and key', () => {
    silo.resourceCountIs('AWS::S3::Bucket', 1);
    // One storage key (every tenant stack also has its jobs key: lib/boundaries/jobs/tenant-queues.ts).
    expect(Object.keys(silo.findResources('AWS::KMS::Key')).filter((id) => id.startsWith('SiloStorageKey'))).toHaveLength(1);
    silo.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'silo-tenant-data/globex/' },
      }),
    });
    silo.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('pool tenants get no bucket of their own', () => {
    Template.fromStack(tenantStack('acme')).resourceCountIs('AWS::S3::Bucket', 0);
  });

  test('a retired silo tenant keeps its bucket but loses access', () => {
    const b = buildBlueprint(newTestApp(), {
      registry: parseRegistry(JSON.stringify({ version: 1, tenants: [{ id: 'globex', tier: 'silo', status: 'retired' }] })),
    });
    const t = Template.fromStack(b.tenants[0]);
    t.resourceCountIs('AWS::S3::Bucket', 1);
    const policy = JSON.stringify(t.findResources('AWS::S3::BucketPolicy'));
    expect(policy).toContain('DenyOtherTenantSessions');
    expect(policy).not.toContain('"Sid":"TenantObjects"');
  });
});

describe('CloudFormation validation', () => {
  test('the feature flag that makes validator errors fail synth is on', () => {
    expect(app.node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
  });

  test('an invalid template fails synth, naming the property and the resource', () => {
    const { app: bad, blueprint: b } = testBlueprint(['acme']);
    const bucket = b.platform.node.findAll().find((c) => c instanceof s3.Bucket) as s3.Bucket;
    (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('NotAProperty', 'x');
    expect(() => bad.synth()).toThrow(/ERROR NotAProperty: Additional properties are not allowed[\s\S]*AccessLogsBucket/);
  });

  test('the real app synthesizes cleanly', () => {
    expect(() => app.synth()).not.toThrow();
  });
});
