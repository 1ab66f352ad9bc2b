/**
 * Cache cells: which shared cache (and user group) each pool tenant's cache user belongs to.
 *
 * An ElastiCache user group holds at most 100 users, and must hold one named `default`
 * (ElastiCache User Guide, Clusters.RBAC; quotas "Users per user group" = 100), so at most 99
 * tenants share one cache. A cell is one cache plus its user group. Pool tenants are placed in
 * numbered cells (`placement.cacheCell` in the registry); silo tenants get a dedicated cell of
 * their own and carry no `cacheCell`.
 *
 * Pure functions, no I/O: the onboard CLI calls `placeTenantsInCacheCells` before writing the
 * registry, the CDK app calls `cacheCellProblems` at synth and refuses to build a bad placement.
 */
import { TenantEntry } from './registry';

/** Users per user group (100) minus the mandatory `default` user. */
export const CACHE_CELL_CAPACITY = 99;

/** ElastiCache account quotas per Region (AWS-FACTS.md; adjustable through Service Quotas). */
export const ELASTICACHE_QUOTAS = {
  /** "User groups per Region". */
  userGroups: 100,
  /** "Users per Region" (every `default` user counts too). */
  users: 1000,
} as const;

/** Tenants that need a seat in a shared cell: pool tier, active or retired (a retired user keeps its seat). */
export function needsSharedCell(tenant: TenantEntry): boolean {
  return tenant.tier === 'pool';
}

/** Pool tenants grouped by cell number, in registry order. Tenants without a cell are left out. */
export function tenantsByCell(tenants: readonly TenantEntry[]): Map<number, TenantEntry[]> {
  const cells = new Map<number, TenantEntry[]>();
  for (const t of tenants) {
    const cell = t.placement?.cacheCell;
    if (!needsSharedCell(t) || cell === undefined) continue;
    const list = cells.get(cell) ?? [];
    list.push(t);
    cells.set(cell, list);
  }
  return new Map([...cells.entries()].sort(([a], [b]) => a - b));
}

/**
 * Places every pool tenant that has no cell yet into the lowest-numbered cell with room, in
 * the order given (the registry is sorted by id, so the result is deterministic). A tenant that
 * already has a cell never moves, even if its cell is over capacity (that is reported by
 * `cacheCellProblems`, not "fixed" by moving someone's live cache user). Silo tenants are
 * returned unchanged. Returns new entries; the input is not modified.
 */
export function placeTenantsInCacheCells(tenants: readonly TenantEntry[], capacity: number = CACHE_CELL_CAPACITY): TenantEntry[] {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new Error(`placeTenantsInCacheCells: capacity must be a positive integer, got ${capacity}`);
  }
  const occupancy = new Map<number, number>();
  for (const [cell, members] of tenantsByCell(tenants)) occupancy.set(cell, members.length);
  return tenants.map((t) => {
    if (!needsSharedCell(t) || t.placement?.cacheCell !== undefined) return t;
    let cell = 0;
    while ((occupancy.get(cell) ?? 0) >= capacity) cell++;
    occupancy.set(cell, (occupancy.get(cell) ?? 0) + 1);
    return { ...t, placement: { ...t.placement, cacheCell: cell } };
  });
}

/** Everything wrong with a registry's cache placement, each problem naming its tenants and the fix. */
export function cacheCellProblems(
  tenants: readonly TenantEntry[],
  capacity: number = CACHE_CELL_CAPACITY,
  quotas: { readonly userGroups: number; readonly users: number } = ELASTICACHE_QUOTAS,
): string[] {
  const problems: string[] = [];
  const unplaced = tenants.filter((t) => needsSharedCell(t) && t.placement?.cacheCell === undefined);
  if (unplaced.length > 0) {
    problems.push(
      `pool tenants without a cache cell: ${unplaced.map((t) => t.id.value).join(', ')}. ` +
        'Place them with placeTenantsInCacheCells (lib/core/placement.ts; the onboard CLI does this) ' +
        'or set "placement": { "cacheCell": <n> } in the registry.',
    );
  }
  const silosWithCell = tenants.filter((t) => !needsSharedCell(t) && t.placement?.cacheCell !== undefined);
  if (silosWithCell.length > 0) {
    problems.push(
      `silo tenants with a shared cache cell: ${silosWithCell.map((t) => `${t.id.value} (cell ${t.placement?.cacheCell})`).join(', ')}. ` +
        'Silo tenants get a dedicated cache; remove "placement.cacheCell" from their entries.',
    );
  }
  for (const [cell, members] of tenantsByCell(tenants)) {
    if (members.length > capacity) {
      problems.push(
        `cache cell ${cell} holds ${members.length} tenants, more than ${capacity} (a user group holds 100 users including "default"): ` +
          `${members.map((t) => t.id.value).join(', ')}. Move the most recently added tenants' "placement.cacheCell" ` +
          'to a cell with room (their cache users are recreated there; cached data is not carried over).',
      );
    }
  }
  const sharedCells = tenantsByCell(tenants).size;
  const siloCells = tenants.filter((t) => !needsSharedCell(t)).length;
  const userGroups = sharedCells + siloCells;
  if (userGroups > quotas.userGroups) {
    problems.push(
      `${userGroups} cache cells (${sharedCells} shared + ${siloCells} silo) exceed the ElastiCache quota of ` +
        `${quotas.userGroups} user groups per account and Region: request a quota increase or deploy another account/Region.`,
    );
  }
  const users = tenants.length + userGroups; // one user per tenant + one `default` user per cell
  if (users > quotas.users) {
    problems.push(
      `${users} cache users (${tenants.length} tenants + ${userGroups} default users) exceed the ElastiCache quota of ` +
        `${quotas.users} users per account and Region: request a quota increase or deploy another account/Region.`,
    );
  }
  return problems;
}
