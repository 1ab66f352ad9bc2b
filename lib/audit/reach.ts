/**
 * Principals that reach every tenant: a role that, with its own credentials (no tenant session),
 * reads or writes the part of a pooled store that belongs to two unrelated tenants reaches every
 * tenant's part (a Lambda role reading a pooled table with the tenant id taken from the request;
 * a vended role whose session policy lives in code). Whoever may read a database's master
 * secret reaches every tenant too: the master user bypasses row-level security (PostgreSQL
 * docs, ddl-rowsecurity: superusers and roles with BYPASSRLS are not subject to it).
 */
import { evaluate } from './engine/builtin-engine';
import { IdGrammar } from './id-grammar';
import { Inventory, Principal, TenantResource } from './inventory';
import { allowsService, namespaceOf } from './matrix';
import { databaseMasterReach } from './probes/database-master';
import { chainedPrincipals } from './probes/role-chains';
import { Statement } from './policy-model';
import { dbuserArnOf, isTenantFacing, probeRequest, sessionPolicyFor } from './tenant-model';

export interface EveryTenantReach {
  readonly principal: Principal;
  readonly store: TenantResource;
  readonly action: string;
  readonly resource: string;
  readonly allowedBy: readonly Statement[];
  /** The store holds a database's master credentials. */
  readonly masterSecret: boolean;
  /** Silo reach: the tenant-owned stores of different tenants the principal reaches, one per tenant. */
  readonly silos?: ReadonlyArray<{ readonly owner: string; readonly store: TenantResource; readonly action: string }>;
  /** How the master user is reached, for the Data API and IAM-auth paths (probes/database-master.ts). */
  readonly via?: string;
}

function allowed(p: Principal, r: TenantResource, action: string, resource: string, extra: Record<string, string | string[]>, actingAs: string | null) {
  const session = actingAs !== null ? sessionPolicyFor(p, actingAs) : undefined;
  const res = evaluate(probeRequest(p, actingAs, action, resource, extra), {
    identity: p.identity,
    ...(p.boundary ? { boundary: p.boundary } : {}),
    ...(session ? { session } : {}),
    resource: r.policy,
  });
  return res.decision === 'Allowed' ? res.allowedBy : undefined;
}

/**
 * A platform role that reaches the tenant-owned (silo) stores of two or more tenants with its
 * own credentials reaches every tenant as surely as one reading a pooled table: which tenant it
 * touches per request is code. One store per tenant is enough; the first allowed request of
 * each owner is kept (stores are visited in template order).
 */
function siloReach(p: Principal, inv: Inventory): EveryTenantReach | undefined {
  const silos: Array<{ owner: string; store: TenantResource; action: string; resource: string; allowedBy: readonly Statement[] }> = [];
  const seen = new Set<string>();
  for (const r of inv.resources) {
    if (!r.owner || seen.has(r.owner) || r.type === 'AWS::KMS::Key') continue;
    // Without a resource policy only an identity Allow for the service can reach it.
    if (r.policy.length === 0 && !allowsService(p, r.kind.service)) continue;
    const ns = namespaceOf(r, r.owner);
    for (const t of r.kind.ownedProbes ?? []) {
      const resource = t.resource
        .replace('{arn}', r.arn)
        .replace('{ns}', ns)
        .replace('{index}', r.indexes?.[0] ?? 'audit')
        .replace('{dbuserArn}', dbuserArnOf(r));
      const ctx = Object.fromEntries(Object.entries(t.context ?? {}).map(([k, v]) => [k, v.replace('{ns}', ns).replace('{keyArn}', r.keyArn ?? '')]));
      const a = allowed(p, r, t.action, resource, ctx, null);
      if (a) {
        silos.push({ owner: r.owner, store: r, action: t.action, resource, allowedBy: a });
        seen.add(r.owner);
        break;
      }
    }
  }
  if (silos.length < 2) return undefined;
  const last = silos[silos.length - 1];
  return {
    principal: p,
    store: last.store,
    action: last.action,
    resource: last.resource,
    allowedBy: last.allowedBy,
    masterSecret: false,
    silos: silos.map(({ owner, store, action }) => ({ owner, store, action })),
  };
}

export function everyTenantReach(inv: Inventory, grammar: IdGrammar, chained = false): EveryTenantReach[] {
  const out: EveryTenantReach[] = [];
  const pooled = inv.resources.filter((r) => r.classification === 'pooled' && r.partition && !r.partition.assumed && r.type !== 'AWS::KMS::Key');
  const secrets = inv.stores.filter((r) => r.masterSecretOf);
  const two = [grammar.base, grammar.unrelated];
  for (const p of inv.principals) {
    const facing = isTenantFacing(p);
    if (!facing) {
      for (const r of pooled) {
        let hit: EveryTenantReach | undefined;
        // A store pooled by name is a resource per tenant: the namespace is its whole ARN.
        const byName = r.partition?.kind === 'name';
        for (const t of (byName ? r.kind.ownedProbes : r.kind.pooledProbes) ?? []) {
          if (hit) break;
          if (Object.values(t.context ?? {}).some((x) => x.includes('{own}'))) continue;
          const by = two.map((id) => {
            const ns = namespaceOf(r, id);
            const resource = t.resource
              .replace('{arn}', byName ? ns : r.arn)
              .replace('{ns}', byName ? '' : ns)
              .replace('{index}', r.indexes?.[0] ?? 'audit');
            const ctx = Object.fromEntries(Object.entries(t.context ?? {}).map(([k, v]) => [k, v.replace('{ns}', ns).replace('{keyArn}', r.keyArn ?? '')]));
            const a = allowed(p, r, t.action, resource, ctx, null);
            return a ? { resource, a } : undefined;
          });
          if (by[0] && by[1]) hit = { principal: p, store: r, action: t.action, resource: by[1].resource, allowedBy: by[1].a, masterSecret: false };
        }
        for (const t of r.kind.crossTenantProbes ?? []) {
          if (hit) break;
          const resource = t.resource.replace('{arn}', r.arn).replace('{index}', r.indexes?.[0] ?? 'audit');
          const a = allowed(p, r, t.action, resource, t.context ?? {}, null);
          if (a) hit = { principal: p, store: r, action: t.action, resource, allowedBy: a, masterSecret: false };
        }
        if (hit) out.push(hit);
      }
      const silo = siloReach(p, inv);
      if (silo) out.push(silo);
    }
    for (const r of secrets) {
      const acting = facing ? (p.owner ?? grammar.base) : null;
      const a = allowed(p, r, 'secretsmanager:GetSecretValue', r.arn, {}, acting);
      if (a) out.push({ principal: p, store: r, action: 'secretsmanager:GetSecretValue', resource: r.arn, allowedBy: a, masterSecret: true });
    }
  }
  // The Data API with the master secret, and rds-db:connect as the master user, on every cluster (tagged or not).
  for (const m of databaseMasterReach(inv, grammar)) {
    out.push({ principal: m.principal, store: m.secret ?? m.database, action: m.action, resource: m.resource, allowedBy: m.allowedBy, masterSecret: true, via: m.via });
  }
  // A role a tenant session chains into (probes/role-chains.ts) counts for that tenant: what it reaches with its own credentials too.
  if (!chained) {
    const roles = chainedPrincipals(inv.principals, grammar);
    if (roles.length > 0) out.push(...everyTenantReach({ ...inv, principals: roles }, grammar, true));
  }
  return out;
}
