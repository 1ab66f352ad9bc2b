import { CacheKeyError, isTenantCacheKey, tenantCacheKey, tenantChannel, tenantChannelPattern } from '../../../../lib/boundaries/cache/runtime/cache-key';
import { tenantAccessString } from '../../../../lib/core/cache-acl';
import { TenantId } from '../../../../lib/core/tenant-id';

const acme = TenantId.parse('acme');
const acmeCorp = TenantId.parse('acme-corp');

describe('tenantCacheKey', () => {
  test.each([
    [['user', 42], 'tenant:acme:user:42'],
    [['page', 'home'], 'tenant:acme:page:home'],
    [['session', 'a1b2-c3'], 'tenant:acme:session:a1b2-c3'],
  ])('%j -> %s', (parts, expected) => {
    expect(tenantCacheKey(acme, ...(parts as Array<string | number>))).toBe(expected);
  });

  test("a key of acme never starts with acme-corp's prefix, and the other way round", () => {
    expect(tenantCacheKey(acme, 'x').startsWith('tenant:acme-corp:')).toBe(false);
    expect(tenantCacheKey(acmeCorp, 'x').startsWith('tenant:acme:')).toBe(false);
    expect(isTenantCacheKey(acme, tenantCacheKey(acmeCorp, 'x'))).toBe(false);
    expect(isTenantCacheKey(acme, tenantCacheKey(acme, 'x'))).toBe(true);
    expect(isTenantCacheKey(acme, 'tenant:acme:')).toBe(false);
  });

  test("keys and channels lie under the patterns of the tenant's access string", () => {
    const access = tenantAccessString(acme);
    expect(access).toContain(' ~tenant:acme:* ');
    expect(access.endsWith(' &tenant:acme:*')).toBe(true);
    expect(tenantChannel(acme, 'events')).toBe('tenant:acme:events');
    expect(tenantChannelPattern(acme)).toBe('tenant:acme:*');
  });

  const refused: Array<[string, () => unknown, RegExp]> = [
    ['a raw string tenant', () => tenantCacheKey('acme' as unknown as TenantId, 'x'), /must be a TenantId.*raw string "acme"/],
    ['a look-alike object', () => tenantCacheKey({ value: 'acme' } as unknown as TenantId, 'x'), /must be a TenantId/],
    ['no part', () => tenantCacheKey(acme), /at least one key part/],
    ['an empty part', () => tenantCacheKey(acme, 'user', ''), /part 1 is empty/],
    ['the delimiter in a part', () => tenantCacheKey(acme, 'a:b'), /part 0 "a:b" contains ":"/],
    ['a part that forges another prefix', () => tenantCacheKey(acme, ':../acme-corp'), /contains ":"/],
    ['a glob star', () => tenantCacheKey(acme, 'user*'), /contains "\*"/],
    ['a glob class', () => tenantCacheKey(acme, 'user[1]'), /contains "\["/],
    ['white space', () => tenantCacheKey(acme, 'a b'), /contains " "/],
    ['a control character', () => tenantCacheKey(acme, 'a\nb'), /contains "\\n"/],
    ['a non-integer number', () => tenantCacheKey(acme, 1.5), /safe integer/],
    ['an object part', () => tenantCacheKey(acme, {} as unknown as string), /string or an integer, got object/],
    ['an over-long key', () => tenantCacheKey(acme, 'x'.repeat(2000)), /more than 1024/],
    ['a raw string for the channel pattern', () => tenantChannelPattern('acme' as unknown as TenantId), /must be a TenantId/],
  ];
  test.each(refused)('refuses %s', (_name, fn, message) => {
    expect(fn).toThrow(CacheKeyError);
    expect(fn).toThrow(message);
  });
});
