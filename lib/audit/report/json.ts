/**
 * JSON report, schema version 1 (documented in docs/audit.md):
 * `{ schemaVersion, tool, assembly, engine, summary, tenantIdsEvaluated, findings[] }`.
 */
import * as path from 'path';
import { AuditResult } from '../audit';
import { coverageRows, summarize } from './summary';

export const JSON_SCHEMA_VERSION = 1;

export function renderJson(r: AuditResult): string {
  return (
    JSON.stringify(
      {
        schemaVersion: JSON_SCHEMA_VERSION,
        tool: 'tenant-isolation audit',
        assembly: path.relative(process.cwd(), r.assemblyDir) || '.',
        engine: r.engine,
        summary: summarize(r),
        model: {
          config: r.model.configFile ?? null,
          tenantIdGrammar: r.model.grammar.name,
          evidence: r.model.evidence,
          stores: r.inventory.stores.map((x) => ({
            logicalId: x.source.logicalId,
            stack: x.source.stack,
            ...(x.source.constructPath ? { constructPath: x.source.constructPath } : {}),
            type: x.type,
            class: x.classification ?? 'platform',
            ...(x.owner ? { owner: x.owner } : {}),
            ...(x.partition ? { partition: { kind: x.partition.kind, template: x.partition.template, assumed: x.partition.assumed === true } } : {}),
            reason: x.reason ?? '',
          })),
        },
        coverage: coverageRows(r),
        tenantIdsEvaluated: [...r.matrix.actingIds].sort(),
        findings: r.findings,
      },
      null,
      2,
    ) + '\n'
  );
}
