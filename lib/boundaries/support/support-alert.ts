/**
 * The alert on support access: every AssumeRole call naming a watched role (support, break-glass),
 * allowed or denied, is published to an encrypted SNS topic with the tenant, the ticket, the
 * source identity, the caller and the time.
 *
 * - Source: CloudTrail management events on the default event bus (`source` aws.sts,
 *   `detail-type` "AWS API Call via CloudTrail"; EventBridge events reference, events-ref-sts).
 *   A trail must exist (AuditTrail).
 * - The rule state is ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: with plain ENABLED,
 *   EventBridge skips read-only management events, and its own example for that state is an
 *   AssumeRole rule (EventBridge User Guide, eb-service-event-cloudtrail-management).
 * - Region: STS calls to a Regional endpoint are logged in that Region; calls to the global
 *   endpoint sts.amazonaws.com are logged in us-east-1 (IAM User Guide, cloudtrail-integration).
 *   EventBridge sees them only there: deploy this in every Region support uses, or make the
 *   support tooling call the Regional STS endpoint of the platform Region (docs/support.md).
 * - `requestParameters.roleArn` is what the caller wrote; it is matched by suffix
 *   (`/<role name>`, case-insensitive), so a path-less or differently-cased ARN still alerts.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { fenceKeyFromTenantSessions, fenceTopicFromTenantSessions } from '../identity/tenant-session-fence';
import { PropProblems } from '../validation';

export interface SupportAccessAlertProps {
  /** Names of the roles whose every assumption alerts (fixed names, names.ts). At least one. */
  readonly roleNames: readonly string[];
}

/** The EventBridge pattern for AssumeRole calls on the named roles (exported for tests and docs). */
export function assumeRoleEventPattern(roleNames: readonly string[]): events.EventPattern {
  return {
    source: ['aws.sts'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['sts.amazonaws.com'],
      eventName: ['AssumeRole'],
      requestParameters: { roleArn: roleNames.map((name) => ({ suffix: { 'equals-ignore-case': `/${name}` } })) },
    },
  };
}

/** What the alert carries: JSON paths into the CloudTrail event (input transformer). */
export const ALERT_FIELDS = {
  time: '$.detail.eventTime',
  region: '$.region',
  role: '$.detail.requestParameters.roleArn',
  sourceIdentity: '$.detail.requestParameters.sourceIdentity',
  sessionTags: '$.detail.requestParameters.tags',
  caller: '$.detail.userIdentity.arn',
  sourceIp: '$.detail.sourceIPAddress',
  errorCode: '$.detail.errorCode',
} as const;

export class SupportAccessAlert extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SupportAccessAlertProps) {
    super(scope, id);
    const problems = new PropProblems(this);
    problems.check(props.roleNames.length > 0, 'roleNames', [], 'at least one role name');
    problems.throwIfAny();

    this.key = new kms.Key(this, 'Key', {
      description: 'Support access alert topic (SNS SSE)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Support access to tenant data',
      masterKey: this.key,
      enforceSSL: true,
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Every AssumeRole on the support and break-glass roles (allowed or denied)',
      eventPattern: assumeRoleEventPattern(props.roleNames),
    });
    // Include read-only management events (see above); the L2 Rule only knows enabled true/false.
    (this.rule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

    const f = (path: string) => events.EventField.fromPath(path);
    this.rule.addTarget(
      new targets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromObject({
          alert: 'SUPPORT ACCESS to tenant data',
          time: f(ALERT_FIELDS.time),
          region: f(ALERT_FIELDS.region),
          role: f(ALERT_FIELDS.role),
          sourceIdentity: f(ALERT_FIELDS.sourceIdentity),
          sessionTags: f(ALERT_FIELDS.sessionTags),
          caller: f(ALERT_FIELDS.caller),
          sourceIp: f(ALERT_FIELDS.sourceIp),
          errorCode: f(ALERT_FIELDS.errorCode),
        }),
      }),
    );
    // EventBridge publishes to an SSE topic only if the key lets it (SNS Developer Guide,
    // sns-key-management: events.amazonaws.com needs GenerateDataKey* and Decrypt). No
    // aws:SourceArn condition here: SNS makes the KMS call, and whether it forwards the rule ARN
    // is not documented; a condition that is absent would silently drop every alert. The key
    // encrypts only this topic.
    // The alert is about support sessions (which carry a TenantId tag): none may silence or read it.
    fenceKeyFromTenantSessions(this.key);
    fenceTopicFromTenantSessions(this.topic);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgePublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
  }
}
