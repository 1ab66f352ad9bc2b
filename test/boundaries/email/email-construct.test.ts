/**
 * Construct assertions for the email boundary: names, the SES tenant and its associations, Easy
 * DKIM, the configuration set (reputation, suppression, TLS, sending pause), the per-tenant events
 * path, retention, props validation (one ValidationError listing every bad prop), and AwsSolutions.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TenantEmail } from '../../../lib/boundaries/email/tenant-email';
import { TenantEmailAccess } from '../../../lib/boundaries/email/email-access';
import {
  emailConfigurationSetName,
  emailEventsDeadLetterQueueName,
  emailEventsQueueName,
  emailTemplateName,
  sesTenantName,
  tenantTemplatePart,
  tenantMailDomain,
} from '../../../lib/core/email-names';
import { TenantId } from '../../../lib/core/tenant-id';
import { buildBlueprint } from '../../../lib/blueprint/app';
import { placeTenantsInCacheCells } from '../../../lib/core/placement';
import { parseRegistry } from '../../../lib/core/registry';
import { newTestApp, testBlueprint } from '../../helpers/app';
import { runPack } from '../../nag/support';

const { blueprint } = testBlueprint(['acme', 'acme-corp', 'globex:silo']);
const tenant = (id: string) => Template.fromStack(blueprint.tenants.find((t) => t.tenant.id.value === id)!);
const acme = tenant('acme');
const RETAIN = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };
const t = (v: string) => TenantId.parse(v);

describe('names (lib/core/email-names.ts)', () => {
  test('exact names, within SES limits even for the longest qualifier and id', () => {
    expect(sesTenantName('tib', t('acme'))).toBe('tib-tenant-acme');
    expect(emailConfigurationSetName('tib', t('acme'))).toBe('tib-tenant-acme-email');
    expect(emailTemplateName('tib', t('acme'), 'notice')).toBe('tib-tenant-acme_notice');
    expect(tenantMailDomain(t('acme-corp'), 'mail.example.com')).toBe('acme-corp.mail.example.com');
    const longest = t(`a${'b'.repeat(39)}`);
    expect(emailConfigurationSetName('abcdefghij', longest).length).toBeLessThanOrEqual(64);
    expect(sesTenantName('abcdefghij', longest).length).toBeLessThanOrEqual(64);
    expect(() => emailTemplateName('abcdefghij', longest, 'x'.repeat(20))).toThrow(/SES allows 64/);
  });

  test('no two tenants share a name; a template of acme-corp is not acme’s', () => {
    // Within each namespace (SES tenants, configuration sets, SQS queue names, domains): distinct.
    const ids = ['acme', 'acme-corp', 'acme-email', 'acme-email-events', 'email-x'].map(t);
    const namespaces = [
      ids.map((id) => sesTenantName('tib', id)),
      ids.map((id) => emailConfigurationSetName('tib', id)),
      ids.flatMap((id) => [emailEventsQueueName('tib', id), emailEventsDeadLetterQueueName('tib', id)]),
      ids.map((id) => tenantMailDomain(id, 'mail.example.com')),
    ];
    for (const names of namespaces) expect(new Set(names).size).toBe(names.length);
    expect(tenantTemplatePart('tib', t('acme'), 'tib-tenant-acme-corp_notice')).toBeUndefined();
    expect(tenantTemplatePart('tib', t('acme'), 'tib-tenant-acme_notice')).toBe('notice');
  });
});

describe('TenantEmail in the tenant stack', () => {
  test('SES tenant with its identity, configuration set and template, its own suppression list, retained', () => {
    acme.hasResource('AWS::SES::Tenant', {
      Properties: {
        TenantName: 'tib-tenant-acme',
        ResourceAssociations: [
          { ResourceArn: { 'Fn::Join': ['', Match.arrayWith([':identity/acme.mail.example.com'])] } },
          { ResourceArn: { 'Fn::Join': ['', Match.arrayWith([':configuration-set/tib-tenant-acme-email'])] } },
          { ResourceArn: { 'Fn::Join': ['', Match.arrayWith([':template/tib-tenant-acme_notice'])] } },
        ],
        SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'], SuppressionScope: 'TENANT' },
        Tags: Match.arrayWith([{ Key: 'TenantId', Value: 'acme' }]),
      },
      DependsOn: [Match.stringLikeRegexp('^EmailConfigurationSet'), Match.stringLikeRegexp('^EmailIdentity'), Match.stringLikeRegexp('^EmailTemplatenotice')],
      ...RETAIN,
    });
  });

  test('domain identity with Easy DKIM (2048-bit), its default configuration set the tenant’s, retained', () => {
    acme.hasResource('AWS::SES::EmailIdentity', {
      Properties: {
        EmailIdentity: 'acme.mail.example.com',
        ConfigurationSetAttributes: { ConfigurationSetName: 'tib-tenant-acme-email' },
        DkimAttributes: { SigningEnabled: true },
        DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      },
      ...RETAIN,
    });
  });

  test('configuration set: reputation metrics, suppression, TLS required, sending on for an active tenant', () => {
    acme.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'tib-tenant-acme-email',
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  test('events: bounce, complaint and delivery to the tenant’s own encrypted topic, queue and DLQ', () => {
    acme.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: 'tib-tenant-acme-email',
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'delivery']),
        SnsDestination: { TopicARN: { Ref: Match.stringLikeRegexp('^EmailEventsTopic') } },
      },
    });
    acme.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'tib-tenant-acme-email-events',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EmailEventsKey'), 'Arn'] },
    });
    acme.hasResource('AWS::SQS::Queue', {
      Properties: {
        QueueName: 'tib-tenant-acme-email-events',
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EmailEventsKey'), 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EmailEventsDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
        Tags: Match.arrayWith([{ Key: 'TenantId', Value: 'acme' }]),
      },
      ...RETAIN,
    });
    acme.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', RawMessageDelivery: true });
    // Both events queues and the topic refuse non-TLS requests.
    const tlsDeny = (action: string) =>
      expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Action: action, Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
    const queuePolicies = Object.entries(acme.findResources('AWS::SQS::QueuePolicy')).filter(([id]) => id.startsWith('EmailEvents'));
    expect(queuePolicies).toHaveLength(2);
    for (const [, p] of queuePolicies) expect(p.Properties.PolicyDocument.Statement).toEqual(tlsDeny('sqs:*'));
    for (const p of Object.values(acme.findResources('AWS::SNS::TopicPolicy'))) expect(p.Properties.PolicyDocument.Statement).toEqual(tlsDeny('sns:Publish'));
    // SES may publish only for this configuration set; SNS may deliver only from this topic.
    acme.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'SesPublishesEventsOfThisConfigurationSet',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: Match.objectLike({ ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', Match.arrayWith([':configuration-set/tib-tenant-acme-email'])] } } }),
          }),
        ]),
      },
    });
  });

  test("the tenant's worker consumes its events; other tenants' workers are denied queue and key", () => {
    acme.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyOtherTenantConsumers',
            Effect: 'Deny',
            Condition: {
              ArnLike: { 'aws:PrincipalArn': { 'Fn::Join': ['', Match.arrayWith([':role/tenant-isolation/tib-jobs-worker-*'])] } },
              ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsWorkerRole'), 'Arn'] } },
            },
          }),
        ]),
      },
    });
    acme.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^JobsWorkerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['sqs:ReceiveMessage']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EmailEventsQueue'), 'Arn'] } }),
        ]),
      },
    });
  });

  test('a retired tenant: sending paused, everything retained', () => {
    const registry = parseRegistry(
      JSON.stringify({
        version: 1,
        tenants: [
          { id: 'acme', tier: 'pool' },
          { id: 'initech', tier: 'pool', status: 'retired' },
        ],
      }),
      'retired registry',
    );
    const b = buildBlueprint(newTestApp(), { registry: { ...registry, tenants: placeTenantsInCacheCells(registry.tenants) } });
    const initech = Template.fromStack(b.tenants.find((x) => x.tenant.id.value === 'initech')!);
    initech.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'tib-tenant-initech-email', SendingOptions: { SendingEnabled: false } });
    initech.hasResource('AWS::SES::Tenant', RETAIN);
  });
});

describe('props validation', () => {
  test('one ValidationError lists every bad prop with its value', () => {
    const stack = new Stack(newTestApp(), 'Bad');
    expect(
      () =>
        new TenantEmail(stack, 'Email', {
          tenant: 'Acme',
          qualifier: 'TIB',
          mailDomain: 'Mail.Example',
          templates: [
            { name: 'has space', subject: '' },
            { name: 'x'.repeat(70), subject: 's', text: 't' },
          ],
        }),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /Bad\/Email: invalid props \(\d+\):\n {2}- tenant: "Acme" — must be a valid tenant id[\s\S]*- qualifier: "TIB"[\s\S]*- mailDomain: "Mail.Example"[\s\S]*- templates\[0\]\.name: "has space"[\s\S]*- templates\[0\]\.subject: ""[\s\S]*- templates\[0\]: /,
        ),
      }),
    );
  });

  test('a template name too long for SES once prefixed, and a duplicate', () => {
    const stack = new Stack(newTestApp(), 'Long');
    const templates = [
      { name: 'x'.repeat(60), subject: 's', text: 't' },
      { name: 'a', subject: 's', text: 't' },
      { name: 'a', subject: 's', text: 't' },
    ];
    expect(() => new TenantEmail(stack, 'Email', { tenant: 'acme', qualifier: 'tib', templates })).toThrow(
      /invalid props \(2\):\n {2}- templates\[0\]\.name: "x{60}" — must be short enough that "tib-tenant-acme_x{60}" has at most 64 characters\n {2}- templates\[2\]\.name: "a" — must be unique/,
    );
  });

  test('a parsed TenantId and a plain string are the same', () => {
    const a = new TenantEmail(new Stack(newTestApp(), 'A'), 'Email', { tenant: 'acme', qualifier: 'tib' });
    const b = new TenantEmail(new Stack(newTestApp(), 'B'), 'Email', { tenant: t('acme'), qualifier: 'tib' });
    expect(a.configurationSetName).toBe(b.configurationSetName);
  });

  test('TenantEmailAccess refuses a bad mail domain', () => {
    expect(() => new TenantEmailAccess(new Stack(newTestApp(), 'C'), 'Access', { qualifier: 'tib', mailDomain: 'localhost' })).toThrow(
      /mailDomain: "localhost" — must be a domain/,
    );
  });
});

test('AwsSolutions: a standalone TenantEmail with a consumer is clean', () => {
  const stack = new Stack(newTestApp(), 'Nag');
  const worker = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new TenantEmail(stack, 'Email', { tenant: 'acme', qualifier: 'tib', eventsConsumer: worker, otherConsumersPattern: 'arn:aws:iam::111122223333:role/worker-*' });
  expect(runPack(new AwsSolutionsChecks(), stack).filter((f) => !f.path.startsWith('Nag/Worker'))).toEqual([]);
});
