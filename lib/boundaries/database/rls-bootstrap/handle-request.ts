/**
 * The custom resource's decision logic, free of AWS: given a CloudFormation request, the
 * bundled script and a way to reach the database, run (or not) and build the response body.
 *
 * - Create / Update: verify the bundled script is the one the template asked for (its SHA-256 is
 *   the resource property `SqlSha256`, so CloudFormation sends an Update whenever the SQL
 *   changes), run it in one transaction, report the failing statement on error.
 * - Delete: do nothing to the database. The bootstrap only creates roles, a schema, functions
 *   and policies that tenant data depends on; removing the resource (or the stack) must never
 *   drop them or the data (the cluster itself is SNAPSHOT on deletion).
 */
import { createHash } from 'crypto';
import { responseBody, CfnRequest, failureReason } from './cfn-response';
import { runBootstrap, SqlExecutor } from './run-bootstrap';

/** Stable across updates: a changed id would make CloudFormation send a Delete for the old one. */
export function physicalIdFor(request: CfnRequest): string {
  return request.PhysicalResourceId ?? `rls-bootstrap-${request.LogicalResourceId}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export async function handleRequest(request: CfnRequest, script: string, connect: () => SqlExecutor): Promise<string> {
  const physicalId = physicalIdFor(request);
  if (request.RequestType === 'Delete') {
    return responseBody(request, physicalId, { ok: true, data: { Applied: 'false' } });
  }
  const expected = String(request.ResourceProperties.SqlSha256 ?? '');
  const actual = sha256Hex(script);
  if (expected !== actual) {
    return responseBody(request, physicalId, {
      ok: false,
      head: `RLS bootstrap refused: the bundled SQL has SHA-256 ${actual} but the template asks for ${expected || '(none)'}; redeploy so function code and template match`,
    });
  }
  const result = await runBootstrap(connect(), script);
  if (result.ok) {
    return responseBody(request, physicalId, {
      ok: true,
      data: { Applied: 'true', Statements: String(result.statements), SqlSha256: actual },
    });
  }
  const { head, statement } = failureReason(result);
  return responseBody(request, physicalId, { ok: false, head, statement });
}
