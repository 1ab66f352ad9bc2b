/**
 * The boundary helpers in their TenantContext form. Cache keys and channels (cache boundary,
 * cache-key.ts) take a parsed TenantId; application code holds a TenantContext and uses these
 * instead, so the tenant of every key and channel is the verified one. Each refuses anything but
 * a minted TenantContext (see scoped.ts) before building anything. The jobs boundary's helpers
 * (buildJobMessage, jobsQueueName) bind the same way once merged (docs/runtime.md).
 */
import { isTenantCacheKey, tenantCacheKey, tenantChannel, tenantChannelPattern } from './cache-key';
import { scoped } from './scoped';

/** `tenant:<ctx.tenant>:<part>...` — a cache key of the context's tenant. */
export const cacheKey = scoped('cacheKey', tenantCacheKey);
/** `tenant:<ctx.tenant>:<part>...` — a pub/sub channel of the context's tenant. */
export const cacheChannel = scoped('cacheChannel', tenantChannel);
/** The one pattern the context's tenant may PSUBSCRIBE to. */
export const cacheChannelPattern = scoped('cacheChannelPattern', tenantChannelPattern);
/** True when `key` lies in the context tenant's cache namespace. */
export const isCacheKeyOf = scoped('isCacheKeyOf', isTenantCacheKey);
