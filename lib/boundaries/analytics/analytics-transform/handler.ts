/**
 * The Firehose transformation Lambda of the analytics stream (bundled by esbuild: lib/boundaries/lambda-bundles.ts).
 *
 * Loads the integrity keys from Secrets Manager (`INTEGRITY_SECRET_ARN`) with the AWS SDK v3 that
 * the Node.js Lambda runtime provides (external to the bundle, so this project needs no SDK
 * package for it): the AWSCURRENT version and, when present, AWSPREVIOUS, so records signed just
 * before an operator rotated the key still verify. Keys are cached for KEY_CACHE_MS. Then applies
 * transform.ts. Rejections are logged as one structured line per batch: reasons and record ids,
 * never record content (it may be another tenant's data).
 *
 * If the current key cannot be loaded the handler throws: Firehose retries the invocation and
 * then treats the batch as processing-failed (error prefix), so nothing is lost or partitioned
 * unverified (Firehose Developer Guide, data-transformation-failure-handling).
 */
import { refusedTenantsText } from './refused-tenants';
import { FirehoseTransformationEvent, FirehoseTransformationResult, parseRefusedTenants, transformBatch } from './transform';

export const KEY_CACHE_MS = 5 * 60 * 1000;

interface SecretsManagerClientLike {
  send(command: unknown): Promise<{ SecretString?: string }>;
}
interface SecretsManagerModule {
  SecretsManagerClient: new (config: object) => SecretsManagerClientLike;
  GetSecretValueCommand: new (input: { SecretId: string; VersionStage?: string }) => unknown;
}

let cache: { keys: Promise<Uint8Array[]>; loadedAt: number } | undefined;

async function loadKeys(): Promise<Uint8Array[]> {
  const secretArn = process.env.INTEGRITY_SECRET_ARN;
  if (!secretArn) throw new Error('INTEGRITY_SECRET_ARN is not set');
  // Provided by the Lambda Node.js runtime; kept external by the bundler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- not a dependency of this package: the runtime's copy, typed by SecretsManagerModule.
  const sm = require('@aws-sdk/client-secrets-manager') as SecretsManagerModule;
  const client = new sm.SecretsManagerClient({});
  const current = await client.send(new sm.GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT' }));
  if (!current.SecretString) throw new Error(`secret ${secretArn} has no SecretString`);
  const keys = [Buffer.from(current.SecretString, 'utf8')];
  try {
    const previous = await client.send(new sm.GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSPREVIOUS' }));
    if (previous.SecretString) keys.push(Buffer.from(previous.SecretString, 'utf8'));
  } catch (e) {
    // No AWSPREVIOUS version until the first rotation: only the current key is accepted.
    if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
  }
  return keys;
}

/** For tests: forget the cached keys. */
export function resetKeyCache(): void {
  cache = undefined;
}

export async function handler(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  const now = Date.now();
  if (!cache || now - cache.loadedAt > KEY_CACHE_MS) {
    const keys = loadKeys();
    cache = { keys, loadedAt: now };
    keys.catch(() => {
      cache = undefined; // retry on the next invocation
    });
  }
  // Offboarded tenants: refused-tenants.json beside the bundled handler (written by TenantAnalytics
  // at synth), so the list travels in the code, not in the 4 KB of environment variables; the
  // environment when the source runs unbundled (tests). A missing list fails the batch.
  const refused = parseRefusedTenants(refusedTenantsText());
  const { result, rejected } = transformBatch(event, await cache.keys, refused);
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
