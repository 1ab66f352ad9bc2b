/**
 * The platform half of the email boundary: TenantAccessRole's permission to send through its own
 * tenant's SES resources, which the tenant stacks create (lib/boundaries/email/tenant-email.ts).
 *
 * One managed policy of ABAC statements on `${aws:PrincipalTag/TenantId}`: its text does not
 * depend on the number of tenants (test/blueprint/policy-size.test.ts). Names and ARN patterns
 * come from lib/core/email-names.ts, which explains why none of them matches another tenant.
 *
 * How SES authorizes (Service Authorization Reference, list_amazonsimpleemailservicev2; SES API v2
 * reference, SendEmail): `ses:SendEmail` is checked against every resource the request names —
 * the sending identity (always), the configuration set and the template (when named) — so the
 * Allow lists only the caller's own identity, configuration set and templates, and every one of
 * them must match. Besides the resources:
 * - `ses:TenantName` must be the caller's SES tenant. SES then also refuses the send unless every
 *   referenced resource is associated with that tenant (SendEmail, TenantName).
 * - `ses:FromAddress` must be an address of the caller's sending domain. The raw send (the v1
 *   `SendRawEmail` action) has no `ses:TenantName` key, so its statement relies on the resources
 *   and the From address.
 * Resource tags are not used: the SendEmail action lists no `aws:ResourceTag` key, and a Deny on
 * an absent tag would block legitimate sends.
 *
 * Denies that hold whatever else is granted to the role later:
 * - `DenySesOutsideOwnTenant`: every `ses:` action on anything but the caller's own identity,
 *   address identities, configuration set, templates and SES tenant — which also covers the
 *   account-level suppression list, account settings and every other tenant's resources (for a
 *   session without the tag the patterns resolve to nothing, so the Deny covers everything);
 * - `DenyForeignFromAddress`, `DenyForeignFeedbackAddress`, `DenyForeignSesTenant`: a From,
 *   Return-Path (feedback forwarding) address or SES tenant of the request that is not the
 *   caller's. Each pairs `Null: false` with the negated operator, so a request without that key
 *   is not refused by it (negated operators are true for an absent key: IAM User Guide,
 *   reference_policies_elements_condition_operators).
 * Reply-To has no condition key: the runtime mailer refuses a foreign Reply-To
 * (lib/boundaries/email/runtime/tenant-mailer.ts).
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  DEFAULT_MAIL_DOMAIN,
  OWN,
  SES_FEEDBACK_ADDRESS_KEY,
  SES_FROM_ADDRESS_KEY,
  SES_TENANT_NAME_KEY,
  TENANT_SUPPRESSION_ACTIONS,
  TENANT_TEMPLATE_READ_ACTIONS,
  mailDomainProblem,
} from '../../core/email-names';
import { acknowledgeFindings, iam5ResourceFinding } from '../../nag/acknowledge';
import { PropProblems } from '../validation';

export interface TenantEmailAccessProps {
  /** The blueprint qualifier (part of every SES name). */
  readonly qualifier: string;
  /**
   * The parent domain of the tenants' sending domains (`<id>.<mailDomain>`).
   * @default 'mail.example.com' (DEFAULT_MAIL_DOMAIN)
   */
  readonly mailDomain?: string;
}

const sesArn = (resource: string) => `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;

export class TenantEmailAccess extends Construct {
  /** The caller's own SES resources, as ARN patterns with the session-tag variable. */
  public static ownResources(qualifier: string, mailDomain: string) {
    return {
      identity: sesArn(`identity/${OWN.domain(mailDomain)}`),
      addressIdentities: sesArn(`identity/${OWN.addresses(mailDomain)}`),
      configurationSet: sesArn(`configuration-set/${OWN.configurationSet(qualifier)}`),
      templates: sesArn(`template/${OWN.templates(qualifier)}`),
      // `tenant/<TenantName>/<SES tenant id>`: the id is SES's, so it is a wildcard after the
      // exact name and its `/` (Service Authorization Reference: tenant resource type).
      sesTenant: sesArn(`tenant/${OWN.sesTenant(qualifier)}/*`),
    };
  }

  public readonly policy: iam.ManagedPolicy;
  public readonly mailDomain: string;

  constructor(scope: Construct, id: string, props: TenantEmailAccessProps) {
    super(scope, id);
    const q = props.qualifier;
    const mailDomain = props.mailDomain ?? DEFAULT_MAIL_DOMAIN;
    const problems = new PropProblems(this);
    const domainProblem = mailDomainProblem(mailDomain);
    if (domainProblem) problems.add('mailDomain', mailDomain, domainProblem);
    problems.throwIfAny();
    this.mailDomain = mailDomain;
    const own = TenantEmailAccess.ownResources(q, mailDomain);
    const identities = [own.identity, own.addressIdentities];
    const fromAddresses = [OWN.addresses(mailDomain)];
    const sendResources = [...identities, own.configurationSet, own.templates];
    const present = (key: string) => ({ Null: { [key]: 'false' } });

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Email (SES): each session sends only as its own tenant: identity <tag>.<mailDomain>, configuration set and templates of <q>-tenant-<tag>',
      statements: [
        new iam.PolicyStatement({
          sid: 'SendThroughOwnSesTenant',
          actions: ['ses:SendEmail'],
          resources: sendResources,
          conditions: {
            StringEquals: { [SES_TENANT_NAME_KEY]: OWN.sesTenant(q) },
            StringLike: { [SES_FROM_ADDRESS_KEY]: fromAddresses },
          },
        }),
        new iam.PolicyStatement({
          sid: 'SendRawFromOwnIdentity',
          actions: ['ses:SendRawEmail'],
          resources: [...identities, own.configurationSet],
          conditions: { StringLike: { [SES_FROM_ADDRESS_KEY]: fromAddresses } },
        }),
        new iam.PolicyStatement({
          sid: 'OwnTenantSuppressionList',
          actions: [...TENANT_SUPPRESSION_ACTIONS],
          resources: [own.sesTenant],
        }),
        new iam.PolicyStatement({
          sid: 'ReadOwnTemplates',
          actions: [...TENANT_TEMPLATE_READ_ACTIONS],
          resources: [own.templates],
        }),
        new iam.PolicyStatement({
          sid: 'DenySesOutsideOwnTenant',
          effect: iam.Effect.DENY,
          actions: ['ses:*'],
          notResources: [...sendResources, own.sesTenant],
        }),
        new iam.PolicyStatement({
          sid: 'DenyForeignFromAddress',
          effect: iam.Effect.DENY,
          actions: ['ses:Send*'],
          resources: ['*'],
          conditions: { ...present(SES_FROM_ADDRESS_KEY), StringNotLike: { [SES_FROM_ADDRESS_KEY]: fromAddresses } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyForeignFeedbackAddress',
          effect: iam.Effect.DENY,
          actions: ['ses:Send*'],
          resources: ['*'],
          conditions: { ...present(SES_FEEDBACK_ADDRESS_KEY), StringNotLike: { [SES_FEEDBACK_ADDRESS_KEY]: fromAddresses } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyForeignSesTenant',
          effect: iam.Effect.DENY,
          actions: ['ses:Send*'],
          resources: ['*'],
          conditions: { ...present(SES_TENANT_NAME_KEY), StringNotEquals: { [SES_TENANT_NAME_KEY]: OWN.sesTenant(q) } },
        }),
      ],
    });
    const reason = (what: string) =>
      `${what} The pattern is delimited so that it covers one tenant only (lib/core/email-names.ts); sends also need ses:TenantName = the caller's SES tenant and a From address of its domain, and DenySesOutsideOwnTenant refuses every other SES resource.`;
    acknowledgeFindings(this.policy.node.defaultChild!, [
      {
        id: iam5ResourceFinding(this, own.addressIdentities),
        reason: reason("Address identities of the caller's sending domain: '*@' + '<tag>.<mailDomain>' (the '@' and '.' delimit the tenant id)."),
      },
      { id: iam5ResourceFinding(this, own.templates), reason: reason("The caller's templates '<q>-tenant-<tag>_*' ('_' is not in the TenantId alphabet).") },
      { id: iam5ResourceFinding(this, own.sesTenant), reason: reason("The caller's SES tenant: the exact name, then SES's generated tenant id after '/'.") },
    ]);
  }

  /** Lets sessions of `role` (the ABAC TenantAccessRole) send only as their own tenant. */
  public grantTenantAccess(role: iam.IRole): iam.ManagedPolicy {
    role.addManagedPolicy(this.policy);
    return this.policy;
  }
}
