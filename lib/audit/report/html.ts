/**
 * HTML report: summary, the tenant x resource matrix as an inline SVG picture (red = some
 * request of that tenant reached that resource of another tenant, green = every request
 * denied), and the findings table. Self-contained: no scripts, no external assets.
 */
import { AuditResult } from '../audit';
import { NO_TAG } from '../matrix';
import { coverageRows, modelLines, summarize, summaryLines, tenantsLabel } from './summary';

const MAX_AXIS = 80;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function matrixSvg(r: AuditResult): string {
  const rows = [...[...r.matrix.actingIds].sort(), NO_TAG].filter((a) => r.inventory.resources.some((res) => r.matrix.cells.has(`${a}\u0000${res.arn}`)));
  const cols = r.inventory.resources.filter((res) => rows.some((a) => r.matrix.cells.has(`${a}\u0000${res.arn}`)));
  const shownRows = rows.slice(0, MAX_AXIS);
  const shownCols = cols.slice(0, MAX_AXIS);
  const cw = 18;
  const left = 170;
  const top = 190;
  const width = left + shownCols.length * cw + 10;
  const height = top + shownRows.length * cw + 10;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="tenant by resource matrix">`];
  shownCols.forEach((c, j) => {
    const label = `${c.source.logicalId}${c.owner ? ` (${c.owner})` : ' (pool)'}`;
    parts.push(
      `<text x="${left + j * cw + 12}" y="${top - 6}" transform="rotate(-60 ${left + j * cw + 12} ${top - 6})" font-size="11">${esc(label.slice(0, 40))}</text>`,
    );
  });
  shownRows.forEach((a, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * cw + 13}" font-size="11" text-anchor="end">${esc(a)}</text>`);
    shownCols.forEach((c, j) => {
      const cell = r.matrix.cells.get(`${a}\u0000${c.arn}`);
      const fill = !cell ? '#e5e7eb' : cell[1] > 0 ? '#dc2626' : '#16a34a';
      const title = !cell ? 'not evaluated (own resource or no probe)' : `${cell[1]} of ${cell[0]} requests allowed`;
      parts.push(
        `<rect x="${left + j * cw}" y="${top + i * cw}" width="${cw - 2}" height="${cw - 2}" fill="${fill}"><title>${esc(`${a} -> ${c.source.logicalId}: ${title}`)}</title></rect>`,
      );
    });
  });
  parts.push('</svg>');
  const note =
    rows.length > MAX_AXIS || cols.length > MAX_AXIS
      ? `<p>Showing ${shownRows.length} of ${rows.length} tenant ids and ${shownCols.length} of ${cols.length} resources.</p>`
      : '';
  return parts.join('\n') + note;
}

export function renderHtml(r: AuditResult): string {
  const s = summarize(r);
  const rows = r.findings
    .map(
      (f) =>
        `<tr class="${f.severity}"><td>${f.severity}</td><td><code>${esc(f.rule)}</code></td><td><code>${esc(f.constructPath ?? `${f.templateFile}#${f.logicalId}`)}</code></td><td>${esc(f.action ?? '')}</td><td>${esc(tenantsLabel(f.tenants))}</td><td>${esc(f.why)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tenant isolation audit</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#111}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
tr.error td:first-child{color:#b91c1c;font-weight:bold}tr.warning td:first-child{color:#b45309}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
</style></head><body>
<h1>Tenant isolation audit: ${s.findings.error + s.findings.warning === 0 ? 'clean' : `${s.findings.error} errors, ${s.findings.warning} warnings`}</h1>
<ul>${summaryLines(r)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul>
<h2>Tenant model</h2>
<pre>${esc(modelLines(r).join('\n'))}</pre>
<h2>Coverage</h2>
<table><tr><th>principal acting as a tenant</th><th>own-tenant requests allowed</th></tr>
${coverageRows(r)
  .map((c) => `<tr><td><code>${esc(c.name)}</code></td><td>${c.ownAllowed} of ${c.ownProbes}${c.ownAllowed === 0 ? ' (vacuous)' : ''}</td></tr>`)
  .join('\n')}</table>
<h2>Tenant × resource matrix</h2>
<p class="legend">Rows: the tenant a session acts as. Columns: tenant resources.
<span style="background:#dc2626"></span>reached another tenant's data
<span style="background:#16a34a"></span>every request denied
<span style="background:#e5e7eb"></span>not evaluated (own resource)</p>
${matrixSvg(r)}
<h2>Findings</h2>
${r.findings.length === 0 ? '<p>None.</p>' : `<table><tr><th>severity</th><th>rule</th><th>where</th><th>action</th><th>tenants</th><th>why</th></tr>\n${rows}</table>`}
</body></html>
`;
}
