/**
 * The Firehose transformation Lambda of the analytics stream (bundled by NodejsFunction).
 *
 * Loads the integrity key once per container from Secrets Manager (`INTEGRITY_SECRET_ARN`) with
 * the AWS SDK v3 that the Node.js Lambda runtime provides (it is external to the bundle, so this
 * project needs no SDK package for it), then applies transform.ts. Rejections are logged as one
 * structured line per batch: reasons and record ids, never record content (it may be another
 * tenant's data).
 *
 * If the key cannot be loaded the handler throws: Firehose retries the invocation and then
 * treats the whole batch as processing-failed (error prefix), so nothing is lost or partitioned
 * unverified (Firehose Developer Guide, data-transformation-failure-handling).
 */
import { FirehoseTransformationEvent, FirehoseTransformationResult, transformBatch } from './transform';

interface SecretsManagerModule {
  SecretsManagerClient: new (config: object) => { send(command: unknown): Promise<{ SecretString?: string }> };
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}

let cachedKey: Promise<Uint8Array> | undefined;

async function loadKey(): Promise<Uint8Array> {
  const secretArn = process.env.INTEGRITY_SECRET_ARN;
  if (!secretArn) throw new Error('INTEGRITY_SECRET_ARN is not set');
  // Provided by the Lambda Node.js runtime; kept external by the bundler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sm = require('@aws-sdk/client-secrets-manager') as SecretsManagerModule;
  const out = await new sm.SecretsManagerClient({}).send(new sm.GetSecretValueCommand({ SecretId: secretArn }));
  if (!out.SecretString) throw new Error(`secret ${secretArn} has no SecretString`);
  return Buffer.from(out.SecretString, 'utf8');
}

export async function handler(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  cachedKey ??= loadKey().catch((e) => {
    cachedKey = undefined; // retry on the next invocation
    throw e;
  });
  const { result, rejected } = transformBatch(event, await cachedKey);
  if (rejected.length > 0) {
    const byReason: Record<string, number> = {};
    for (const r of rejected) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    console.log(
      JSON.stringify({
        level: 'warn',
        message: 'analytics records sent to the error prefix',
        invocationId: event.invocationId,
        total: event.records.length,
        rejected: rejected.length,
        byReason,
        records: rejected.map((r) => ({ recordId: r.recordId, reason: r.reason })),
      }),
    );
  }
  return result;
}
