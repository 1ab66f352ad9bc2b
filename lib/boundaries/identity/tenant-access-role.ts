/**
 * TenantAccessRole: the one role application code assumes to touch tenant data.
 *
 * The application's broker principal assumes it with the STS session tag `TenantId=<id>`
 * (attribute-based access control). Every permission names `${aws:PrincipalTag/TenantId}`, so the
 * role's policies do not grow with the number of tenants.
 *
 * Trust policy (IAM User Guide, id_session-tags):
 * - `sts:AssumeRole` and `sts:TagSession` for the broker only;
 * - the `TenantId` tag is required and its value held to the TenantId rule (tenant-id-iam.ts);
 * - `TenantId` is the only tag key the caller may set (`ForAllValues` paired with the required
 *   tag, so an absent key cannot make it vacuously true).
 * Permissions: an explicit Deny of everything when the principal tag is absent. A missing policy
 * variable makes `StringEquals` fail closed but `StringNotLike` and `...IfExists` fail open
 * (AWS-FACTS.md), so the Deny uses `Null`.
 */
import { Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { APPLICATION_SOURCE_IDENTITY_PREFIX, PRINCIPAL_TENANT, TENANT_TAG_KEY } from '../../core/namespace';
import { TENANT_TAG_REFUSED_PATTERNS, TENANT_TAG_REQUIRED_PATTERN } from '../../core/tenant-id-iam';
import { PropProblems } from '../validation';

/** The IAM path of every role this blueprint creates. */
export const BLUEPRINT_IAM_PATH = '/tenant-isolation/';

/** `app.`: the prefix of source identities the broker sets (defined in lib/core/namespace.ts). */
export { APPLICATION_SOURCE_IDENTITY_PREFIX };

export interface TenantAccessRoleProps {
  /**
   * The principal allowed to assume the role with a tenant session tag: your application's
   * role (the "broker"), which takes the tenant from a verified identity, never from a request.
   */
  readonly broker: iam.IPrincipal;
  /**
   * Fixed role name, so tenant stacks can name the role in resource policies without a
   * CloudFormation export (an export cannot change while imported).
   */
  readonly roleName: string;
  /**
   * Longest session the broker may request.
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

export class TenantAccessRole extends Construct {
  /** The ARN of a TenantAccessRole named `roleName`, in the account and partition of `scope`. */
  public static arnForName(scope: Construct, roleName: string): string {
    const stack = Stack.of(scope);
    return `arn:${stack.partition}:iam::${stack.account}:role${BLUEPRINT_IAM_PATH}${roleName}`;
  }

  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TenantAccessRoleProps) {
    super(scope, id);
    const problems = new PropProblems(this);
    problems.check(/^[\w+=,.@-]{1,64}$/.test(props.roleName), 'roleName', props.roleName, 'a valid IAM role name (1-64 of [A-Za-z0-9+=,.@_-])');
    problems.throwIfAny();

    const trust = new iam.SessionTagsPrincipal(props.broker).withConditions({
      StringLike: { [`aws:RequestTag/${TENANT_TAG_KEY}`]: TENANT_TAG_REQUIRED_PATTERN },
      StringNotLike: { [`aws:RequestTag/${TENANT_TAG_KEY}`]: [...TENANT_TAG_REFUSED_PATTERNS] },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG_KEY] },
    });

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      path: BLUEPRINT_IAM_PATH,
      assumedBy: trust,
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      description: 'Tenant data access; assumed with session tag TenantId (ABAC). Policies use ${aws:PrincipalTag/TenantId}.',
    });
    // Attribution: the broker MAY set a source identity naming the end user (`app.<user-id>`). It
    // persists for the whole session, so every CloudTrail event of the session names that user
    // (IAM User Guide, id_credentials_temp_control-access_monitor). Optional, so brokers that do
    // not set one keep working; a separate statement, so the tag conditions above stay as they are.
    // A broker whose own session already carries a source identity from elsewhere (role chaining)
    // cannot use this role: STS evaluates sts:SetSourceIdentity with that inherited value.
    this.role.assumeRolePolicy!.addStatements(
      new iam.PolicyStatement({
        sid: 'BrokerMaySetApplicationSourceIdentity',
        principals: [props.broker],
        actions: ['sts:SetSourceIdentity'],
        conditions: { StringLike: { 'sts:SourceIdentity': `${APPLICATION_SOURCE_IDENTITY_PREFIX}?*` } },
      }),
    );

    // The role itself carries no TenantId tag: the tenant comes only from the session.
    Tags.of(this.role).add('tenant-isolation:boundary', 'tenant-access');

    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DenyAllWithoutTenantTag',
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { Null: { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: 'true' } },
      }),
    );
  }

  /** The policy variable every tenant-scoped statement of this role uses. */
  public get tenantVariable(): string {
    return PRINCIPAL_TENANT;
  }
}
