/**
 * JSON report, schema version 1 (documented in docs/audit.md):
 * `{ schemaVersion, tool, assembly, engine, summary, tenantIdsEvaluated, findings[] }`.
 */
import * as path from 'path';
import { AuditResult } from '../audit';
import { summarize } from './summary';

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
        tenantIdsEvaluated: [...r.matrix.actingIds].sort(),
        findings: r.findings,
      },
      null,
      2,
    ) + '\n'
  );
}
