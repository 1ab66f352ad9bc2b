/** Plain text: one line per finding, then a summary. For terminals and CI logs. */
import { AuditResult } from '../audit';
import { coverageLines, modelLines, summaryLines, tenantsLabel } from './summary';

export function renderText(r: AuditResult): string {
  const lines: string[] = [...modelLines(r), ''];
  const rows = r.findings.map((f) => [
    f.severity.toUpperCase(),
    f.rule,
    `${f.templateFile}${f.logicalId ? `#${f.logicalId}` : ''}`,
    f.action ?? '',
    tenantsLabel(f.tenants),
    f.why + (f.occurrences > 1 ? ` (${f.occurrences} requests)` : ''),
  ]);
  if (rows.length > 0) {
    const header = ['SEVERITY', 'RULE', 'WHERE', 'ACTION', 'TENANTS', 'WHY'];
    const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((row) => row[i].length))));
    const fmt = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
    lines.push(fmt(header), ...rows.map(fmt), '');
  }
  lines.push(...coverageLines(r), '', ...summaryLines(r).map((l) => `tenant isolation audit: ${l}`));
  return lines.join('\n') + '\n';
}
