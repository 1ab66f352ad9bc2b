/**
 * The boundary helpers in their TenantContext form. Cache keys (cache boundary), job messages and
 * queue names (jobs boundary) take a parsed TenantId; application code holds a TenantContext and
 * uses these instead, so the tenant of every key, message and queue is the verified one. Each
 * refuses anything but a minted TenantContext (see scoped.ts) before building anything.
 */
import { jobsQueueName } from '../core/queue-names';
import type { TenantId } from '../core/tenant-id';
import { isTenantCacheKey, tenantCacheKey, tenantChannel, tenantChannelPattern } from '../boundaries/cache/runtime/cache-key';
import { buildJobMessage } from '../boundaries/jobs/runtime/job-envelope';
import { scoped } from '../boundaries/identity/runtime/scoped';

/** `tenant:<ctx.tenant>:<part>...` — a cache key of the context's tenant. */
export const cacheKey = scoped('cacheKey', tenantCacheKey);
/** `tenant:<ctx.tenant>:<part>...` — a pub/sub channel of the context's tenant. */
export const cacheChannel = scoped('cacheChannel', tenantChannel);
/** The one pattern the context's tenant may PSUBSCRIBE to. */
export const cacheChannelPattern = scoped('cacheChannelPattern', tenantChannelPattern);
/** True when `key` lies in the context tenant's cache namespace. */
export const isCacheKeyOf = scoped('isCacheKeyOf', isTenantCacheKey);
/** The SQS message body (job envelope) of a job for the context's tenant. */
export const jobMessage = scoped('jobMessage', buildJobMessage);
/** `<qualifier>-tenant-<ctx.tenant>-jobs`: the context tenant's jobs queue name. */
export const jobsQueue = scoped('jobsQueue', (tenant: TenantId, qualifier: string) => jobsQueueName(qualifier, tenant));
