/**
 * BreakGlassRole: emergency READ across tenants (an incident that spans tenants, a support
 * tooling outage), under a two-person rule that IAM itself enforces, and loudly alerted.
 *
 * IAM has no "two approvals" primitive. What it can express, and what this role uses:
 * - the requester must be one of the named break-glass principals, with MFA no older than
 *   `mfaMaxAge` (default 15 minutes), a source identity (an IAM user: its own name), and the
 *   session tag `SupportTicket` (`SUP-<digits>`);
 * - the requester's OWN principal must carry the tag `BreakGlassApprovedTicket` with that same
 *   ticket: `StringEquals aws:RequestTag/SupportTicket = ${aws:PrincipalTag/BreakGlassApprovedTicket}`
 *   (a missing principal tag resolves to nothing and matches no value: fails closed);
 * - that tag is set by a second person: the BreakGlassApprover managed policy lets approvers tag
 *   ONLY the requesters with ONLY that key, and the construct refuses a principal that is both
 *   requester and approver. A requester cannot approve itself unless someone granted it
 *   iam:Tag* elsewhere; an administrator of the account can always bypass IAM-level controls,
 *   which is why every assumption alerts (SupportAccessAlert) and every read is a data event.
 * The approval is bound to one ticket and EXPIRES, enforced by IAM: the role's permissions
 * boundary (`<role>-Approval`, break-glass-approval.ts) is `Deny *` until an approver writes a
 * version that allows the reads for that ticket while `aws:CurrentTime` is before a literal expiry.
 * The approver removes the tag after the incident (docs/support.md); the expiry holds even if not.
 * Like SupportAccessRole, it is assumable only through the STS endpoint of the stack's Region
 * (`allowedRegions`), where the alert sees it.
 *
 * Permissions: read objects under any `tenants/` prefix, listings under `tenants/`, Decrypt via S3;
 * everything else is denied (NotAction), and so are secrets, cache and database connections.
 * Writes in an emergency go through a reviewed deployment, not through this role.
 */
import { Aws, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PropProblems, throwValidationError } from '../validation';
import { OBJECT_ROOT } from '../../core/namespace';
import { SUPPORT_KMS_ACTIONS, SUPPORT_LIST_ACTIONS, SUPPORT_OBJECT_READ_ACTIONS } from '../../core/storage-actions';
export { BREAK_GLASS_READ_ACTIONS };
import { checkAllowedRegions, SUPPORT_FORBIDDEN_ACTIONS } from './support-access';
import { BREAK_GLASS_READ_ACTIONS, breakGlassApprovalPolicyName, NO_APPROVAL_DOCUMENT } from './break-glass-approval';
import { SUPPORT_TICKET_REFUSED_PATTERNS, SUPPORT_TICKET_REQUIRED_PATTERN, SUPPORT_TICKET_TAG_KEY } from '../../core/support-ticket';
import { personTrust, validateTrustPolicySize } from '../identity/person-trust';
import { BLUEPRINT_IAM_PATH } from '../identity/tenant-access-role';
import { acknowledgeFindings } from '../../nag/acknowledge';

/** The principal tag an approver sets on a requester: the ticket it approves. */
export const BREAK_GLASS_APPROVAL_TAG_KEY = 'BreakGlassApprovedTicket';

/** A person's IAM identity: an IAM user or a per-person role. */
export type PersonIdentity = iam.IUser | iam.IRole;

/** The ARN of a user or role. */
export function identityArn(identity: PersonIdentity): string {
  return 'roleArn' in identity ? identity.roleArn : identity.userArn;
}

/** `arn:...:user/alice` -> imported user, `arn:...:role/x` -> imported role (immutable). */
export function identityFromArn(scope: Construct, id: string, arn: string): PersonIdentity {
  if (/^arn:[^:]+:iam::\d{12}:user\//.test(arn)) return iam.User.fromUserArn(scope, id, arn);
  if (/^arn:[^:]+:iam::\d{12}:role\//.test(arn)) return iam.Role.fromRoleArn(scope, id, arn, { mutable: false });
  throwValidationError(scope, `${scope.node.path}/${id}: ${JSON.stringify(arn)} is not an IAM user or role ARN`);
}

export interface BreakGlassRoleProps {
  /** Who may request a break-glass session (IAM users or per-person roles). At least one. */
  readonly requesters: readonly PersonIdentity[];
  /** Who approves: receives the approver policy. At least one, none of them a requester. */
  readonly approvers: readonly PersonIdentity[];
  /** Fixed role name (names.ts). */
  readonly roleName: string;
  /**
   * Freshness of the requester's MFA (`aws:MultiFactorAuthAge`).
   * @default Duration.minutes(15)
   */
  readonly mfaMaxAge?: Duration;
  /**
   * Regions whose STS endpoint may be used (`aws:RequestedRegion`); deploy the alert in each.
   * @default [Aws.REGION]
   */
  readonly allowedRegions?: readonly string[];
}

export class BreakGlassRole extends Construct {
  public readonly role: iam.Role;
  /** Attach to approvers: tag requesters with BreakGlassApprovedTicket (and remove it), and write the approval boundary. */
  public readonly approverPolicy: iam.ManagedPolicy;
  /** The role's permissions boundary: `Deny *` until an approver writes a time-bounded approval. */
  public readonly approvalBoundary: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: BreakGlassRoleProps) {
    super(scope, id);
    const problems = new PropProblems(this);
    problems.check(props.requesters.length > 0, 'requesters', [], 'at least one requester');
    problems.check(props.approvers.length > 0, 'approvers', [], 'at least one approver: a break-glass session needs a second person');
    const requesterArns = props.requesters.map(identityArn);
    props.approvers.forEach((approver, i) => {
      const arn = identityArn(approver);
      if (requesterArns.includes(arn)) problems.addMessage(`approvers[${i}]`, `${arn} is both requester and approver: nobody may approve themselves`);
    });
    const mfaMaxAge = (props.mfaMaxAge ?? Duration.minutes(15)).toSeconds();
    problems.check(mfaMaxAge >= 60 && mfaMaxAge <= 3600, 'mfaMaxAge', `${mfaMaxAge}s`, 'from 60s to 1h');
    checkAllowedRegions(problems, props.allowedRegions);
    problems.throwIfAny();

    const ticketTag = `aws:RequestTag/${SUPPORT_TICKET_TAG_KEY}`;
    const trust = personTrust(
      props.requesters,
      mfaMaxAge,
      {
        StringLike: { [ticketTag]: SUPPORT_TICKET_REQUIRED_PATTERN },
        StringNotLike: { [ticketTag]: [...SUPPORT_TICKET_REFUSED_PATTERNS] },
        // The second person: the requester's own principal carries the approval of THIS ticket.
        StringEquals: { [ticketTag]: `\${aws:PrincipalTag/${BREAK_GLASS_APPROVAL_TAG_KEY}}` },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [SUPPORT_TICKET_TAG_KEY] },
      },
      { denyWithoutMfa: true, requestedRegions: props.allowedRegions ?? [Aws.REGION] },
    );
    // No approval until a second person writes one (break-glass-approval.ts). Its content is
    // replaced at approval time by new policy versions; CloudFormation rewrites it only when this
    // document changes in the template, which revokes any approval (the safe direction).
    this.approvalBoundary = new iam.ManagedPolicy(this, 'ApprovalBoundary', {
      managedPolicyName: breakGlassApprovalPolicyName(props.roleName),
      path: BLUEPRINT_IAM_PATH,
      description: 'Permissions boundary of the break-glass role: the current approval (Deny * = none). Approvers write time-bounded versions.',
      document: iam.PolicyDocument.fromJson(NO_APPROVAL_DOCUMENT),
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      path: BLUEPRINT_IAM_PATH,
      assumedBy: trust.assumedBy,
      permissionsBoundary: this.approvalBoundary,
      maxSessionDuration: Duration.hours(1),
      description: 'Break-glass: cross-tenant read, approved by a second person per ticket; every assumption alerts',
    });
    this.role.assumeRolePolicy!.addStatements(...trust.statements);
    validateTrustPolicySize(this.role, props.requesters.length);
    Tags.of(this.role).add('tenant-isolation:boundary', 'break-glass');

    const permissions = new iam.Policy(this, 'Permissions', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyAllWithoutTicketTag',
          effect: iam.Effect.DENY,
          actions: ['*'],
          resources: ['*'],
          conditions: { Null: { [`aws:PrincipalTag/${SUPPORT_TICKET_TAG_KEY}`]: 'true' } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyAllWithMalformedTicket',
          effect: iam.Effect.DENY,
          actions: ['*'],
          resources: ['*'],
          conditions: { StringLike: { [`aws:PrincipalTag/${SUPPORT_TICKET_TAG_KEY}`]: [...SUPPORT_TICKET_REFUSED_PATTERNS] } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyAllWithoutSourceIdentity',
          effect: iam.Effect.DENY,
          actions: ['*'],
          resources: ['*'],
          conditions: { Null: { 'aws:SourceIdentity': 'true' } },
        }),
        new iam.PolicyStatement({ sid: 'DenyEverythingButReads', effect: iam.Effect.DENY, notActions: [...BREAK_GLASS_READ_ACTIONS], resources: ['*'] }),
        new iam.PolicyStatement({ sid: 'DenyForbiddenByName', effect: iam.Effect.DENY, actions: [...SUPPORT_FORBIDDEN_ACTIONS], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'TenantObjectsRead',
          actions: [...SUPPORT_OBJECT_READ_ACTIONS],
          resources: [`arn:${Aws.PARTITION}:s3:::*/${OBJECT_ROOT}*`],
        }),
        new iam.PolicyStatement({
          sid: 'TenantListing',
          actions: [...SUPPORT_LIST_ACTIONS],
          resources: [`arn:${Aws.PARTITION}:s3:::*`],
          conditions: { StringLike: { 's3:prefix': `${OBJECT_ROOT}*` } },
        }),
        new iam.PolicyStatement({
          sid: 'DecryptViaS3',
          actions: [...SUPPORT_KMS_ACTIONS],
          resources: [`arn:${Aws.PARTITION}:kms:${Aws.REGION}:${Aws.ACCOUNT_ID}:key/*`],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      ],
    });

    const why =
      "Break-glass is cross-tenant READ by design (incidents spanning tenants): reads only (NotAction Deny), assumable only with fresh MFA, a source identity and a second person's approval of the ticket, and every assumption alerts.";
    acknowledgeFindings(permissions, [
      { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*/${OBJECT_ROOT}*]`, reason: why },
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]', reason: `${why} Listing is limited to s3:prefix ${OBJECT_ROOT}*.` },
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]', reason: `${why} Decrypt only via S3 (kms:ViaService).` },
      { id: 'TI-IAM1[TenantObjectsRead]', reason: `${why} Object reads span every tenant prefix on purpose.` },
      { id: 'TI-IAM1[TenantListing]', reason: `${why} Listings span every tenant prefix on purpose.` },
      { id: 'TI-IAM1[DecryptViaS3]', reason: `${why} Decrypt spans tenant keys on purpose, only through S3.` },
    ]);
    acknowledgeFindings(this.role, [
      {
        id: 'TI-SUPPORT1[#0::NoTenantTag]',
        reason: `${why} It names no tenant, so it carries no TenantId tag; the approved SupportTicket tag, MFA and source identity are required.`,
      },
    ]);

    const account = Stack.of(this).account;
    this.approverPolicy = new iam.ManagedPolicy(this, 'ApproverPolicy', {
      description: `Approve a break-glass session: tag a requester with ${BREAK_GLASS_APPROVAL_TAG_KEY}=<ticket>, or remove it`,
      statements: [
        new iam.PolicyStatement({
          sid: 'TagRequestersWithApprovalOnly',
          actions: ['iam:TagUser', 'iam:TagRole', 'iam:UntagUser', 'iam:UntagRole'],
          resources: requesterArns,
          conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [BREAK_GLASS_APPROVAL_TAG_KEY] } },
        }),
        new iam.PolicyStatement({
          sid: 'WriteTimeBoundedApproval',
          actions: [
            'iam:CreatePolicyVersion',
            'iam:DeletePolicyVersion',
            'iam:SetDefaultPolicyVersion',
            'iam:GetPolicy',
            'iam:GetPolicyVersion',
            'iam:ListPolicyVersions',
          ],
          resources: [this.approvalBoundary.managedPolicyArn],
        }),
        new iam.PolicyStatement({
          sid: 'NeverTagYourself',
          effect: iam.Effect.DENY,
          actions: ['iam:TagUser', 'iam:UntagUser'],
          // With and without an IAM path (user/name, user/path/name).
          resources: [`arn:${Aws.PARTITION}:iam::${account}:user/\${aws:username}`, `arn:${Aws.PARTITION}:iam::${account}:user/*/\${aws:username}`],
        }),
      ],
    });
    for (const approver of props.approvers) {
      if ('roleArn' in approver) this.approverPolicy.attachToRole(approver);
      else this.approverPolicy.attachToUser(approver);
    }
  }
}
