import { cacheCellProblems, CACHE_CELL_CAPACITY, placeTenantsInCacheCells, tenantsByCell } from '../../lib/core/placement';
import { parseRegistry, TenantEntry } from '../../lib/core/registry';

/** Entries from `id[:tier][@cell][!retired]`, e.g. `acme@0`, `globex:silo`, `old@1!`. */
function entries(...specs: string[]): TenantEntry[] {
  return parseRegistry(
    JSON.stringify({
      version: 1,
      tenants: specs.map((s) => {
        const m = /^([a-z0-9-]+)(?::(pool|silo))?(?:@(\d+))?(!)?$/.exec(s)!;
        return {
          id: m[1],
          tier: m[2] ?? 'pool',
          status: m[4] ? 'retired' : 'active',
          ...(m[3] !== undefined ? { placement: { cacheCell: Number(m[3]) } } : {}),
        };
      }),
    }),
  ).tenants as TenantEntry[];
}

const cellsOf = (tenants: TenantEntry[]) => Object.fromEntries(tenants.map((t) => [t.id.value, t.placement?.cacheCell ?? null]));
const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('placeTenantsInCacheCells', () => {
  test('a cell holds 99 tenants: 100 users per user group, one of them "default"', () => {
    expect(CACHE_CELL_CAPACITY).toBe(99);
  });

  test('new tenants go to the lowest cell with room; silo tenants get no shared cell', () => {
    const placed = placeTenantsInCacheCells(entries('acme', 'acme-corp', 'globex:silo'));
    expect(cellsOf(placed)).toEqual({ acme: 0, 'acme-corp': 0, globex: null });
  });

  test('existing tenants never move, even when a lower cell has room', () => {
    const before = entries('aaa@3', 'bbb@0', 'ccc', 'ddd');
    const placed = placeTenantsInCacheCells(before, 2);
    expect(cellsOf(placed)).toEqual({ aaa: 3, bbb: 0, ccc: 0, ddd: 1 });
    expect(before.find((t) => t.id.value === 'ccc')!.placement).toBeUndefined(); // input untouched
  });

  test('a full cell sends the next tenant to the next cell; a gap left by a small cell is filled first', () => {
    const full = ids(99, 'full').map((id) => `${id}@0`);
    const placed = placeTenantsInCacheCells(entries(...full, 'old@2', 'zz-new1', 'zz-new2'));
    expect(cellsOf(placed)['zz-new1']).toBe(1);
    expect(cellsOf(placed)['zz-new2']).toBe(1);
    expect(cellsOf(placed).old).toBe(2);
  });

  test('retired tenants keep their seat (their user stays, disabled)', () => {
    const placed = placeTenantsInCacheCells(entries('gone@0!', 'kept@0', 'new'), 2);
    expect(cellsOf(placed).new).toBe(1);
  });

  test('is idempotent: placing a placed registry changes nothing', () => {
    const once = placeTenantsInCacheCells(entries(...ids(250, 't')));
    expect(placeTenantsInCacheCells(once)).toEqual(once);
    expect([...tenantsByCell(once).values()].map((c) => c.length)).toEqual([99, 99, 52]);
  });

  test('refuses a capacity that is not a positive integer', () => {
    expect(() => placeTenantsInCacheCells([], 0)).toThrow(/capacity must be a positive integer, got 0/);
  });
});

describe('cacheCellProblems', () => {
  test('a placed registry has no problems', () => {
    expect(cacheCellProblems(placeTenantsInCacheCells(entries('acme', 'acme-corp', 'globex:silo')))).toEqual([]);
  });

  test('names the unplaced tenants and the fix', () => {
    expect(cacheCellProblems(entries('acme', 'acme-corp@0', 'initech'))).toEqual([
      'pool tenants without a cache cell: acme, initech. Place them with placeTenantsInCacheCells (lib/core/placement.ts; the onboard CLI does this) or set "placement": { "cacheCell": <n> } in the registry.',
    ]);
  });

  test('names a cell over capacity and its tenants', () => {
    const over = cacheCellProblems(entries(...ids(100, 'x').map((id) => `${id}@4`)));
    expect(over).toHaveLength(1);
    expect(over[0]).toMatch(/^cache cell 4 holds 100 tenants, more than 99 \(a user group holds 100 users including "default"\): x000, x001, .*x099\. /);
  });

  test('names silo tenants that carry a shared cell', () => {
    expect(cacheCellProblems(entries('globex:silo@0'))).toEqual([
      'silo tenants with a shared cache cell: globex (cell 0). Silo tenants get a dedicated cache; remove "placement.cacheCell" from their entries.',
    ]);
  });

  test('enforces the account quotas: user groups and users per Region', () => {
    const silos = ids(101, 's').map((id) => `${id}:silo`);
    const problems = cacheCellProblems(entries(...silos));
    expect(problems).toEqual([
      '101 cache cells (0 shared + 101 silo) exceed the ElastiCache quota of 100 user groups per account and Region: request a quota increase or deploy another account/Region.',
    ]);
    const many = placeTenantsInCacheCells(entries(...ids(991, 'p')));
    expect(cacheCellProblems(many)).toEqual([
      '1002 cache users (991 tenants + 11 default users) exceed the ElastiCache quota of 1000 users per account and Region: request a quota increase or deploy another account/Region.',
    ]);
    expect(cacheCellProblems(many, 99, { users: 2000, userGroups: 200 })).toEqual([]);
  });
});
