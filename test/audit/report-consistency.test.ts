/**
 * Every format reports the same numbers (summary.ts), opens with the tenant model and its
 * evidence, and carries per-principal coverage; SARIF locations are relative to the repository
 * root with a uriBaseId.
 */
import * as path from 'path';
import { runAudit } from '../../lib/audit/audit';
import { FORMATS } from '../../lib/audit/cli-audit';
import { SRCROOT } from '../../lib/audit/report/sarif';
import { summaryLines, summarize } from '../../lib/audit/report/summary';
import { abacRole, NULL_TAG_DENY, poolBucket, poolObjects, SCOPED_POOL_STATEMENTS, TAG, writeAssembly } from './fixtures/assembly-builder';
import { pooledTable, serviceRole, TABLE_ARN } from './fixtures/patterns';

// Inside the repository, so "relative to the repository root" is checkable.
const DIR = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'audit-report-consistency', 'cdk.out');

beforeAll(() => {
  writeAssembly(DIR, {
    Platform: {
      resources: {
        ...poolBucket(),
        ...pooledTable(),
        TenantRole: abacRole([
          ...SCOPED_POOL_STATEMENTS,
          { Effect: 'Allow', Action: 's3:GetObject', Resource: poolObjects(`tenants/${TAG}*`) },
          { Effect: 'Allow', Action: 'dynamodb:*', Resource: TABLE_ARN },
          NULL_TAG_DENY,
        ]),
        ReaderFn: serviceRole('ReaderFn', [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE_ARN }]),
      },
    },
  });
});

test('text, JSON, Markdown, HTML and SARIF agree on every count', async () => {
  const r = await runAudit(DIR);
  const s = summarize(r);
  expect(s.findings.error).toBeGreaterThan(0);
  expect(s.findings.warning + s.findings.note).toBeGreaterThan(0);
  const out = Object.fromEntries(Object.entries(FORMATS).map(([k, render]) => [k, render(r)])) as Record<keyof typeof FORMATS, string>;
  const json = JSON.parse(out.json);
  const sarif = JSON.parse(out.sarif);
  expect(json.summary).toEqual(s);
  expect(sarif.runs[0].properties.summary).toEqual(s);
  expect(json.findings).toHaveLength(s.findings.error + s.findings.warning + s.findings.note);
  expect(sarif.runs[0].results).toHaveLength(json.findings.length);
  for (const level of ['error', 'warning', 'note'] as const) {
    expect(sarif.runs[0].results.filter((x: { level: string }) => x.level === level)).toHaveLength(s.findings[level]);
  }
  const html = out.html
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
  for (const line of summaryLines({ ...r, durationMs: r.durationMs })) {
    expect(out.text).toContain(line);
    expect(out.markdown).toContain(line);
    expect(html).toContain(line);
  }
  // Coverage: the same rows everywhere.
  expect(json.coverage).toEqual(sarif.runs[0].properties.coverage);
  for (const c of json.coverage) {
    expect(out.text).toContain(`${c.name}: ${c.ownAllowed} of ${c.ownProbes}`);
    expect(out.markdown).toContain(`| \`${c.name}\` | ${c.ownAllowed} of ${c.ownProbes}`);
    expect(html).toContain(`${c.ownAllowed} of ${c.ownProbes}`);
  }
});

test('every report opens with the model and its evidence', async () => {
  const r = await runAudit(DIR);
  const text = FORMATS.text(r);
  expect(text.split('\n')[0]).toBe('tenant model (inferred from the templates; no config):');
  expect(text).toContain('Items (AWS::DynamoDB::Table): partitionKey {{tenant}} (key schema: partition key "tenantId" names a tenant)');
  expect(text).toContain('TenantRole (TenantRole): trust allows sts:TagSession and the role uses a TenantId tag');
  const json = JSON.parse(FORMATS.json(r));
  expect(json.model.stores.map((x: { logicalId: string; class: string }) => `${x.logicalId}:${x.class}`).sort()).toEqual([
    'Items:pooled',
    'PoolBucket:pooled',
    'PoolKey:pooled',
  ]);
  expect(FORMATS.markdown(r)).toMatch(/Tenant model and evidence[\s\S]*tenant sessions:/);
  expect(FORMATS.html(r)).toMatch(/<h2>Tenant model<\/h2>\s*<pre>tenant model/);
});

test('SARIF artifact locations are relative to the repository root, with a uriBaseId', async () => {
  const r = await runAudit(DIR);
  const sarif = JSON.parse(FORMATS.sarif(r));
  const run = sarif.runs[0];
  expect(run.originalUriBaseIds[SRCROOT].uri).toBe(`file://${path.join(__dirname, '..', '..')}/`);
  for (const res of run.results) {
    const loc = res.locations[0].physicalLocation.artifactLocation;
    expect(loc.uriBaseId).toBe(SRCROOT);
    expect(loc.uri).toMatch(/^node_modules\/\.cache\/audit-report-consistency\/cdk\.out(\/Platform\.template\.json)?$/);
  }
});
