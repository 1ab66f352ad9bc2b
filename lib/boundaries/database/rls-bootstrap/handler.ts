/**
 * Lambda entry point of the RLS bootstrap custom resource. Runs in the Node.js 24 runtime, which
 * ships the AWS SDK for JavaScript v3 (so @aws-sdk/client-rds-data is not bundled). The script
 * sits next to this file in the asset (bootstrap.sql). The function answers CloudFormation
 * itself (PUT to the pre-signed ResponseURL) and always answers: an unanswered request would
 * leave the stack waiting for an hour.
 */
import { readFileSync } from 'fs';
import * as https from 'https';
import * as path from 'path';
import { CfnRequest, responseBody } from './cfn-response';
import { DataApiExecutor } from './data-api-executor';
import { handleRequest, physicalIdFor } from './handle-request';

// The request logic, reachable in the bundle too (the construct test runs the bundled logic on PGlite).
export { handleRequest };

function put(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      // The pre-signed URL is signed without a content type (CloudFormation User Guide, crpg-ref-responses).
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`response PUT: HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function handler(request: CfnRequest): Promise<void> {
  let body: string;
  try {
    const script = readFileSync(path.join(__dirname, 'bootstrap.sql'), 'utf8');
    const props = request.ResourceProperties;
    body = await handleRequest(
      request,
      script,
      () =>
        new DataApiExecutor({
          resourceArn: String(props.ClusterArn),
          secretArn: String(props.SecretArn),
          database: String(props.Database),
        }),
    );
  } catch (e) {
    body = responseBody(request, physicalIdFor(request), {
      ok: false,
      head: `RLS bootstrap handler error: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  // The full outcome goes to the function's log group; CloudFormation gets the 4 KB version.
  console.log(JSON.stringify({ requestType: request.RequestType, logicalId: request.LogicalResourceId, response: JSON.parse(body) }));
  await put(request.ResponseURL, body);
}
