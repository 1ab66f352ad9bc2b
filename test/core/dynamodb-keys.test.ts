/** The DynamoDB key contract: tenant-led partition keys that never match a neighbour tenant. */
import { isTenantPartitionKey, leadingKeyPatterns, partitionKeyTenant, siloItemsTableName, tenantPartitionKey } from '../../lib/core/dynamodb-keys';
import { PRINCIPAL_TENANT } from '../../lib/core/namespace';
import { TenantId } from '../../lib/core/tenant-id';

const acme = TenantId.parse('acme');
const acmeCorp = TenantId.parse('acme-corp');

test.each([
  [[], 'acme'],
  [['orders'], 'acme#orders'],
  [['order', 'o-1'], 'acme#order#o-1'],
  [['a#b'], 'acme#a#b'],
])('tenantPartitionKey(acme, %j) = %s', (parts, key) => {
  expect(tenantPartitionKey(acme, ...parts)).toBe(key);
});

test('empty parts are refused', () => {
  expect(() => tenantPartitionKey(acme, '')).toThrow(/non-empty/);
});

test('IAM patterns for the session tag and for a literal tenant', () => {
  expect(leadingKeyPatterns()).toEqual([PRINCIPAL_TENANT, `${PRINCIPAL_TENANT}#*`]);
  expect(leadingKeyPatterns(acme)).toEqual(['acme', 'acme#*']);
});

test.each([
  ['acme', true],
  ['acme#', true],
  ['acme#x', true],
  ['acme#acme-corp#x', true],
  ['acme-corp', false],
  ['acme-corp#x', false],
  ['acmecorp#x', false],
  ['acm#x', false],
  ['ACME#x', false],
  ['', false],
])('isTenantPartitionKey(acme, %s) = %s', (key, owned) => {
  expect(isTenantPartitionKey(acme, key)).toBe(owned);
});

test('partitionKeyTenant reads the tenant before the first #', () => {
  expect(partitionKeyTenant('acme-corp#orders')?.value).toBe('acme-corp');
  expect(partitionKeyTenant('acme')?.value).toBe('acme');
  expect(partitionKeyTenant('Not A Tenant#x')).toBeUndefined();
});

test('no two distinct tenants own a common key (random ids sharing prefixes)', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = 'abc-1';
  const ids: TenantId[] = [];
  while (ids.length < 200) {
    const s = 'a' + Array.from({ length: 2 + Math.floor(rnd() * 5) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    if (TenantId.isValid(s)) ids.push(TenantId.parse(s));
  }
  for (const a of ids) {
    for (const b of ids) {
      if (a.equals(b)) continue;
      for (const key of [tenantPartitionKey(b), tenantPartitionKey(b, 'x'), tenantPartitionKey(b, a.value)]) expect(isTenantPartitionKey(a, key)).toBe(false);
    }
  }
});

test('silo table names are exact per tenant', () => {
  expect(siloItemsTableName('tib', acme)).toBe('tib-tenant-acme-items');
  expect(siloItemsTableName('tib', acmeCorp)).not.toBe(siloItemsTableName('tib', acme));
});
