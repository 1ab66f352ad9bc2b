/** Shared numbers for every report format: every format prints these, so they agree. */
import { AuditResult } from '../audit';
import { StoreClass } from '../inventory';

export interface CoverageRow {
  readonly principal: string;
  /** The role name (logical ids repeat across tenant stacks). */
  readonly name: string;
  readonly logicalId: string;
  readonly ownProbes: number;
  readonly ownAllowed: number;
}

export interface Summary {
  readonly stacks: number;
  readonly principals: number;
  readonly tenantScopedPrincipals: number;
  readonly tenantResources: number;
  readonly dataStores: Readonly<Record<StoreClass, number>>;
  readonly cacheUsers: number;
  readonly searchDomains: number;
  readonly requests: number;
  readonly tenantIdsEvaluated: number;
  readonly principalsReachingEveryTenant: number;
  readonly findings: { readonly error: number; readonly warning: number; readonly note: number };
  readonly durationMs: number;
}

export function summarize(r: AuditResult): Summary {
  const count = (s: string) => r.findings.filter((f) => f.severity === s).length;
  const stores: Record<StoreClass, number> = { 'tenant-owned': 0, pooled: 0, platform: 0, unclassified: 0 };
  for (const s of r.inventory.stores) if (s.classification) stores[s.classification]++;
  return {
    stacks: r.stacks,
    principals: r.inventory.principals.length,
    tenantScopedPrincipals: r.matrix.coverage.length,
    tenantResources: r.inventory.resources.length,
    dataStores: stores,
    cacheUsers: r.inventory.cacheUsers.length,
    searchDomains: r.inventory.searchDomains.length,
    requests: r.matrix.requests,
    tenantIdsEvaluated: r.matrix.actingIds.size,
    principalsReachingEveryTenant: new Set(r.reach.map((x) => x.principal.arn)).size,
    findings: { error: count('error'), warning: count('warning'), note: count('note') },
    durationMs: r.durationMs,
  };
}

export function coverageRows(r: AuditResult): CoverageRow[] {
  return r.matrix.coverage
    .map((c) => ({ principal: c.principal.arn, name: c.principal.name, logicalId: c.principal.source.logicalId, ownProbes: c.ownProbes, ownAllowed: c.ownAllowed }))
    .sort((a, b) => a.principal.localeCompare(b.principal));
}

/** One line per summary number, the same words in every format. */
export function summaryLines(r: AuditResult): string[] {
  const s = summarize(r);
  const d = s.dataStores;
  return [
    `${s.stacks} stacks; ${s.tenantScopedPrincipals} of ${s.principals} roles act as tenants; ${s.principalsReachingEveryTenant} principals reach every tenant`,
    `data stores: ${d['tenant-owned']} tenant-owned, ${d.pooled} pooled, ${d.platform} platform, ${d.unclassified} unclassified; ${s.tenantResources} probed; ${s.cacheUsers} cache users, ${s.searchDomains} search domains`,
    `${s.requests} requests over ${s.tenantIdsEvaluated} tenant ids (${r.model.grammar.name} grammar, including adversarial ids); ${r.engine} engine; ${s.durationMs} ms`,
    `findings: ${s.findings.error} errors, ${s.findings.warning} warnings, ${s.findings.note} notes`,
  ];
}

/** The model the audit used, with its evidence, grouped by part; at most `max` lines per part. */
export function modelLines(r: AuditResult, max = 20): string[] {
  const out = [`tenant model (${r.model.configFile ? `declared in ${r.model.configFile}, the rest inferred` : 'inferred from the templates; no config'}):`];
  const byPart = new Map<string, string[]>();
  for (const e of r.model.evidence) {
    const details = byPart.get(e.part);
    if (details) details.push(e.detail);
    else byPart.set(e.part, [e.detail]);
  }
  for (const [part, details] of byPart) {
    out.push(`  ${part}:`);
    for (const d of details.slice(0, max)) out.push(`    - ${d}`);
    if (details.length > max) out.push(`    - … and ${details.length - max} more (see the JSON report)`);
  }
  return out;
}

export function coverageLines(r: AuditResult, max = 50): string[] {
  const rows = coverageRows(r);
  const out = ['coverage (own-tenant requests allowed, per principal acting as a tenant):'];
  for (const c of rows.slice(0, max)) out.push(`  - ${c.name}: ${c.ownAllowed} of ${c.ownProbes}${c.ownAllowed === 0 ? ' (vacuous: TI-VACUOUS-PROOF)' : ''}`);
  if (rows.length > max) out.push(`  - … and ${rows.length - max} more (see the JSON report)`);
  return out;
}

export function tenantsLabel(t: { actingAs: string | null; victim: string } | undefined): string {
  if (!t) return '';
  return `${t.actingAs === null ? '(no tag)' : JSON.stringify(t.actingAs)} -> ${t.victim === '*' ? '(all)' : JSON.stringify(t.victim)}`;
}
