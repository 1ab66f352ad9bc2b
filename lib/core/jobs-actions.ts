/**
 * SQS action lists for the jobs boundary, named once so the constructs, the docs and the attack
 * tests agree (the producer and the worker are different principals with different verbs).
 */

/** What TenantAccessRole (the application's producer side) may do on its own jobs queue. */
export const JOBS_PRODUCER_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] as const;

/** What a tenant's worker role may do on its own jobs queue (consume, never purge or reconfigure). */
export const JOBS_CONSUMER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] as const;

/** What SQS asks KMS for on the caller's behalf: GenerateDataKey to send, Decrypt to send and receive. */
export const JOBS_KMS_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;
