/**
 * Tenant tiers. `pool` tenants share resources isolated by policy (the default); `silo` tenants
 * get dedicated resources (bucket and key, and more where a boundary says so).
 */
export const TIERS = ['pool', 'silo'] as const;
export type Tier = (typeof TIERS)[number];
export const DEFAULT_TIER: Tier = 'pool';

export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (TIERS as readonly string[]).includes(value);
}
