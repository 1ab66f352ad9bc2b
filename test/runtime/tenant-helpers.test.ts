/**
 * The cache helpers through a TenantContext: the verified tenant goes in, a forged context is
 * refused before anything is built, and acme's keys are never acme-corp's.
 */
import { TenantContextRequiredError } from '../../lib/runtime/errors';
import { TenantContext } from '../../lib/runtime/tenant-context';
import { cacheChannel, cacheChannelPattern, cacheKey, isCacheKeyOf } from '../../lib/runtime/tenant-helpers';
import { TenantId } from '../../lib/tenancy/tenant-id';
import { newTestIssuer } from '../support/token-issuer';

let acme: TenantContext;
let acmeCorp: TenantContext;
beforeAll(async () => {
  const idp = await newTestIssuer();
  acme = await idp.context('acme');
  acmeCorp = await idp.context('acme-corp');
});

test('cache keys and channels carry the context tenant', () => {
  expect(cacheKey(acme, 'user', 42)).toBe('tenant:acme:user:42');
  expect(cacheKey(acmeCorp, 'user', 42)).toBe('tenant:acme-corp:user:42');
  expect(cacheChannel(acme, 'events')).toBe('tenant:acme:events');
  expect(cacheChannelPattern(acme)).toBe('tenant:acme:*');
  expect(isCacheKeyOf(acme, cacheKey(acmeCorp, 'x'))).toBe(false);
  expect(isCacheKeyOf(acmeCorp, cacheKey(acmeCorp, 'x'))).toBe(true);
});

test('a forged context builds nothing', () => {
  const forged = { tenant: TenantId.parse('acme-corp') } as unknown as TenantContext;
  expect(() => cacheKey(forged, 'x')).toThrow(TenantContextRequiredError);
  expect(() => cacheChannel(forged, 'events')).toThrow(TenantContextRequiredError);
  expect(() => cacheChannelPattern(forged)).toThrow(TenantContextRequiredError);
});
