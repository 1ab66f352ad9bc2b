/**
 * Construct assertions for the jobs boundary: queue names, encryption, TLS, tags, retention,
 * removal policies, the worker role, the platform's ABAC policy, and AwsSolutions (cdk-nag 3).
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { rolePolicySizes } from '../../../lib/blueprint/policy-size';
import { jobsDeadLetterQueueName, jobsQueueName, jobsWorkerRoleName } from '../../../lib/core/queue-names';
import { TenantQueues } from '../../../lib/boundaries/jobs/tenant-queues';
import { TenantId } from '../../../lib/core/tenant-id';
import { newTestApp, testBlueprint } from '../../helpers/app';

const { app, blueprint } = testBlueprint(['acme', 'acme-corp', 'globex:silo']);
const tenant = (id: string) => Template.fromStack(blueprint.tenants.find((t) => t.tenant.id.value === id)!);
const acme = tenant('acme');
const platform = Template.fromStack(blueprint.platform);

describe('queue names (namespace contract + qualifier)', () => {
  test('exact names with delimiters, within the SQS and IAM limits', () => {
    expect(jobsQueueName('tib', TenantId.parse('acme'))).toBe('tib-tenant-acme-jobs');
    expect(jobsDeadLetterQueueName('tib', TenantId.parse('acme-corp'))).toBe('tib-tenant-acme-corp-jobs-dlq');
    expect(jobsWorkerRoleName('tib', TenantId.parse('acme'))).toBe('tib-jobs-worker-acme');
    const longest = TenantId.parse(`a${'b'.repeat(39)}`);
    expect(jobsDeadLetterQueueName('abcdefghij', longest).length).toBeLessThanOrEqual(80);
    expect(jobsWorkerRoleName('abcdefghij', longest).length).toBeLessThanOrEqual(64);
  });

  test('no two tenants share a queue name, and no jobs name equals a DLQ name (hyphenated ids included)', () => {
    const ids = ['acme', 'acme-corp', 'acme-jobs', 'acme-jobs-dlq', 'acme-corp-jobs', 'jobs-dlq-x'].map((v) => TenantId.parse(v));
    const names = ids.flatMap((t) => [jobsQueueName('tib', t), jobsDeadLetterQueueName('tib', t)]);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('TenantQueues', () => {
  test('jobs queue: exact name, KMS with the tenant key, DLQ after 5 receives, 7-day retention, retained', () => {
    acme.hasResource('AWS::SQS::Queue', {
      Properties: {
        QueueName: 'tib-tenant-acme-jobs',
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsKey'), 'Arn'] },
        MessageRetentionPeriod: 7 * 24 * 3600,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
        Tags: Match.arrayWith([{ Key: 'TenantId', Value: 'acme' }]),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('DLQ: exact name, same key, 14-day retention (longer than the source: enqueue time is kept), retained', () => {
    acme.hasResource('AWS::SQS::Queue', {
      Properties: {
        QueueName: 'tib-tenant-acme-jobs-dlq',
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsKey'), 'Arn'] },
        MessageRetentionPeriod: 14 * 24 * 3600,
        Tags: Match.arrayWith([{ Key: 'TenantId', Value: 'acme' }]),
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('both queues refuse non-TLS requests', () => {
    // The jobs queues' policies (the tenant stack also holds the email events queues: docs/email.md).
    const policies = Object.fromEntries(Object.entries(acme.findResources('AWS::SQS::QueuePolicy')).filter(([id]) => id.startsWith('Jobs')));
    expect(Object.keys(policies)).toHaveLength(2);
    for (const p of Object.values(policies)) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  test('the key rotates and is retained', () => {
    acme.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  test("the worker role is named, pathed, and consumes only its tenant's jobs queue", () => {
    acme.hasResourceProperties('AWS::IAM::Role', { RoleName: 'tib-jobs-worker-acme', Path: '/tenant-isolation/', MaxSessionDuration: 3600 });
    acme.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ConsumeOwnJobsQueue',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsQueue'), 'Arn'] },
            // Exactly the consumer verbs: no PurgeQueue, SendMessage or configuration.
            Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
          }),
        ]),
      },
    });
  });

  test('bad maxReceiveCount fails at synth, naming the construct path and the value', () => {
    const stack = new Stack(newTestApp(), 'S');
    expect(
      () => new TenantQueues(stack, 'Jobs', { tenant: TenantId.parse('acme'), qualifier: 'tib', tenantAccessRoleArn: 'arn:aws:iam::1:role/x', maxReceiveCount: 0 }),
    ).toThrow(/S\/Jobs: invalid props \(1\):\n {2}- maxReceiveCount: 0 — must be an integer from 1 to 1000/);
  });
});

describe('platform: TenantAccessRole jobs policy', () => {
  test('one managed policy with the ABAC statements, attached to TenantAccessRole', () => {
    platform.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Sid: 'OwnJobsQueueProducer', Effect: 'Allow', Condition: { StringEquals: { 'aws:ResourceTag/TenantId': '${aws:PrincipalTag/TenantId}' } } }),
          Match.objectLike({
            Sid: 'DenyQueuesOfOtherTenants',
            Effect: 'Deny',
            Action: 'sqs:*',
            Resource: '*',
            Condition: { StringNotEquals: { 'aws:ResourceTag/TenantId': '${aws:PrincipalTag/TenantId}' } },
          }),
        ],
      },
    });
    platform.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'tib-TenantAccessRole',
      ManagedPolicyArns: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^JobsAccessPolicy') }]),
    });
  });

  test('the jobs policy does not name any tenant and does not grow with tenants', () => {
    const sizes = (n: number) => {
      const ids = Array.from({ length: n }, (_, i) => `tenant-${String(i).padStart(4, '0')}`);
      const b = testBlueprint(ids).blueprint;
      const t = Template.fromStack(b.platform).toJSON();
      const roleId = Object.keys(t.Resources).find((id) => t.Resources[id].Properties?.RoleName === 'tib-TenantAccessRole')!;
      return rolePolicySizes(t as Parameters<typeof rolePolicySizes>[0], roleId);
    };
    expect(sizes(150)).toEqual(sizes(3));
    const text = JSON.stringify(platform.findResources('AWS::IAM::ManagedPolicy'));
    expect(text).not.toMatch(/acme|globex/);
  });
});

describe('AwsSolutions (cdk-nag 3) on the jobs boundary', () => {
  test('no unacknowledged finding in the tenant stacks or the platform jobs policy', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const mine = report.violations.filter((v) => v.violatingResources.some((r) => /^Tenant-|^Platform\/JobsAccess\//.test(r.constructPath ?? '')));
    expect(mine.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
    // The tenant stacks were checked (not vacuously empty): they contain queues, a key and a role.
    expect(blueprint.tenants.every((t) => Template.fromStack(t).findResources('AWS::SQS::Queue'))).toBe(true);
  });
});
