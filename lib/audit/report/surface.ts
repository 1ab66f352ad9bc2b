/**
 * `--format surface`: the tenant access surface (surface.ts) as text, one statement part per
 * line, so a snapshot diff of a widened grant is the changed line (docs/audit.md, "The tenant
 * access surface"). No paths, timings or hashes: identical across runs and machines.
 */
import { AuditResult } from '../audit';
import { accessSurface, statementLines, SurfaceStatement, TenantAccessSurface, SURFACE_FORMAT_VERSION } from '../surface';

export const SURFACE_LEGEND = [
  "{tenant} the session's own tenant; {owner} the tenant that owns a fenced store; {any-tenant} a wildcard where a tenant id goes;",
  '{other-tenant:<id>} a literal id of another tenant; <path> a resource or role by construct path; {account} {region} {hash} {asset}',
];

function statementBlock(s: SurfaceStatement, indent: string, withSource = true): string[] {
  const lines = statementLines(s, withSource);
  if (s.sessions) lines[0] += ` [sessions of ${s.sessions.join(', ')}]`;
  return lines.map((l) => indent + l);
}

/** The surface as text. */
export function renderSurfaceText(s: TenantAccessSurface): string {
  const out = [
    `tenant access surface (format ${SURFACE_FORMAT_VERSION}): ${s.principals.length} principal entries, ${s.fences.length} fenced stores`,
    ...SURFACE_LEGEND.map((l) => `  ${l}`),
  ];
  for (const p of s.principals) {
    out.push('', `principal ${p.name} (role ${p.role})`, `  acts as: ${p.actsAs}`);
    if (p.tenants) out.push(`  tenants: ${p.tenants.join(', ')}`);
    for (const k of p.kinds) {
      out.push(`  ${k.kind}:`);
      for (const st of k.statements) out.push(...statementBlock(st, '    '));
      if (k.fencedBy.length) out.push(`    fenced by: ${k.fencedBy.join(', ')}`);
      if (k.unfenced.length) out.push(`    no fence: ${k.unfenced.join(', ')}`);
    }
  }
  if (s.fences.length) out.push('', 'fences (Deny statements of the resource and key policies the grants above reach):');
  for (const f of s.fences) {
    out.push('', `fence ${f.store} (${f.type}, ${f.classification}, ${f.policy})`);
    if (f.tenants) out.push(`  owners: ${f.tenants.join(', ')}`);
    // The fence header names the policy: its statements need no source of their own.
    for (const st of f.denies) out.push(...statementBlock(st, '  ', false));
  }
  return out.join('\n') + '\n';
}

/** The surface of an audit result as text (the `surface` report format). */
export function renderSurface(r: AuditResult): string {
  return renderSurfaceText(accessSurface(r.inventory, r.model.grammar));
}
