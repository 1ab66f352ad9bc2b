/**
 * Tenant lifecycle operations on a registry: pure functions that return the new registry and a
 * plan of what the next deploy changes. The CLI (cli-lifecycle.ts) adds locking, I/O and printing.
 */
import { names } from '../names';
import { objectPrefix } from '../../core/namespace';
import { findTenant, Registry, sortTenants, TenantEntry } from '../../core/registry';
import { TenantId } from '../../core/tenant-id';
import { Tier } from '../../core/tier';

/** A refused operation: bad input or a state that does not allow it. Exit code 2; nothing written. */
export class LifecycleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LifecycleError';
  }
}

export interface LifecyclePlan {
  readonly registry: Registry;
  readonly tenant: TenantEntry;
  /** Human-readable lines: what the next deploy creates, changes or keeps. */
  readonly changes: readonly string[];
  /** Stacks the next deploy must touch. */
  readonly stacks: readonly string[];
}

/** Places new tenants in shared, finite services (cache cells, ...). Never moves placed tenants. */
export type Placer = (tenants: readonly TenantEntry[]) => TenantEntry[];

export function onboard(registry: Registry, rawId: string, tier: Tier, qualifier: string, place: Placer): LifecyclePlan {
  const id = TenantId.parse(rawId); // TenantIdError names the rule
  const existing = findTenant(registry, id.value);
  if (existing) {
    throw new LifecycleError(
      existing.status === 'active'
        ? `tenant "${id.value}" is already onboarded (tier ${existing.tier})`
        : `tenant id "${id.value}" belonged to a ${existing.status} tenant and is never reused (its data, logs and audit trail still name it)`,
    );
  }
  const added: TenantEntry = { id, tier, status: 'active' };
  const placed = place(sortTenants([...registry.tenants, added]));
  const next: Registry = { version: registry.version, tenants: placed };
  const tenant = findTenant(next, id.value)!;
  const tenantStack = names.tenantStack(qualifier, id);
  const platformStack = names.platformStack(qualifier);
  const changes = [
    `+ stack ${tenantStack}: the tenant's own resources${tier === 'silo' ? ' (dedicated bucket and key)' : ''}`,
    `~ stack ${platformStack}: the tenant's slices of shared services${placementText(tenant)}`,
    `  objects under ${tier === 'silo' ? 'its silo bucket' : `the pool bucket (${qualifier}-tenant-data-<account>-<region>)`}, prefix ${objectPrefix(id)}`,
  ];
  return { registry: next, tenant, changes, stacks: [platformStack, tenantStack] };
}

export function offboard(registry: Registry, rawId: string, qualifier: string): LifecyclePlan {
  const tenant = requireTenant(registry, rawId, 'offboard');
  if (tenant.status !== 'active') throw new LifecycleError(`tenant "${tenant.id.value}" is already ${tenant.status}`);
  const next = replace(registry, { ...tenant, status: 'retired' });
  const tenantStack = names.tenantStack(qualifier, tenant.id);
  const changes = [
    `~ stack ${names.platformStack(qualifier)}: TenantAccessRole refuses every session tagged ${tenant.id.value}; the tenant's cache user and grants are removed`,
    `~ stack ${tenantStack}: stays, holding the retained data; access grants removed`,
    `= kept (retained): objects under ${objectPrefix(tenant.id)}${tenant.tier === 'silo' ? ' in its silo bucket and its key' : ' in the pool bucket'}, database rows, queue messages until they expire`,
    `  to delete the data later: tenant-isolation purge ${tenant.id.value} --confirm ${tenant.id.value}`,
  ];
  return { registry: next, tenant: findTenant(next, tenant.id.value)!, changes, stacks: [names.platformStack(qualifier), tenantStack] };
}

export function purge(registry: Registry, rawId: string, confirm: string | undefined, qualifier: string): LifecyclePlan {
  const tenant = requireTenant(registry, rawId, 'purge');
  if (confirm !== tenant.id.value) {
    throw new LifecycleError(`purge deletes tenant data for good: repeat the id to confirm (--confirm ${tenant.id.value})`);
  }
  if (tenant.status === 'active') {
    throw new LifecycleError(`tenant "${tenant.id.value}" is active: offboard it first (tenant-isolation offboard ${tenant.id.value}), deploy, then purge`);
  }
  if (tenant.status === 'purged') throw new LifecycleError(`tenant "${tenant.id.value}" is already purged`);
  const next = replace(registry, { ...tenant, status: 'purged' });
  const tenantStack = names.tenantStack(qualifier, tenant.id);
  const changes = [
    `- stack ${tenantStack}: leaves the app; cdk deploy never deletes stacks, so delete it: aws cloudformation delete-stack --stack-name ${tenantStack}`,
    `! retained resources survive stack deletion by design; delete them with the purge runbook (docs/lifecycle.md):`,
    `    objects: every version under ${objectPrefix(tenant.id)}${tenant.tier === 'silo' ? ' and the silo bucket and key (schedule key deletion)' : ' in the pool bucket'}`,
    `    database: DELETE the tenant's rows as isolation_owner`,
    `  the id "${tenant.id.value}" stays in the registry as purged and is never reused`,
  ];
  return { registry: next, tenant: findTenant(next, tenant.id.value)!, changes, stacks: [names.platformStack(qualifier)] };
}

function requireTenant(registry: Registry, rawId: string, verb: string): TenantEntry {
  const id = TenantId.parse(rawId);
  const tenant = findTenant(registry, id.value);
  if (!tenant) throw new LifecycleError(`cannot ${verb} "${id.value}": no such tenant in the registry`);
  return tenant;
}

function replace(registry: Registry, entry: TenantEntry): Registry {
  return { version: registry.version, tenants: registry.tenants.map((t) => (t.id.equals(entry.id) ? entry : t)) };
}

function placementText(t: TenantEntry): string {
  return t.placement?.cacheCell !== undefined ? ` (cache cell ${t.placement.cacheCell})` : '';
}
