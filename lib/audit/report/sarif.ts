/**
 * SARIF 2.1.0 for GitHub code scanning (docs.github.com, "SARIF support for code scanning"):
 * one run, rules from rules.ts, results with a physical location (template file and the line
 * of the logical id) and a logical location (the construct path), and a partial fingerprint so
 * alerts track across runs.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { AuditResult } from '../audit';
import { ALL_RULES } from '../rules';
import { coverageRows, summarize, tenantsLabel } from './summary';

/** The repository root: the nearest folder above the assembly with a `.git`, else the working directory. */
export function repositoryRoot(from: string): string {
  for (let d = path.resolve(from); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return process.cwd();
  }
}

/** SARIF `uriBaseId` of every artifact location: code scanning resolves it against the checkout. */
export const SRCROOT = '%SRCROOT%';

const LEVEL = { error: 'error', warning: 'warning', note: 'note' } as const;

function lineOf(text: string | undefined, logicalId: string): number {
  if (!text || !logicalId) return 1;
  const idx = text.indexOf(`"${logicalId}": {`);
  return idx < 0 ? 1 : text.slice(0, idx).split('\n').length;
}

export function renderSarif(r: AuditResult): string {
  // Locations are relative to the repository root (GitHub code scanning resolves them against
  // the checkout: docs.github.com, "SARIF support for code scanning", uriBaseId).
  const root = repositoryRoot(r.assemblyDir);
  const base = path.relative(root, r.assemblyDir).split(path.sep).join('/') || '.';
  const ruleIndex = new Map(ALL_RULES.map((rule, i) => [rule.id, i]));
  const results = r.findings.map((f) => {
    const uri = path.posix.join(base, f.templateFile.split(path.sep).join('/'));
    const fingerprint = createHash('sha256')
      .update([f.rule, f.stack, f.logicalId, f.principal ?? '', f.action ?? '', f.resource ?? ''].join('\u0000'))
      .digest('hex')
      .slice(0, 32);
    return {
      ruleId: f.rule,
      ruleIndex: ruleIndex.get(f.rule) ?? 0,
      level: LEVEL[f.severity],
      message: { text: `${f.why}${f.tenants ? ` [${tenantsLabel(f.tenants)}]` : ''}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: f.templateFile ? uri : base, uriBaseId: SRCROOT },
            region: { startLine: lineOf(r.templates.get(f.templateFile), f.logicalId) },
          },
          ...(f.logicalId ? { logicalLocations: [{ name: f.logicalId, fullyQualifiedName: f.constructPath ?? `${f.stack}/${f.logicalId}`, kind: 'resource' }] } : {}),
        },
      ],
      partialFingerprints: { 'tenantIsolationFinding/v1': fingerprint },
      properties: {
        ...(f.principal ? { principal: f.principal } : {}),
        ...(f.action ? { action: f.action } : {}),
        ...(f.resource ? { resource: f.resource } : {}),
        ...(f.tenants ? { tenants: f.tenants } : {}),
        occurrences: f.occurrences,
      },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tenant-isolation-audit',
            semanticVersion: '0.1.0',
            rules: ALL_RULES.map((rule) => ({
              id: rule.id,
              name: rule.id
                .replace(/^TI-/, '')
                .toLowerCase()
                .replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: rule.info },
              fullDescription: { text: rule.explanation },
              help: { text: rule.explanation },
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: { tags: ['security', 'tenant-isolation'] },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(root).href.replace(/\/?$/, '/')}` } },
        results,
        // The same numbers as every other format (summary.ts).
        properties: { summary: summarize(r), coverage: coverageRows(r), tenantIdGrammar: r.model.grammar.name },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
