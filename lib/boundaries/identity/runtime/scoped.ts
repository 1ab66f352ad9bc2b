/**
 * `scoped(name, fn)`: turns a helper that takes a TenantId first into one that takes a
 * TenantContext, checked at run time.
 *
 * The boundary modules (cache keys, job envelopes, queue names) take a parsed TenantId. Application
 * code should not hold a bare TenantId it could have got from anywhere; it holds a TenantContext.
 * Binding each helper once through `scoped` gives application code the context-taking form:
 *
 *   export const cacheKey = scoped('cacheKey', tenantCacheKey);        // (ctx, ...parts) => string
 *   export const jobMessage = scoped('jobMessage', buildJobMessage);    // (ctx, job) => string
 *
 * The wrapper refuses anything but a TenantContext minted by TenantTokenVerifier, then passes
 * `ctx.tenant` — so the tenant of every key, message or name is the verified one.
 */
import type { TenantId } from '../../../core/tenant-id';
import { assertTenantContext, TenantContext } from './tenant-context';

export function scoped<A extends unknown[], R>(name: string, fn: (tenant: TenantId, ...args: A) => R): (ctx: TenantContext, ...args: A) => R {
  const bound = (ctx: TenantContext, ...args: A): R => {
    assertTenantContext(ctx, name);
    return fn(ctx.tenant, ...args);
  };
  Object.defineProperty(bound, 'name', { value: name });
  return bound;
}
