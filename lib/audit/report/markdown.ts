/** Markdown summary for a pull-request comment: verdict, counts per rule, the first findings. */
import { AuditResult } from '../audit';
import { coverageRows, modelLines, summarize, summaryLines, tenantsLabel } from './summary';

const MAX_ROWS = 50;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: AuditResult): string {
  const s = summarize(r);
  const failing = s.findings.error + s.findings.warning;
  const out = [
    `## Tenant isolation audit: ${failing === 0 ? 'clean' : `${failing} finding${failing === 1 ? '' : 's'}`}`,
    '',
    ...summaryLines(r).map((l) => `- ${l}`),
    '',
    '<details><summary>Tenant model and evidence</summary>',
    '',
    '```',
    ...modelLines(r),
    '```',
    '',
    '</details>',
    '',
    '| principal acting as a tenant | own-tenant requests allowed |',
    '|---|---|',
    ...coverageRows(r)
      .slice(0, MAX_ROWS)
      .map((c) => `| \`${cell(c.name)}\` | ${c.ownAllowed} of ${c.ownProbes}${c.ownAllowed === 0 ? ' (vacuous)' : ''} |`),
    '',
  ];
  if (r.findings.length > 0) {
    const perRule = new Map<string, number>();
    r.findings.forEach((f) => perRule.set(`${f.severity}\u0000${f.rule}`, (perRule.get(`${f.severity}\u0000${f.rule}`) ?? 0) + 1));
    out.push('| severity | rule | findings |', '|---|---|---|');
    for (const [k, n] of perRule) {
      const [sev, rule] = k.split('\u0000');
      out.push(`| ${sev} | \`${rule}\` | ${n} |`);
    }
    out.push('', '| rule | where | action | tenants | why |', '|---|---|---|---|---|');
    for (const f of r.findings.slice(0, MAX_ROWS)) {
      out.push(
        `| \`${f.rule}\` | \`${cell(f.constructPath ?? `${f.templateFile}#${f.logicalId}`)}\` | ${cell(f.action ?? '')} | ${cell(tenantsLabel(f.tenants))} | ${cell(f.why)} |`,
      );
    }
    if (r.findings.length > MAX_ROWS) out.push('', `… and ${r.findings.length - MAX_ROWS} more (see the JSON or SARIF report).`);
  }
  return out.join('\n') + '\n';
}
