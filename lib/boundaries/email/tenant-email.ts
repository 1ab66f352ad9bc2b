/**
 * One tenant's email (Amazon SES), in the tenant's stack: its SES tenant, its sending identity,
 * its configuration set, its templates, and the queue its bounce, complaint and delivery events
 * arrive in. TenantAccessRole's permission to send through them lives in the platform
 * (lib/boundaries/email/email-access.ts); names come from lib/core/email-names.ts.
 *
 * - SES tenant (`AWS::SES::Tenant`, SES Developer Guide "Tenants"): the identity, the
 *   configuration set and the templates are associated with it, so a send with `TenantName`
 *   succeeds only through them (SES API v2 reference, SendEmail: TenantName), and SES keeps the
 *   tenant's reputation and sending status apart from the other tenants'. Its suppression list is
 *   its own (`SuppressionScope: TENANT`; without it a tenant uses the account-level list —
 *   SES API v2 reference, TenantSuppressionAttributes): a bounce of tenant A never suppresses the
 *   address for tenant B.
 * - Identity: the domain `<id>.<mailDomain>` with Easy DKIM (2048-bit keys), its default
 *   configuration set the tenant's. DNS records (DKIM CNAMEs) are the operator's to publish; until
 *   then SES keeps the identity pending and refuses sends from it.
 * - Configuration set `<q>-tenant-<id>-email`: reputation metrics on, TLS required to the
 *   receiving server, suppression of bounces and complaints, sending switched off for a tenant
 *   that is not active (PutConfigurationSetSendingOptions pauses one tenant without touching
 *   the others).
 * - Events: an SNS topic and an SQS queue (with a dead-letter queue) of this tenant only, both
 *   encrypted with the tenant's own key: bounce, complaint, delivery, reject, delivery-delay and
 *   rendering-failure events of this configuration set, never a shared inbox. SES publishes to SNS
 *   (event destinations support SNS, CloudWatch, Firehose and EventBridge's default bus; one
 *   EventBridge rule per tenant would hit the 300-rules-per-bus default quota, a topic per tenant
 *   does not: SNS allows 100,000 topics per account).
 * - Retention: the identity (its DKIM keys are what the published DNS records name), the SES
 *   tenant (reputation, suppression list), the queues and the key are RETAINED on stack deletion.
 */
import { Aws, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEFAULT_MAIL_DOMAIN,
  emailConfigurationSetName,
  emailEventsDeadLetterQueueName,
  emailEventsQueueName,
  emailTemplateName,
  mailDomainProblem,
  sesTenantName,
  SES_NAME_MAX,
  TEMPLATE_PART,
  emailTemplatePrefix,
  tenantMailDomain,
} from '../../core/email-names';
import { TENANT_TAG_KEY } from '../../core/namespace';
import { TenantId } from '../../core/tenant-id';
import { PropProblems, TenantIdInput } from '../validation';

/** One template of the tenant, created as `<q>-tenant-<id>_<name>`. */
export interface TenantEmailTemplateProps {
  /** The tenant's part of the name: letters, digits, `-`, `_`. */
  readonly name: string;
  /** Subject line (SES replacement tags `{{...}}` allowed). */
  readonly subject: string;
  /**
   * HTML body.
   * @default no HTML part (then `text` is required)
   */
  readonly html?: string;
  /**
   * Text body.
   * @default no text part (then `html` is required)
   */
  readonly text?: string;
}

/** SES event types published to the tenant's events queue (CloudFormation EventDestination MatchingEventTypes). */
export const TENANT_EMAIL_EVENT_TYPES = ['bounce', 'complaint', 'delivery', 'reject', 'deliveryDelay', 'renderingFailure'] as const;

export interface TenantEmailProps {
  /** The tenant (TenantId rules). */
  readonly tenant: TenantIdInput;
  /** The blueprint qualifier (part of every SES name). */
  readonly qualifier: string;
  /**
   * The parent domain: the tenant sends from `<id>.<mailDomain>`.
   * @default 'mail.example.com' (DEFAULT_MAIL_DOMAIN)
   */
  readonly mailDomain?: string;
  /**
   * Whether the tenant may send. False for a tenant that is not active: the configuration set's
   * sending is switched off; identities, reputation and suppression list are retained.
   * @default true
   */
  readonly sendingEnabled?: boolean;
  /**
   * Templates of the tenant.
   * @default none
   */
  readonly templates?: readonly TenantEmailTemplateProps[];
  /**
   * Who consumes the tenant's email events (receive and delete on its events queue, decrypt via SQS).
   * @default nobody (grant later with `grantConsumeEvents`)
   */
  readonly eventsConsumer?: iam.IRole;
  /**
   * ARN pattern (ArnLike) of the roles that consume OTHER tenants' events (for the blueprint: every
   * tenant's jobs worker). The events queue and key deny them, whatever their identity policies say,
   * as the jobs queues do (lib/boundaries/jobs/tenant-queues.ts); the consumer itself is excepted.
   * @default no such Deny
   */
  readonly otherConsumersPattern?: string;
}

export class TenantEmail extends Construct {
  public readonly tenant: TenantId;
  public readonly sesTenant: ses.CfnTenant;
  public readonly identity: ses.CfnEmailIdentity;
  public readonly configurationSet: ses.CfnConfigurationSet;
  public readonly templates: readonly ses.CfnTemplate[];
  public readonly key: kms.Key;
  public readonly eventsTopic: sns.Topic;
  public readonly eventsQueue: sqs.Queue;
  public readonly eventsDeadLetterQueue: sqs.Queue;
  /** `<id>.<mailDomain>` */
  public readonly domain: string;
  public readonly sesTenantName: string;
  public readonly configurationSetName: string;

  constructor(scope: Construct, id: string, props: TenantEmailProps) {
    super(scope, id);
    const q = props.qualifier;
    const mailDomain = props.mailDomain ?? DEFAULT_MAIL_DOMAIN;
    const problems = new PropProblems(this);
    const tenantId = problems.tenantId('tenant', props.tenant);
    problems.check(/^[a-z][a-z0-9]{1,9}$/.test(q), 'qualifier', q, '2-10 lowercase letters and digits, starting with a letter');
    const domainProblem = mailDomainProblem(mailDomain);
    if (domainProblem) problems.add('mailDomain', mailDomain, domainProblem);
    const seen = new Set<string>();
    (props.templates ?? []).forEach((t, i) => {
      problems.check(typeof t.name === 'string' && TEMPLATE_PART.test(t.name), `templates[${i}].name`, t.name, "letters, digits, '-' and '_'");
      if (tenantId && typeof t.name === 'string') {
        const full = `${emailTemplatePrefix(q, tenantId)}${t.name}`;
        problems.check(full.length <= SES_NAME_MAX, `templates[${i}].name`, t.name, `short enough that ${JSON.stringify(full)} has at most ${SES_NAME_MAX} characters`);
      }
      problems.check(!seen.has(t.name), `templates[${i}].name`, t.name, 'unique among the templates');
      seen.add(t.name);
      problems.check(typeof t.subject === 'string' && t.subject.length > 0, `templates[${i}].subject`, t.subject, 'a non-empty subject');
      problems.check(Boolean(t.html || t.text), `templates[${i}]`, { html: t.html, text: t.text }, 'a template with an html or a text part');
    });
    problems.throwIfAny();
    const tenant = tenantId!;
    this.tenant = tenant;
    const enabled = props.sendingEnabled ?? true;
    const stack = Stack.of(this);
    const arn = (resource: string) => `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    this.domain = tenantMailDomain(tenant, mailDomain);
    this.sesTenantName = sesTenantName(q, tenant);
    this.configurationSetName = emailConfigurationSetName(q, tenant);
    const tenantTags = [{ key: TENANT_TAG_KEY, value: tenant.value }];

    // Events: the tenant's own key, topic, queue and DLQ.
    this.key = new kms.Key(this, 'EventsKey', {
      description: 'Email events of one tenant (SNS and SQS SSE-KMS)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // SES publishes to the encrypted topic, SNS delivers to the encrypted queue: both services
    // need the key (SES Developer Guide, event-publishing-add-event-destination-sns: encrypted topics).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesPublishesEventsOfThisConfigurationSet',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': arn(`configuration-set/${this.configurationSetName}`) },
        },
      }),
    );
    this.eventsTopic = new sns.Topic(this, 'EventsTopic', {
      topicName: emailEventsQueueName(q, tenant),
      masterKey: this.key,
      enforceSSL: true,
    });
    this.eventsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesPublishesEventsOfThisConfigurationSet',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.eventsTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': arn(`configuration-set/${this.configurationSetName}`) },
        },
      }),
    );
    const queueDefaults = { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.key, enforceSSL: true, removalPolicy: RemovalPolicy.RETAIN };
    this.eventsDeadLetterQueue = new sqs.Queue(this, 'EventsDeadLetterQueue', {
      ...queueDefaults,
      queueName: emailEventsDeadLetterQueueName(q, tenant),
      retentionPeriod: Duration.days(14), // SQS maximum
    });
    this.eventsQueue = new sqs.Queue(this, 'EventsQueue', {
      ...queueDefaults,
      queueName: emailEventsQueueName(q, tenant),
      retentionPeriod: Duration.days(7),
      deadLetterQueue: { queue: this.eventsDeadLetterQueue, maxReceiveCount: 5 },
    });
    for (const queue of [this.eventsQueue, this.eventsDeadLetterQueue]) Tags.of(queue).add(TENANT_TAG_KEY, tenant.value);
    // Raw delivery: the queue holds SES's event JSON as published (mail.tags carries TenantId).
    // Wired by hand rather than with SqsSubscription: its key-policy grant names the topic by
    // reference, and the topic names the key: a cycle. The topic ARN is known from its name.
    const topicArn = `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:${emailEventsQueueName(q, tenant)}`;
    new sns.Subscription(this, 'EventsSubscription', {
      topic: this.eventsTopic,
      endpoint: this.eventsQueue.queueArn,
      protocol: sns.SubscriptionProtocol.SQS,
      rawMessageDelivery: true,
    });
    this.eventsQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TenantEventsTopicDelivers',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.eventsQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': topicArn } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TenantEventsTopicDelivers',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { ArnEquals: { 'aws:SourceArn': topicArn } },
      }),
    );

    this.configurationSet = new ses.CfnConfigurationSet(this, 'ConfigurationSet', {
      name: this.configurationSetName,
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: enabled },
      suppressionOptions: { suppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      deliveryOptions: { tlsPolicy: 'REQUIRE' },
      tags: tenantTags,
    });
    this.configurationSet.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const destination = new ses.CfnConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSetName: this.configurationSetName,
      eventDestination: {
        name: 'tenant-events',
        enabled: true,
        matchingEventTypes: [...TENANT_EMAIL_EVENT_TYPES],
        snsDestination: { topicArn: this.eventsTopic.topicArn },
      },
    });
    destination.node.addDependency(this.configurationSet);
    // SES checks that it may publish when the destination is created.
    const topicPolicy = this.eventsTopic.node.tryFindChild('Policy');
    if (topicPolicy) destination.node.addDependency(topicPolicy);

    this.identity = new ses.CfnEmailIdentity(this, 'Identity', {
      emailIdentity: this.domain,
      configurationSetAttributes: { configurationSetName: this.configurationSetName },
      dkimAttributes: { signingEnabled: true },
      dkimSigningAttributes: { nextSigningKeyLength: 'RSA_2048_BIT' },
      tags: tenantTags,
    });
    this.identity.node.addDependency(this.configurationSet);
    this.identity.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.templates = (props.templates ?? []).map((t) => {
      const template = new ses.CfnTemplate(this, `Template-${t.name}`, {
        template: { templateName: emailTemplateName(q, tenant, t.name), subjectPart: t.subject, htmlPart: t.html, textPart: t.text },
        tags: tenantTags,
      });
      return template;
    });

    this.sesTenant = new ses.CfnTenant(this, 'SesTenant', {
      tenantName: this.sesTenantName,
      resourceAssociations: [
        { resourceArn: arn(`identity/${this.domain}`) },
        { resourceArn: arn(`configuration-set/${this.configurationSetName}`) },
        ...(props.templates ?? []).map((t) => ({ resourceArn: arn(`template/${emailTemplateName(q, tenant, t.name)}`) })),
      ],
      suppressionAttributes: { suppressedReasons: ['BOUNCE', 'COMPLAINT'], suppressionScope: 'TENANT' },
      tags: tenantTags,
    });
    this.sesTenant.node.addDependency(this.identity, this.configurationSet, ...this.templates);
    this.sesTenant.applyRemovalPolicy(RemovalPolicy.RETAIN);

    if (props.eventsConsumer) this.grantConsumeEvents(props.eventsConsumer);
    if (props.otherConsumersPattern) {
      const conditions = {
        ArnLike: { 'aws:PrincipalArn': props.otherConsumersPattern },
        ...(props.eventsConsumer ? { ArnNotEquals: { 'aws:PrincipalArn': props.eventsConsumer.roleArn } } : {}),
      };
      for (const queue of [this.eventsQueue, this.eventsDeadLetterQueue]) {
        queue.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'DenyOtherTenantConsumers',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['sqs:*'],
            resources: [queue.queueArn],
            conditions,
          }),
        );
      }
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyOtherTenantConsumers',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:*'],
          resources: ['*'],
          conditions,
        }),
      );
    }
  }

  /** `arn:...:ses:<region>:<account>:identity/<id>.<mailDomain>` */
  public get identityArn(): string {
    return `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${this.domain}`;
  }

  /** `arn:...:ses:<region>:<account>:configuration-set/<q>-tenant-<id>-email` */
  public get configurationSetArn(): string {
    return `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${this.configurationSetName}`;
  }

  /** Lets `grantee` (the tenant's worker) receive and delete the tenant's email events. */
  public grantConsumeEvents(grantee: iam.IGrantable): iam.Grant {
    return this.eventsQueue.grantConsumeMessages(grantee);
  }
}
