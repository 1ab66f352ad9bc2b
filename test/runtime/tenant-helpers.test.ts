/**
 * The cache and jobs helpers through a TenantContext: the verified tenant goes in, a forged
 * context is refused before anything is built, and acme's keys/messages/queues are never
 * acme-corp's.
 */
import { parseJobMessage } from '../../lib/boundaries/jobs/runtime/job-envelope';
import { TenantContextRequiredError } from '../../lib/boundaries/identity/runtime/errors';
import { TenantContext } from '../../lib/boundaries/identity/runtime/tenant-context';
import { cacheChannel, cacheChannelPattern, cacheKey, isCacheKeyOf, jobMessage, jobsQueue } from '../../lib/runtime/tenant-helpers';
import { TenantId } from '../../lib/core/tenant-id';
import { newTestIssuer } from '../helpers/token-issuer';

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

test("a job built for acme is refused by acme-corp's worker (tenant-mismatch) and read by acme's", () => {
  const body = jobMessage(acme, { type: 'report.render', payload: { month: '2026-11' } });
  expect(parseJobMessage(body, TenantId.parse('acme')).tenantId.value).toBe('acme');
  expect(() => parseJobMessage(body, TenantId.parse('acme-corp'))).toThrow(/tenant-mismatch/);
  expect(jobsQueue(acme, 'tib')).toBe('tib-tenant-acme-jobs');
  expect(jobsQueue(acmeCorp, 'tib')).toBe('tib-tenant-acme-corp-jobs');
});

test('a forged context builds nothing', () => {
  const forged = { tenant: TenantId.parse('acme-corp') } as unknown as TenantContext;
  expect(() => cacheKey(forged, 'x')).toThrow(TenantContextRequiredError);
  expect(() => jobMessage(forged, { type: 'x', payload: null })).toThrow(TenantContextRequiredError);
  expect(() => jobsQueue(forged, 'tib')).toThrow(TenantContextRequiredError);
});
