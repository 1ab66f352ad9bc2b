/**
 * Trust policy for roles that people assume (SupportAccessRole, BreakGlassRole).
 *
 * STS authorizes one AssumeRole call as up to three actions, and the Service Authorization
 * Reference lists different condition keys for each: `sts:AssumeRole` (aws:RequestTag, aws:TagKeys,
 * sts:SourceIdentity, ...), `sts:TagSession` (aws:RequestTag, aws:TagKeys, sts:TransitiveTagKeys;
 * NOT sts:SourceIdentity) and `sts:SetSourceIdentity` (sts:SourceIdentity only). A condition on a
 * key the action does not carry is a condition on a missing key, so each statement below only
 * uses the keys its actions carry (plus global keys such as aws:MultiFactorAuthPresent):
 *
 * - Allow AssumeRole + SetSourceIdentity: MFA (`Bool` true: a missing key is false, fails
 *   closed; `NumericLessThanEquals` on aws:MultiFactorAuthAge: missing fails closed), a source
 *   identity (2+ characters, not the broker's `app.` prefix), and the STS endpoint's Region
 *   (`StringEquals aws:RequestedRegion`, the Region of the endpoint called: a missing key fails
 *   closed). CloudTrail logs an STS call in the Region of the endpoint that served it, and the
 *   support alert's EventBridge rule sees only its own Region's events (support-alert.ts): pinning
 *   the Region means no assumption can succeed where the alert cannot see it;
 * - Allow TagSession: the tag values and keys (`tagConditions`);
 * - Deny AssumeRole when no session tag is passed (`Null aws:TagKeys`): without tags STS never
 *   evaluates TagSession, so the tag rules would not apply;
 * - Deny AssumeRole/SetSourceIdentity to an IAM user whose source identity is not its user name
 *   (only when `aws:username` exists, i.e. for IAM-user callers);
 * - optionally Deny everything without MFA (`BoolIfExists ... false` is TRUE when the key is
 *   missing, so the Deny fires for long-term credentials). It repeats the Allow's `Bool`, costs
 *   characters, and IAM counts trust policies against a 2,048-character default quota (IAM quotas).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { APPLICATION_SOURCE_IDENTITY_PREFIX } from './tenant-access-role';

export interface PersonTrust {
  /** For `new iam.Role({ assumedBy })`: AssumeRole under the MFA and source-identity conditions. */
  readonly assumedBy: iam.IPrincipal;
  /** Add to `role.assumeRolePolicy` after construction. */
  readonly statements: iam.PolicyStatement[];
}

export interface PersonTrustOptions {
  readonly denyWithoutMfa?: boolean;
  /** Regions whose STS endpoint may be used (`aws:RequestedRegion`). At least one; tokens allowed. */
  readonly requestedRegions: readonly string[];
}

export function personTrust(
  principals: readonly iam.IPrincipal[],
  mfaMaxAgeSeconds: number,
  tagConditions: Record<string, Record<string, unknown>>,
  options: PersonTrustOptions,
): PersonTrust {
  if (options.requestedRegions.length === 0) throw new Error('personTrust: requestedRegions is empty');
  const sessionConditions = {
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
    // One Region: a plain string (shorter in the 2,048-character trust quota); several: any of them.
    StringEquals: { 'aws:RequestedRegion': options.requestedRegions.length === 1 ? options.requestedRegions[0] : [...options.requestedRegions] },
    NumericLessThanEquals: { 'aws:MultiFactorAuthAge': String(mfaMaxAgeSeconds) },
    // Source identity: STS allows 2-64 of [\w+=,.@-] (STS AssumeRole API reference).
    StringLike: { 'sts:SourceIdentity': '??*' },
    StringNotLike: { 'sts:SourceIdentity': `${APPLICATION_SOURCE_IDENTITY_PREFIX}*` },
  };
  const statements = [
    new iam.PolicyStatement({ actions: ['sts:TagSession'], principals: [...principals], conditions: tagConditions }),
    new iam.PolicyStatement({
      sid: 'DenyNoSessionTags',
      effect: iam.Effect.DENY,
      principals: [new iam.StarPrincipal()],
      actions: ['sts:AssumeRole'],
      conditions: { Null: { 'aws:TagKeys': 'true' } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyUserNameMismatch',
      effect: iam.Effect.DENY,
      principals: [new iam.StarPrincipal()],
      actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      conditions: { Null: { 'aws:username': 'false' }, StringNotEquals: { 'sts:SourceIdentity': '${aws:username}' } },
    }),
  ];
  if (options.denyWithoutMfa) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'DenyNoMfa',
        effect: iam.Effect.DENY,
        principals: [new iam.StarPrincipal()],
        actions: ['sts:*'],
        conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      }),
    );
  }
  return { assumedBy: new AssumeWithSourceIdentity(principals, sessionConditions), statements };
}

/**
 * AssumeRole and SetSourceIdentity for the same principals under the same conditions, written as
 * ONE trust statement. Left to CDK (assumedBy plus a separate SetSourceIdentity statement) they
 * are merged only when `@aws-cdk/aws-iam:minimizePolicies` is on; in an app without that flag the
 * two statements push the support trust past the 2,048-character quota.
 */
class AssumeWithSourceIdentity extends iam.PrincipalWithConditions {
  constructor(
    private readonly trusted: readonly iam.IPrincipal[],
    conditions: iam.Conditions,
  ) {
    super(new iam.CompositePrincipal(...trusted), conditions);
  }

  public override addToAssumeRolePolicy(doc: iam.PolicyDocument): void {
    doc.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'], principals: [...this.trusted], conditions: this.conditions }));
  }
}

/** IAM's default quota for a role trust policy, in characters without white space (IAM quotas). */
export const TRUST_POLICY_QUOTA = 2048;

/**
 * Fails synth when the role's trust policy exceeds the default quota: CloudFormation would fail
 * the deployment with a LimitExceeded error much later. Unresolved ARNs count as their
 * CloudFormation expression, about as long as the ARN.
 */
export function validateTrustPolicySize(role: iam.Role, principalCount: number): void {
  role.node.addValidation({
    validate: () => {
      const size = JSON.stringify(Stack.of(role).resolve(role.assumeRolePolicy!.toJSON())).length;
      return size <= TRUST_POLICY_QUOTA
        ? []
        : [
            `${role.node.path}: trust policy is ${size} characters with ${principalCount} principal(s), over IAM's ${TRUST_POLICY_QUOTA}-character default quota. ` +
              'Trust one role per support team (your identity provider sets the source identity per person), or ask AWS to raise the quota to 4,096.',
          ];
    },
  });
}
