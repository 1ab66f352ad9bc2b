/**
 * A tenant's jobs queue, its dead-letter queue, their customer key and the worker role that
 * consumes them. Lives in the tenant's stack; TenantAccessRole's ABAC permission to send lives in
 * the platform (lib/boundaries/jobs/jobs-access.ts).
 *
 * Decisions:
 * - One customer key per tenant (not the platform's). The key policy then names this tenant
 *   literally (no policy variable), the worker role of this tenant only, and a shared key policy
 *   would otherwise grow with every tenant's worker (key policies are limited to 32 KiB). It also
 *   allows crypto-shredding one tenant at offboarding. Cost: one key per tenant; SQS reuses data
 *   keys (`dataKeyReuse`, 5 minutes by default), which bounds the KMS requests.
 * - Retention: SQS deletes messages after their retention period whatever CloudFormation does
 *   (at most 14 days, SQS quotas). RETAIN keeps the queues (and what is in them) when the stack is
 *   deleted, so offboarding never drops unprocessed jobs. A message moved to a standard queue's DLQ
 *   keeps its original enqueue time, so the DLQ retention is longer than the source's (SQS
 *   Developer Guide, setting-up-dead-letter-queue-retention): 7 days in the queue, 14 in the DLQ.
 * - Queue policies repeat the isolation as explicit Denies: no TenantAccessRole session of another
 *   tenant (or without a tag), and no other tenant's worker role, whatever identity policies say.
 *   `aws:PrincipalTag` and `aws:PrincipalArn` are global keys; `aws:ResourceTag` is not usable in
 *   queue policies (SQS Developer Guide, sqs-abac-condition-keys), so it is not used here.
 */
import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BLUEPRINT_IAM_PATH } from '../identity/tenant-access-role';
import { JOBS_CONSUMER_ACTIONS, JOBS_KMS_ACTIONS } from '../../core/jobs-actions';
import { TENANT_TAG_KEY } from '../../core/namespace';
import { PropProblems, TenantIdInput } from '../validation';
import { jobsDeadLetterQueueName, jobsQueueName, jobsWorkerRoleName, jobsWorkerRolePrefix } from '../../core/queue-names';

export interface TenantQueuesProps {
  /** The tenant whose queues these are (TenantId rules). */
  readonly tenant: TenantIdInput;
  /** The blueprint qualifier (part of every queue and role name). */
  readonly qualifier: string;
  /** ARN of TenantAccessRole (by name: no cross-stack export). */
  readonly tenantAccessRoleArn: string;
  /**
   * Who may assume the tenant's worker role (the compute that consumes the queue).
   * @default the Lambda and ECS task service principals of this account
   */
  readonly workerPrincipal?: iam.IPrincipal;
  /**
   * Receives before a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Whether the tenant's sessions and worker may use the queues. False for a retired tenant: the
   * queues and their messages are retained, every data-plane action is denied.
   * @default true
   */
  readonly accessEnabled?: boolean;
}

export class TenantQueues extends Construct {
  public readonly key: kms.Key;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly workerRole: iam.Role;

  constructor(scope: Construct, id: string, props: TenantQueuesProps) {
    super(scope, id);
    const q = props.qualifier;
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const problems = new PropProblems(this);
    const tenantId = problems.tenantId('tenant', props.tenant);
    // SQS RedrivePolicy maxReceiveCount: 1 to 1,000.
    problems.check(Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000, 'maxReceiveCount', maxReceiveCount, 'an integer from 1 to 1000');
    problems.throwIfAny();
    const tenant = tenantId!.value;
    const enabled = props.accessEnabled ?? true;
    const stack = Stack.of(this);
    const tenantAccess = new iam.ArnPrincipal(props.tenantAccessRoleArn);
    const tagKey = `aws:PrincipalTag/${TENANT_TAG_KEY}`;
    const viaSqs = `sqs.${stack.region}.amazonaws.com`;
    const workerPattern = `arn:${stack.partition}:iam::${stack.account}:role${BLUEPRINT_IAM_PATH}${jobsWorkerRolePrefix(q)}*`;

    this.key = new kms.Key(this, 'Key', {
      description: `Jobs queues of one tenant (SQS SSE-KMS)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });

    this.workerRole = new iam.Role(this, 'WorkerRole', {
      roleName: jobsWorkerRoleName(q, tenantId!),
      path: BLUEPRINT_IAM_PATH,
      assumedBy:
        props.workerPrincipal ??
        new iam.CompositePrincipal(
          new iam.ServicePrincipal('lambda.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': stack.account } }),
          new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': stack.account } }),
        ),
      maxSessionDuration: Duration.hours(1),
      description: 'Consumes one tenant jobs queue; verifies the job envelope tenant (lib/boundaries/jobs/runtime/job-envelope.ts)',
    });

    const queueDefaults = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...queueDefaults,
      queueName: jobsDeadLetterQueueName(q, tenantId!),
      retentionPeriod: Duration.days(14), // SQS maximum
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...queueDefaults,
      queueName: jobsQueueName(q, tenantId!),
      retentionPeriod: Duration.days(7),
      visibilityTimeout: Duration.minutes(5),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    for (const queue of [this.queue, this.deadLetterQueue]) {
      // The stack tags everything with TenantId; tag the queues explicitly as well, because the
      // platform's ABAC policy depends on it (aws:ResourceTag/TenantId).
      Tags.of(queue).add(TENANT_TAG_KEY, tenant);
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyOtherTenantSessions',
          effect: iam.Effect.DENY,
          principals: [tenantAccess],
          actions: ['sqs:*'],
          resources: [queue.queueArn],
          // True when the tag differs or is absent: fails closed.
          conditions: enabled ? { StringNotEquals: { [tagKey]: tenant } } : undefined,
        }),
      );
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyOtherTenantWorkers',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          // Every action, management included (SetQueueAttributes, AddPermission, ...): a queue
          // policy statement holds at most seven actions (SQS API reference, AddPermission), so
          // the service wildcard rather than a list.
          actions: ['sqs:*'],
          resources: [queue.queueArn],
          // Every blueprint worker role but this tenant's (all of them once the tenant is retired).
          conditions: {
            ArnLike: { 'aws:PrincipalArn': workerPattern },
            ...(enabled ? { ArnNotEquals: { 'aws:PrincipalArn': this.workerRole.roleArn } } : {}),
          },
        }),
      );
    }

    // The key: SQS uses it on the caller's behalf, so callers need it in the key policy.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherTenantSessions',
        effect: iam.Effect.DENY,
        principals: [tenantAccess],
        actions: ['kms:*'],
        resources: ['*'],
        conditions: enabled ? { StringNotEquals: { [tagKey]: tenant } } : undefined,
      }),
    );
    // Other tenants' workers: the key policy's account statement lets IAM policies grant this
    // key, so a later over-broad grant to another worker is refused here as well.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherTenantWorkers',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'aws:PrincipalArn': workerPattern },
          ...(enabled ? { ArnNotEquals: { 'aws:PrincipalArn': this.workerRole.roleArn } } : {}),
        },
      }),
    );
    if (enabled) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowTenantSessionsViaSqs',
          principals: [tenantAccess],
          actions: [...JOBS_KMS_ACTIONS],
          resources: ['*'],
          conditions: { StringEquals: { [tagKey]: tenant, 'kms:ViaService': viaSqs } },
        }),
      );
      // Worker: consume the jobs queue only (the DLQ is for operators), decrypt via SQS only.
      this.workerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ConsumeOwnJobsQueue',
          actions: [...JOBS_CONSUMER_ACTIONS],
          resources: [this.queue.queueArn],
        }),
      );
      this.workerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptOwnJobsViaSqs',
          actions: ['kms:Decrypt'],
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': viaSqs } },
        }),
      );
    }
  }
}
