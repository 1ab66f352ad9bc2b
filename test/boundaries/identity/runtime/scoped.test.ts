/**
 * `scoped` binds a TenantId-taking helper to a TenantContext: the verified tenant goes in, and
 * anything that is not a minted context is refused before the helper runs.
 */
import { TenantContextRequiredError } from '../../../../lib/boundaries/identity/runtime/errors';
import { scoped } from '../../../../lib/boundaries/identity/runtime/scoped';
import { TenantContext } from '../../../../lib/boundaries/identity/runtime/tenant-context';
import { cacheKeyPrefix, tenantResourceName } from '../../../../lib/core/namespace';
import { TenantId } from '../../../../lib/core/tenant-id';
import { newTestIssuer } from '../../../helpers/token-issuer';

test('passes the context tenant and the other arguments through', async () => {
  const idp = await newTestIssuer();
  const queueName = scoped('queueName', tenantResourceName);
  const prefix = scoped('cachePrefix', cacheKeyPrefix);
  const acme = await idp.context('acme');
  const acmeCorp = await idp.context('acme-corp');
  expect(queueName(acme, 'jobs')).toBe('tenant-acme-jobs');
  expect(queueName(acmeCorp, 'jobs')).toBe('tenant-acme-corp-jobs');
  expect(prefix(acme)).toBe('tenant:acme:');
  expect(queueName.name).toBe('queueName');
});

test('refuses a forged context before calling the helper', () => {
  let called = 0;
  const helper = scoped('helper', (t: TenantId) => {
    called += 1;
    return t.value;
  });
  const forged = { tenant: TenantId.parse('globex') } as unknown as TenantContext;
  expect(() => helper(forged)).toThrow(TenantContextRequiredError);
  expect(() => helper(TenantId.parse('globex') as unknown as TenantContext)).toThrow(/helper: expected a TenantContext/);
  expect(called).toBe(0);
});
