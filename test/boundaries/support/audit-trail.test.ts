/**
 * The audit trail and the support-access alert: construct assertions on the synthesized
 * template, attacks on the log bucket policy, and the alert's EventBridge pattern and input
 * transformer run against sample CloudTrail events (test/helpers/event-pattern.ts; samples
 * shaped after the AssumeRole records in the IAM User Guide, cloudtrail-integration).
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { assumeRoleEventPattern } from '../../../lib/boundaries/support/support-alert';
import { testBlueprint } from '../../helpers/app';
import { applyInputTransformer, matchesEventPattern } from '../../helpers/event-pattern';
import { arnOf, evaluate, resourcePolicyFor } from '../../helpers/iam-attack';
import { logicalIdsOfType, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const { blueprint } = testBlueprint(['acme', 'acme-corp', 'globex:silo']);
const template = Template.fromStack(blueprint.platform);
const platform = template.toJSON() as TemplateJson;
const ACCOUNT = TEST_ENV.account;

describe('CloudTrail trail', () => {
  const trail = () => Object.values(template.findResources('AWS::CloudTrail::Trail'))[0].Properties;

  test('one multi-Region trail with log file validation, global events and a customer key', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'tib-audit-trail',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SupportAuditTrailKey'), 'Arn'] },
      S3BucketName: { Ref: Match.stringLikeRegexp('^SupportAuditTrailBucket') },
    });
  });

  test('management events (read and write) and S3 data events: the pool bucket by ARN, every other bucket but the log buckets', () => {
    const selectors = trail().AdvancedEventSelectors as Array<{ Name: string; FieldSelectors: Array<Record<string, unknown>> }>;
    expect(selectors.map((s) => s.Name)).toEqual(['Management events', 'Pool tenant data', 'Silo tenant data and any other bucket, except log buckets']);
    expect(selectors[0].FieldSelectors).toEqual([{ Field: 'eventCategory', Equals: ['Management'] }]); // no readOnly filter
    const poolBucketId = logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('PoolStorageBucket'))!;
    const poolArnPrefix = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [poolBucketId, 'Arn'] }, '/']] };
    expect(selectors[1].FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'resources.ARN', StartsWith: [poolArnPrefix] },
    ]);
    const excluded = JSON.stringify(selectors[2].FieldSelectors[2]);
    expect(selectors[2].FieldSelectors.slice(0, 2)).toEqual(selectors[1].FieldSelectors.slice(0, 2));
    expect(selectors[2].FieldSelectors[2].Field).toBe('resources.ARN');
    expect(excluded).toContain('NotStartsWith');
    expect(excluded).toMatch(/SupportAuditTrailBucket/); // the trail's own bucket (it would log its own deliveries)
    expect(excluded).toMatch(/AccessLogsBucket/);
    expect(excluded).toContain(poolBucketId); // already in the pool selector
  });

  test('the trail key rotates, is retained, and lets CloudTrail encrypt for this trail only', () => {
    const key = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('SupportAuditTrailKey'))![1];
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = JSON.stringify(key.Properties.KeyPolicy.Statement);
    expect(key.Properties.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'AllowCloudTrailEncryptLogs',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:GenerateDataKey*',
          Condition: expect.objectContaining({
            StringLike: expect.objectContaining({ 'kms:EncryptionContext:aws:cloudtrail:arn': expect.anything() }),
            StringEquals: expect.objectContaining({ 'aws:SourceArn': expect.anything() }),
          }),
        }),
        expect.objectContaining({ Sid: 'AllowCloudTrailDescribeKey', Action: 'kms:DescribeKey' }),
      ]),
    );
    expect(statements).toContain(':trail/tib-audit-trail');
  });
});

describe('audit log bucket', () => {
  const bucketId = logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('SupportAuditTrailBucket'))!;

  test('blocks public access, is versioned, Object Lock (GOVERNANCE, 365 days), logged, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: { 'Fn::Join': ['', ['tib-audit-logs-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogsBucket') }, LogFilePrefix: 'audit-trail/' },
      }),
    });
  });

  const policy = resourcePolicyFor(platform, 'AWS::S3::BucketPolicy', 'Bucket', bucketId);
  const bucketArn = arnOf(platform, bucketId);
  const admin = `arn:aws:iam::${ACCOUNT}:role/Administrator`;
  const adminPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const logFile = `${bucketArn}/AWSLogs/${ACCOUNT}/CloudTrail/eu-west-1/2026/11/26/x.json.gz`;

  test.each([
    ['s3:DeleteObject', logFile],
    ['s3:DeleteObjectVersion', logFile],
    ['s3:BypassGovernanceRetention', logFile],
    ['s3:PutObjectRetention', logFile],
    ['s3:PutObjectLegalHold', logFile],
    ['s3:DeleteBucket', bucketArn],
  ])('an administrator with Allow * cannot %s', async (action, resource) => {
    expect(await evaluate({ roleArn: admin, action, resource, identityPolicies: [adminPolicy], resourcePolicy: policy })).toBe('ExplicitlyDenied');
  });

  test('plain HTTP is denied, TLS reads by an administrator are allowed', async () => {
    const req = (secure: string) =>
      evaluate({
        roleArn: admin,
        action: 's3:GetObject',
        resource: logFile,
        identityPolicies: [adminPolicy],
        resourcePolicy: policy,
        context: { 'aws:SecureTransport': secure },
      });
    expect(await req('false')).toBe('ExplicitlyDenied');
    expect(await req('true')).toBe('Allowed');
  });

  test('CloudTrail may write only under AWSLogs/<account>/, with bucket-owner-full-control, for this trail', () => {
    const write = policy.Statement.find((s) => (s as { Sid?: string }).Sid === 'AllowCloudTrailWrite') as Record<string, unknown>;
    expect(write).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/AWSLogs/${ACCOUNT}/*`,
      Condition: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': `arn:aws:cloudtrail:${TEST_ENV.region}:${ACCOUNT}:trail/tib-audit-trail` },
      },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The alert.
const ruleProps = () => Object.values(template.findResources('AWS::Events::Rule'))[0].Properties;

function assumeRoleEvent(overrides: { roleArn?: string; eventName?: string; source?: string; errorCode?: string; tags?: Array<{ key: string; value: string }> } = {}) {
  const roleArn = overrides.roleArn ?? `arn:aws:iam::${ACCOUNT}:role/tenant-isolation/tib-SupportAccessRole`;
  return {
    version: '0',
    id: 'c1a4b7e2-0000-0000-0000-000000000001',
    'detail-type': 'AWS API Call via CloudTrail',
    source: overrides.source ?? 'aws.sts',
    account: ACCOUNT,
    time: '2026-11-26T09:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/support/alice`, accountId: ACCOUNT, userName: 'alice' },
      eventTime: '2026-11-26T09:00:00Z',
      eventSource: 'sts.amazonaws.com',
      eventName: overrides.eventName ?? 'AssumeRole',
      awsRegion: 'eu-west-1',
      sourceIPAddress: '192.0.2.10',
      ...(overrides.errorCode ? { errorCode: overrides.errorCode, errorMessage: 'not authorized' } : {}),
      requestParameters: {
        roleArn,
        roleSessionName: 'alice-SUP-4711',
        durationSeconds: 3600,
        sourceIdentity: 'alice',
        tags: overrides.tags ?? [
          { key: 'TenantId', value: 'acme' },
          { key: 'SupportTicket', value: 'SUP-4711' },
        ],
      },
      responseElements: overrides.errorCode
        ? null
        : { assumedRoleUser: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/tib-SupportAccessRole/alice-SUP-4711` }, sourceIdentity: 'alice' },
      resources: [{ ARN: roleArn, accountId: ACCOUNT, type: 'AWS::IAM::Role' }],
      eventType: 'AwsApiCall',
      readOnly: true,
      recipientAccountId: ACCOUNT,
    },
  };
}

describe('support access alert: the EventBridge rule', () => {
  test('the synthesized pattern is the exported one, and the rule receives read-only management events too', () => {
    const props = ruleProps();
    expect(props.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    const pattern = assumeRoleEventPattern(['tib-SupportAccessRole', 'tib-BreakGlassRole']);
    expect(props.EventPattern).toEqual({ source: pattern.source, 'detail-type': pattern.detailType, detail: pattern.detail });
  });

  const matching: Array<[string, ReturnType<typeof assumeRoleEvent>]> = [
    ['a successful support assumption', assumeRoleEvent()],
    ['a DENIED support assumption (AccessDenied)', assumeRoleEvent({ errorCode: 'AccessDenied' })],
    ['a role ARN written without the IAM path', assumeRoleEvent({ roleArn: `arn:aws:iam::${ACCOUNT}:role/tib-SupportAccessRole` })],
    ['a role ARN in other letter case', assumeRoleEvent({ roleArn: `arn:aws:iam::${ACCOUNT}:role/tenant-isolation/TIB-SUPPORTACCESSROLE` })],
    [
      'a break-glass assumption',
      assumeRoleEvent({ roleArn: `arn:aws:iam::${ACCOUNT}:role/tenant-isolation/tib-BreakGlassRole`, tags: [{ key: 'SupportTicket', value: 'SUP-99' }] }),
    ],
  ];
  const notMatching: Array<[string, ReturnType<typeof assumeRoleEvent>]> = [
    ['the broker assuming TenantAccessRole', assumeRoleEvent({ roleArn: `arn:aws:iam::${ACCOUNT}:role/tenant-isolation/tib-TenantAccessRole` })],
    ['a role whose name merely ends like it', assumeRoleEvent({ roleArn: `arn:aws:iam::${ACCOUNT}:role/xtib-SupportAccessRole` })],
    ['a role whose name merely starts like it', assumeRoleEvent({ roleArn: `arn:aws:iam::${ACCOUNT}:role/tib-SupportAccessRole-old` })],
    ['GetCallerIdentity by a support session', assumeRoleEvent({ eventName: 'GetCallerIdentity' })],
    ['AssumeRoleWithSAML into another role', assumeRoleEvent({ eventName: 'AssumeRoleWithSAML', roleArn: `arn:aws:iam::${ACCOUNT}:role/Sso` })],
    ['an IAM event that names the role', assumeRoleEvent({ source: 'aws.iam' })],
  ];

  const pattern = () => ruleProps().EventPattern;
  test.each(matching)('matches %s', (_name, event) => {
    expect(matchesEventPattern(pattern(), event)).toBe(true);
  });
  test.each(notMatching)('does not match %s', (_name, event) => {
    expect(matchesEventPattern(pattern(), event)).toBe(false);
  });

  test('the alert carries tenant, ticket, source identity, caller and time', () => {
    const target = (ruleProps().Targets as Array<{ InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }>)[0];
    const message = applyInputTransformer(target.InputTransformer.InputPathsMap, target.InputTransformer.InputTemplate, assumeRoleEvent());
    expect(message).toEqual({
      alert: 'SUPPORT ACCESS to tenant data',
      time: '2026-11-26T09:00:00Z',
      region: 'eu-west-1',
      role: `arn:aws:iam::${ACCOUNT}:role/tenant-isolation/tib-SupportAccessRole`,
      sourceIdentity: 'alice',
      sessionTags: [
        { key: 'TenantId', value: 'acme' },
        { key: 'SupportTicket', value: 'SUP-4711' },
      ],
      caller: `arn:aws:iam::${ACCOUNT}:user/support/alice`,
      sourceIp: '192.0.2.10',
      errorCode: null,
    });
    const denied = applyInputTransformer(target.InputTransformer.InputPathsMap, target.InputTransformer.InputTemplate, assumeRoleEvent({ errorCode: 'AccessDenied' }));
    expect(denied).toMatchObject({ errorCode: 'AccessDenied' });
  });

  test('the matcher refuses operators it does not implement instead of guessing', () => {
    expect(() => matchesEventPattern({ detail: { n: [{ numeric: ['>', 1] }] } }, { detail: { n: 2 } })).toThrow(/unsupported EventBridge operator numeric/);
    expect(() => matchesEventPattern({ a: [{ 'anything-but': ['x'] }] }, { a: 'y' })).toThrow(/unsupported EventBridge operator anything-but/);
  });
});

describe('support access alert: the topic', () => {
  test('is encrypted with a rotating customer key that EventBridge may use, and TLS-only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SupportAlertKey'), 'Arn'] } });
    const key = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('SupportAlertKey'))![1];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]),
    );
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      },
    });
  });

  test('the rule targets the topic', () => {
    expect((ruleProps().Targets as Array<{ Arn: unknown }>)[0].Arn).toEqual({ Ref: logicalIdsOfType(platform, 'AWS::SNS::Topic')[0] });
  });
});
