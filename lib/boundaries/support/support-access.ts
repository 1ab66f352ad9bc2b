/**
 * SupportAccessRole: how a person on the support team reads one tenant's data, and nothing else.
 *
 * Admin and support panels are where isolation usually leaks: they bypass customer-facing
 * constraints because the team trusts itself. Here a support session is as scoped as an
 * application session, and louder:
 *
 * Trust policy (who may start a session, and how; statements built by person-trust.ts):
 * - only the named support principals (people, not the account root);
 * - only with MFA: `Bool aws:MultiFactorAuthPresent true` (a missing key makes `Bool` false: fails
 *   closed) and `aws:MultiFactorAuthAge` bounded (a missing key fails `NumericLessThanEquals`),
 *   plus a Deny with `BoolIfExists ... false`, which fires when the key is missing too (long-term
 *   access keys carry no MFA key at all; IAM User Guide, reference_policies_examples_ec2_require-mfa);
 * - only with exactly two session tags: `TenantId` (the TenantId rule, tenant-id-iam.ts) and
 *   `SupportTicket` (shape `SUP-<digits>` here; letters inside the number are refused by the
 *   permission policy, support-ticket.ts explains the 2,048-character trade);
 * - only with a source identity (`sts:SetSourceIdentity` + a condition on `sts:SourceIdentity`). It
 *   cannot change once set and persists through role chaining (IAM User Guide,
 *   id_credentials_temp_control-access_monitor), so CloudTrail names the person behind every
 *   action. An IAM user must use its own user name; `app.` identities belong to the broker.
 * - only through the STS endpoint of the stack's Region (or `allowedRegions`):
 *   `aws:RequestedRegion`, so an assumption through another Region's endpoint, which the alert
 *   (an EventBridge rule in the stack's Region) would never see, is refused.
 * Sessions last at most one hour (the IAM minimum for MaxSessionDuration).
 *
 * Permissions: read-only, only the tagged tenant's data. The Allows for storage come from the
 * boundaries themselves (PoolStorage.grantSupportRead, SiloStorage.grantSupportRead); this role
 * carries the Allow for queue metadata and the Denies, written by namespace so they also hold
 * for boundaries added later (queues, search, cache): every action outside a short read list is
 * denied, as are reads outside `tenants/${aws:PrincipalTag/TenantId}/`, other tenants' queues,
 * secrets and cache connections, and everything when a tag or the source identity is missing.
 */
import { Aws, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PropProblems } from '../validation';
import { objectPrefix, PRINCIPAL_TENANT, TENANT_TAG_KEY } from '../../core/namespace';
import { TENANT_TAG_REFUSED_PATTERNS, TENANT_TAG_REQUIRED_PATTERN } from '../../core/tenant-id-iam';
import { SUPPORT_KMS_ACTIONS, SUPPORT_LIST_ACTIONS, SUPPORT_OBJECT_READ_ACTIONS } from '../../core/storage-actions';
import {
  SUPPORT_TICKET_REFUSED_PATTERNS,
  SUPPORT_TICKET_REQUIRED_PATTERN,
  SUPPORT_TICKET_SHAPE_REFUSED_PATTERNS,
  SUPPORT_TICKET_TAG_KEY,
} from '../../core/support-ticket';
import { personTrust, validateTrustPolicySize } from '../identity/person-trust';
import { BLUEPRINT_IAM_PATH } from '../identity/tenant-access-role';
import { acknowledgeFindings } from '../../nag/acknowledge';

/** Queue metadata a support session may read on its tenant's queues (never messages). */
export const SUPPORT_QUEUE_METADATA_ACTIONS = ['sqs:GetQueueAttributes', 'sqs:ListQueueTags'] as const;

/** Every action a support session can ever be allowed; anything else is explicitly denied. */
export const SUPPORT_READ_ACTIONS: readonly string[] = [
  ...SUPPORT_OBJECT_READ_ACTIONS,
  ...SUPPORT_LIST_ACTIONS,
  ...SUPPORT_KMS_ACTIONS,
  ...SUPPORT_QUEUE_METADATA_ACTIONS,
];

/**
 * Denied by name as well, so that widening SUPPORT_READ_ACTIONS can never open them: cache users'
 * secrets and connections, database connections and the Data API (a support read of rows goes
 * through the application with tenant context, never around row-level security).
 */
export const SUPPORT_FORBIDDEN_ACTIONS = ['secretsmanager:*', 'elasticache:Connect', 'rds-db:connect', 'rds-data:*'] as const;

export interface SupportAccessRoleProps {
  /**
   * The people allowed to assume the role: IAM users or the roles your identity provider gives
   * each support engineer. Never the account root principal (that delegates to every principal
   * of the account). At least one.
   */
  readonly supportPrincipals: readonly iam.IPrincipal[];
  /** Fixed role name (names.ts), so tenant stacks name the role without a cross-stack export. */
  readonly roleName: string;
  /**
   * How long ago the MFA sign-in may have been when the role is assumed (`aws:MultiFactorAuthAge`).
   * @default Duration.hours(1)
   */
  readonly mfaMaxAge?: Duration;
  /**
   * Add the belt-and-braces `Deny sts:* when BoolIfExists aws:MultiFactorAuthPresent false`
   * (about 150 characters of the 2,048-character trust policy quota). Turn off to make room
   * for more principals; the Allow's `Bool` still requires MFA.
   * @default true
   */
  readonly denyWithoutMfaStatement?: boolean;
  /**
   * Regions whose STS endpoint may be used to assume the role (`aws:RequestedRegion`). Deploy the
   * support alert (SupportAccessAlert) in EVERY Region listed: EventBridge sees an AssumeRole only
   * in the Region whose endpoint served it. Region names or tokens.
   * @default [Aws.REGION] — the stack's own Region, where SupportTooling puts the alert
   */
  readonly allowedRegions?: readonly string[];
}

/** Checks an allowedRegions prop; returns the problems (empty when fine). Tokens are skipped. */
export function checkAllowedRegions(problems: PropProblems, regions: readonly string[] | undefined): void {
  if (regions === undefined) return;
  problems.check(regions.length > 0, 'allowedRegions', [], "at least one Region (default: the stack's Region)");
  // PropProblems skips tokens (a Region known only at deploy time).
  regions.forEach((r, i) => problems.check(/^[a-z]{2}(-[a-z]+)+-\d+$/.test(r), `allowedRegions[${i}]`, r, 'a Region name (e.g. eu-west-1)'));
}

export class SupportAccessRole extends Construct {
  /** The ARN of a SupportAccessRole named `roleName`, in the account and partition of `scope`. */
  public static arnForName(scope: Construct, roleName: string): string {
    const stack = Stack.of(scope);
    return `arn:${stack.partition}:iam::${stack.account}:role${BLUEPRINT_IAM_PATH}${roleName}`;
  }

  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SupportAccessRoleProps) {
    super(scope, id);
    const problems = new PropProblems(this);
    problems.check(/^[\w+=,.@-]{1,64}$/.test(props.roleName), 'roleName', props.roleName, 'a valid IAM role name (1-64 of [A-Za-z0-9+=,.@_-])');
    problems.check(props.supportPrincipals.length > 0, 'supportPrincipals', [], 'at least one support principal');
    props.supportPrincipals.forEach((p, i) => {
      if (p instanceof iam.AccountRootPrincipal || p instanceof iam.AnyPrincipal) {
        problems.addMessage(`supportPrincipals[${i}]`, `${p.constructor.name}: name people, not the whole account`);
      }
    });
    const mfaMaxAge = (props.mfaMaxAge ?? Duration.hours(1)).toSeconds();
    problems.check(mfaMaxAge >= 60 && mfaMaxAge <= 12 * 3600, 'mfaMaxAge', `${mfaMaxAge}s`, 'from 60s to 12h');
    checkAllowedRegions(problems, props.allowedRegions);
    problems.throwIfAny();

    const tenantTag = `aws:RequestTag/${TENANT_TAG_KEY}`;
    const ticketTag = `aws:RequestTag/${SUPPORT_TICKET_TAG_KEY}`;
    const trust = personTrust(
      props.supportPrincipals,
      mfaMaxAge,
      {
        // StringLike on a missing tag is false: both tags are required.
        StringLike: { [tenantTag]: TENANT_TAG_REQUIRED_PATTERN, [ticketTag]: SUPPORT_TICKET_REQUIRED_PATTERN },
        StringNotLike: { [tenantTag]: [...TENANT_TAG_REFUSED_PATTERNS], [ticketTag]: [...SUPPORT_TICKET_SHAPE_REFUSED_PATTERNS] },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG_KEY, SUPPORT_TICKET_TAG_KEY] },
      },
      { denyWithoutMfa: props.denyWithoutMfaStatement ?? true, requestedRegions: props.allowedRegions ?? [Aws.REGION] },
    );

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      path: BLUEPRINT_IAM_PATH,
      assumedBy: trust.assumedBy,
      maxSessionDuration: Duration.hours(1),
      description: 'Support: read-only, one tenant per session (tags TenantId + SupportTicket), MFA and source identity required',
    });
    this.role.assumeRolePolicy!.addStatements(...trust.statements);
    validateTrustPolicySize(this.role, props.supportPrincipals.length);
    Tags.of(this.role).add('tenant-isolation:boundary', 'support-access');

    const tagKey = (k: string) => `aws:PrincipalTag/${k}`;
    const statements: iam.PolicyStatement[] = [
      ...[TENANT_TAG_KEY, SUPPORT_TICKET_TAG_KEY].map(
        (k) =>
          new iam.PolicyStatement({
            sid: `DenyAllWithout${k}Tag`,
            effect: iam.Effect.DENY,
            actions: ['*'],
            resources: ['*'],
            conditions: { Null: { [tagKey(k)]: 'true' } },
          }),
      ),
      // The ticket's full format (letters in the number): checked here, not in the trust policy
      // (support-ticket.ts explains the 2,048-character trade). StringLike on a missing tag is
      // false, but DenyAllWithoutSupportTicketTag above covers that.
      new iam.PolicyStatement({
        sid: 'DenyAllWithMalformedTicket',
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { StringLike: { [tagKey(SUPPORT_TICKET_TAG_KEY)]: [...SUPPORT_TICKET_REFUSED_PATTERNS] } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyAllWithoutSourceIdentity',
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { Null: { 'aws:SourceIdentity': 'true' } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyEverythingButReads',
        effect: iam.Effect.DENY,
        notActions: [...SUPPORT_READ_ACTIONS],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyForbiddenByName',
        effect: iam.Effect.DENY,
        actions: [...SUPPORT_FORBIDDEN_ACTIONS],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyObjectReadsOutsideTenantPrefix',
        effect: iam.Effect.DENY,
        actions: [...SUPPORT_OBJECT_READ_ACTIONS],
        // Any bucket (pool or silo): only keys under tenants/<own tenant>/.
        notResources: [`arn:${Aws.PARTITION}:s3:::*/${objectPrefix(PRINCIPAL_TENANT)}*`],
      }),
      new iam.PolicyStatement({
        sid: 'DenyListingOutsideTenantPrefix',
        effect: iam.Effect.DENY,
        actions: [...SUPPORT_LIST_ACTIONS],
        resources: ['*'],
        // A listing without s3:prefix matches StringNotLike: denied.
        conditions: { StringNotLike: { 's3:prefix': `${objectPrefix(PRINCIPAL_TENANT)}*` } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyDecryptOutsideS3',
        effect: iam.Effect.DENY,
        actions: [...SUPPORT_KMS_ACTIONS],
        resources: ['*'],
        conditions: { StringNotEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyOtherTenantsQueues',
        effect: iam.Effect.DENY,
        actions: [...SUPPORT_QUEUE_METADATA_ACTIONS],
        resources: ['*'],
        // aws:ResourceTag works in identity policies for SQS (SQS Developer Guide, sqs-abac).
        conditions: { StringNotEquals: { [`aws:ResourceTag/${TENANT_TAG_KEY}`]: PRINCIPAL_TENANT } },
      }),
      new iam.PolicyStatement({
        sid: 'TenantQueueMetadata',
        actions: [...SUPPORT_QUEUE_METADATA_ACTIONS],
        resources: [`arn:${Aws.PARTITION}:sqs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`],
        conditions: { StringEquals: { [`aws:ResourceTag/${TENANT_TAG_KEY}`]: PRINCIPAL_TENANT } },
      }),
    ];
    const guardrails = new iam.Policy(this, 'Guardrails', { roles: [this.role], statements });
    acknowledgeFindings(guardrails, [
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:*]',
        reason:
          'Queue metadata only (GetQueueAttributes, ListQueueTags), and only on queues whose TenantId resource tag equals the session tag (ABAC); a name prefix would not separate acme from acme-corp.',
      },
    ]);
  }
}
