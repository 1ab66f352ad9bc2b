/**
 * A registry of `count` generated tenants for scale tests and benchmarks: ids `t0000`, `t0001`,
 * ...; every tenth is silo; placed like the onboard CLI places them.
 */
import { placeTenantsInCacheCells } from './placement';
import { parseRegistry, Registry } from './registry';

export function generatedRegistry(count: number): Registry {
  const tenants = Array.from({ length: count }, (_, i) => ({ id: `t${String(i).padStart(4, '0')}`, tier: i % 10 === 0 ? 'silo' : 'pool' }));
  const registry = parseRegistry(JSON.stringify({ version: 1, tenants }), `generated registry (${count} tenants)`);
  return { ...registry, tenants: placeTenantsInCacheCells(registry.tenants) };
}
