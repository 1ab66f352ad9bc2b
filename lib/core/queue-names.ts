/**
 * Names of a tenant's job queues and worker role, shared by the tenant stack (which creates them)
 * and the platform (whose ABAC policy names them with the session-tag variable).
 *
 * `<qualifier>-tenant-<id>-jobs` and `<qualifier>-tenant-<id>-jobs-dlq`, built on the namespace
 * contract (`tenantResourceName`). The qualifier keeps two blueprints in one account and Region
 * apart (SQS queue names are unique per account and Region).
 *
 * Why exact names are safe although a TenantId may contain hyphens: the policy names each queue
 * EXACTLY (no wildcard), and a jobs name ends in `-jobs` while a DLQ name ends in `-jobs-dlq`, so
 * `<q>-tenant-A-jobs` = `<q>-tenant-B-jobs` only when A = B, and a jobs name never equals a DLQ
 * name. A pattern such as `<q>-tenant-${tag}-*` would be unsafe: for tag `acme` it also matches
 * `<q>-tenant-acme-corp-jobs`. The identity policy additionally requires the queue's `TenantId`
 * resource tag to equal the session's, so even a colliding name would not open another tenant's queue.
 */
import { TenantRef, tenantResourceName } from './namespace';

/** SQS queue names: at most 80 characters (SQS quotas). */
export const SQS_QUEUE_NAME_MAX = 80;
/** IAM role names: at most 64 characters (IAM quotas). */
export const IAM_ROLE_NAME_MAX = 64;

function checked(name: string, max: number, what: string): string {
  // A policy variable is a placeholder, not the final length: only literal names are checked.
  if (!name.includes('${') && name.length > max) {
    throw new Error(`${what} ${JSON.stringify(name)} is ${name.length} characters; the limit is ${max}`);
  }
  return name;
}

/** `<q>-tenant-<id>-jobs`: the tenant's jobs queue. */
export function jobsQueueName(qualifier: string, tenant: TenantRef): string {
  return checked(`${qualifier}-${tenantResourceName(tenant, 'jobs')}`, SQS_QUEUE_NAME_MAX, 'SQS queue name');
}

/** `<q>-tenant-<id>-jobs-dlq`: the dead-letter queue of the tenant's jobs queue. */
export function jobsDeadLetterQueueName(qualifier: string, tenant: TenantRef): string {
  return checked(`${qualifier}-${tenantResourceName(tenant, 'jobs-dlq')}`, SQS_QUEUE_NAME_MAX, 'SQS queue name');
}

/** Prefix shared by every tenant's worker role name (used in queue-policy Denies). */
export function jobsWorkerRolePrefix(qualifier: string): string {
  return `${qualifier}-jobs-worker-`;
}

/** `<q>-jobs-worker-<id>`: the role that consumes one tenant's jobs queue. */
export function jobsWorkerRoleName(qualifier: string, tenant: TenantRef): string {
  const id = typeof tenant === 'string' ? tenant : tenant.value;
  return checked(`${jobsWorkerRolePrefix(qualifier)}${id}`, IAM_ROLE_NAME_MAX, 'IAM role name');
}
