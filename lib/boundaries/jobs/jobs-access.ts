/**
 * The platform half of the jobs boundary: TenantAccessRole's permission on the per-tenant queues
 * that the tenant stacks create (lib/boundaries/jobs/tenant-queues.ts).
 *
 * One managed policy with ABAC statements, so its size does not depend on the number of tenants:
 * - Allow the producer verbs on exactly `<q>-tenant-${aws:PrincipalTag/TenantId}-jobs` (no name
 *   wildcard: `<q>-tenant-${tag}-*` would also match `<q>-tenant-acme-corp-jobs` for tag `acme`),
 *   and only when the queue's `TenantId` resource tag equals the session's tag. `aws:ResourceTag`
 *   works in IAM identity policies for SQS queue operations, not in queue policies (SQS Developer
 *   Guide, sqs-abac-condition-keys: "aws:ResourceTag ... IAM policy only").
 * - Deny every SQS action on a queue whose `TenantId` tag is not the session's. `StringNotEquals`
 *   is true when either side is absent (an untagged queue, or a session without the tag), so the
 *   Deny fails closed; a broader Allow added to the role later cannot reach another tenant's queue.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PRINCIPAL_TENANT, TENANT_TAG_KEY } from '../../core/namespace';
import { jobsQueueName } from '../../core/queue-names';
import { JOBS_PRODUCER_ACTIONS } from '../../core/jobs-actions';

export interface TenantJobsAccessProps {
  /** The blueprint qualifier (part of every queue name). */
  readonly qualifier: string;
}

export class TenantJobsAccess extends Construct {
  /** The ARN pattern of "the session's own jobs queue", with the session-tag variable. */
  public static ownJobsQueueArn(qualifier: string): string {
    return `arn:${Aws.PARTITION}:sqs:${Aws.REGION}:${Aws.ACCOUNT_ID}:${jobsQueueName(qualifier, PRINCIPAL_TENANT)}`;
  }

  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: TenantJobsAccessProps) {
    super(scope, id);
    const resourceTag = `aws:ResourceTag/${TENANT_TAG_KEY}`;
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Jobs queues: each session reaches only <q>-tenant-${aws:PrincipalTag/TenantId}-jobs, tagged with its TenantId',
      statements: [
        new iam.PolicyStatement({
          sid: 'OwnJobsQueueProducer',
          actions: [...JOBS_PRODUCER_ACTIONS],
          resources: [TenantJobsAccess.ownJobsQueueArn(props.qualifier)],
          conditions: { StringEquals: { [resourceTag]: PRINCIPAL_TENANT } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyQueuesOfOtherTenants',
          effect: iam.Effect.DENY,
          actions: ['sqs:*'],
          resources: ['*'],
          conditions: { StringNotEquals: { [resourceTag]: PRINCIPAL_TENANT } },
        }),
      ],
    });
  }

  /** Lets sessions of `role` (a tenant ABAC role, tagged `TenantId`) use only their own jobs queue. */
  public grantTenantAccess(role: iam.IRole): iam.ManagedPolicy {
    role.addManagedPolicy(this.policy);
    return this.policy;
  }
}
