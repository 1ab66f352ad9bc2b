/**
 * Resource-policy fences against tenant sessions: defence in depth, so that ONE widened identity
 * grant (a `kms:*` or `s3:*` added to TenantAccessRole by mistake) is not enough to leak.
 *
 * A tenant session is any session that carries a `TenantId` principal tag: TenantAccessRole
 * sessions (session tag, required by its trust), tenant worker roles (role tag, set by the tenant
 * stack) and SupportAccessRole sessions (session tag). Platform resources that no tenant session
 * uses directly (the database, cache, search, audit and alert keys, silo cache keys, the access-log
 * and audit-log buckets, the alert topic) refuse every action, management actions included, to
 * every such session. AWS service principals (CloudTrail, S3 log delivery, EventBridge) carry no
 * principal tags, so they are not affected.
 *
 * `Null: { aws:PrincipalTag/TenantId: false }` is true exactly when the tag is present (IAM User
 * Guide, reference_policies_elements_condition_operators: Null). A Deny with a positive
 * `StringEquals` on the tag would be skipped when the tag is absent; here an absent tag means "not
 * a tenant session", which is the intended exemption, and a present tag always matches.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { TENANT_TAG_KEY } from '../../core/namespace';
import { acknowledgeFinding } from '../../nag/acknowledge';

/** True for every session that carries a TenantId principal tag (session or role tag). */
export const TENANT_SESSION_CONDITION = { Null: { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: 'false' } } as const;

export interface TenantSessionFenceOptions {
  /** Statement id. @default 'DenyAllTenantSessions' */
  readonly sid?: string;
  /** What is refused: the service's wildcard, so management actions are covered too (`kms:*`, `s3:*`, `sns:*`). */
  readonly actions: readonly string[];
  /** The resources the policy governs (`*` in a key policy; the bucket and its objects in a bucket policy). */
  readonly resources: readonly string[];
}

/** A resource-policy statement that refuses every tenant session. */
export function denyTenantSessions(options: TenantSessionFenceOptions): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: options.sid ?? 'DenyAllTenantSessions',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: [...options.actions],
    resources: [...options.resources],
    conditions: { ...TENANT_SESSION_CONDITION },
  });
}

/**
 * TI-IAM3 reports a Deny that a missing tenant tag skips, because a Deny meant to bind a request to
 * one tenant must fire when the tag is absent. The fence binds nothing to a tenant: it refuses
 * every session that HAS the tag, and untagged principals are not tenant sessions.
 */
function acknowledgeFence(policyResource: IConstruct | undefined, sid: string): void {
  if (!policyResource) return;
  acknowledgeFinding(
    policyResource,
    `TI-IAM3[${sid}::Null:aws:PrincipalTag/${TENANT_TAG_KEY}]`,
    'Tenant-session fence: refuses every session carrying a TenantId tag (tenant, worker and support sessions) on a platform resource none of them needs; untagged principals (operators, AWS services) are not tenant sessions, so being skipped for them is the intent (lib/boundaries/identity/tenant-session-fence.ts, attack-tested with a widened grant).',
  );
}

/** Fences a platform KMS key: no tenant session may use or manage it. */
export function fenceKeyFromTenantSessions(key: kms.Key): void {
  const statement = denyTenantSessions({ actions: ['kms:*'], resources: ['*'] });
  key.addToResourcePolicy(statement);
  acknowledgeFence(key.node.defaultChild, statement.sid!);
}

/** Fences a platform bucket: no tenant session may read, write or reconfigure it. */
export function fenceBucketFromTenantSessions(bucket: s3.Bucket): void {
  const statement = denyTenantSessions({ actions: ['s3:*'], resources: [bucket.bucketArn, bucket.arnForObjects('*')] });
  bucket.addToResourcePolicy(statement);
  acknowledgeFence(bucket.policy?.node.defaultChild, statement.sid!);
}

/** Fences a platform topic: no tenant session may publish, subscribe or reconfigure it. */
export function fenceTopicFromTenantSessions(topic: sns.Topic): void {
  const statement = denyTenantSessions({ actions: ['sns:*'], resources: [topic.topicArn] });
  // (TI-IAM3 does not read topic policies, so there is no finding to acknowledge here.)
  topic.addToResourcePolicy(statement);
}
