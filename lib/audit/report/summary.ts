/** Shared numbers for every report format. */
import { AuditResult } from '../audit';

export interface Summary {
  readonly stacks: number;
  readonly principals: number;
  readonly tenantScopedPrincipals: number;
  readonly tenantResources: number;
  readonly cacheUsers: number;
  readonly searchDomains: number;
  readonly requests: number;
  readonly tenantIdsEvaluated: number;
  readonly findings: { readonly error: number; readonly warning: number; readonly note: number };
  readonly durationMs: number;
}

export function summarize(r: AuditResult): Summary {
  const count = (s: string) => r.findings.filter((f) => f.severity === s).length;
  return {
    stacks: r.stacks,
    principals: r.inventory.principals.length,
    tenantScopedPrincipals: r.inventory.principals.filter((p) => p.owner || p.abac).length,
    tenantResources: r.inventory.resources.length,
    cacheUsers: r.inventory.cacheUsers.length,
    searchDomains: r.inventory.searchDomains.length,
    requests: r.matrix.requests,
    tenantIdsEvaluated: r.matrix.actingIds.size,
    findings: { error: count('error'), warning: count('warning'), note: count('note') },
    durationMs: r.durationMs,
  };
}

export function tenantsLabel(t: { actingAs: string | null; victim: string } | undefined): string {
  if (!t) return '';
  return `${t.actingAs === null ? '(no tag)' : JSON.stringify(t.actingAs)} -> ${t.victim === '*' ? '(all)' : JSON.stringify(t.victim)}`;
}
