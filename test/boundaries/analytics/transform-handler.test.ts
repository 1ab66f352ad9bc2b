/**
 * The transformation Lambda as deployed: the handler source and the esbuild bundle
 * (lib/boundaries/lambda-bundles.ts) that the construct puts in the cloud assembly, run against
 * crafted batches. Secrets Manager is the only AWS dependency; it is replaced by
 * RecordedSecretsManagerDouble (no AWS account here).
 */
import * as fs from 'fs';
import * as path from 'path';
import { testBlueprint } from '../../helpers/app';
import { batchOf, signed, STREAM_KEY } from './records';

afterEach(() => jest.restoreAllMocks());

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:tib/analytics/integrity-key-AbCdEf';
const OLD_KEY = Buffer.from('previous-integrity-key-before-the-operator-rotated-it', 'utf8');

/** What the double holds per version stage, and every request it saw. */
const secretVersions: Record<string, string | undefined> = {};
const requests: Array<{ SecretId: string; VersionStage?: string }> = [];

jest.mock(
  '@aws-sdk/client-secrets-manager',
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.mock factories run before imports
  () => require('../../helpers/secrets-manager-double').secretsManagerDoubleModule(secretVersions, requests),
  { virtual: true },
);

type Handler = (e: ReturnType<typeof batchOf>) => Promise<{ records: Array<{ recordId: string; result: string; metadata?: unknown }> }>;

function bundledHandlerPath(): string {
  const { app, blueprint } = testBlueprint(['acme']);
  const assembly = app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(assembly.directory, blueprint.platform.templateFile), 'utf8'));
  const fnId = Object.keys(template.Resources).find((id) => id.startsWith('AnalyticsTransform') && template.Resources[id].Type === 'AWS::Lambda::Function')!;
  const s3Key = template.Resources[fnId].Properties.Code.S3Key as string; // <hash>.zip
  return path.join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.js');
}

const bundlePath = bundledHandlerPath();

const variants: Array<[string, () => { handler: Handler; resetKeyCache?: () => void }]> = [
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded per variant, after the synth above
  ['handler source', () => require('../../../lib/boundaries/analytics/analytics-transform/handler')],
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
  ['esbuild bundle in the cloud assembly', () => require(bundlePath)],
];

test('the bundle is one JavaScript file that keeps the runtime-provided SDK external', () => {
  const code = fs.readFileSync(bundlePath, 'utf8');
  expect(code).toContain('require("@aws-sdk/client-secrets-manager")');
  expect(code).toContain('integrity-mismatch');
  expect(code).not.toMatch(/from ['"]\.\.?\//); // no relative imports left
});

describe.each(variants)('transformation Lambda (%s)', (_name, load) => {
  let handler: Handler;
  let logged: string[];
  beforeEach(() => {
    logged = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
    jest.isolateModules(() => {
      handler = load().handler;
    });
    process.env.INTEGRITY_SECRET_ARN = SECRET_ARN;
    process.env.TI_REFUSED_TENANTS = '[]'; // the source reads it from the environment; the bundle carries its own
    requests.length = 0;
    for (const k of Object.keys(secretVersions)) delete secretVersions[k];
  });

  test('partitions a verified record and refuses a forged one, reading the key from the secret', async () => {
    secretVersions.AWSCURRENT = STREAM_KEY.toString('utf8');
    const out = await handler(batchOf([signed('acme'), { ...signed('acme'), tenant: 'globex' }]));
    expect(out.records.map((r) => [r.recordId, r.result, r.metadata])).toEqual([
      ['rec-0', 'Ok', { partitionKeys: { tenant: 'acme' } }],
      ['rec-1', 'ProcessingFailed', undefined],
    ]);
    expect(requests).toEqual([
      { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' },
      { SecretId: SECRET_ARN, VersionStage: 'AWSPREVIOUS' },
    ]);
    // One structured line names the rejected record and its reason, never the record's content.
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0])).toMatchObject({
      level: 'warn',
      rejected: 1,
      byReason: { 'integrity-mismatch': 1 },
      records: [{ recordId: 'rec-1', reason: 'integrity-mismatch' }],
    });
    expect(logged[0]).not.toContain('o-1');
    expect(logged[0]).not.toContain('globex');
    // Cached: a second batch makes no new request.
    await handler(batchOf([signed('acme')]));
    expect(requests).toHaveLength(2);
  });

  test('after a rotation, records signed with the previous key still verify; unknown keys do not', async () => {
    secretVersions.AWSCURRENT = STREAM_KEY.toString('utf8');
    secretVersions.AWSPREVIOUS = OLD_KEY.toString('utf8');
    const out = await handler(batchOf([signed('acme', {}, { key: OLD_KEY }), signed('globex', {}, { key: Buffer.from('some-other-key') })]));
    expect(out.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed']);
  });

  test('without the previous version only the current key verifies', async () => {
    secretVersions.AWSCURRENT = STREAM_KEY.toString('utf8');
    const out = await handler(batchOf([signed('acme', {}, { key: OLD_KEY })]));
    expect(out.records.map((r) => r.result)).toEqual(['ProcessingFailed']);
  });

  test('no current key: the invocation fails (Firehose retries, then the batch goes to the error prefix)', async () => {
    await expect(handler(batchOf([signed('acme')]))).rejects.toThrow(/no AWSCURRENT/);
  });

  test('no secret configured: the invocation fails instead of partitioning unverified records', async () => {
    delete process.env.INTEGRITY_SECRET_ARN;
    await expect(handler(batchOf([signed('acme')]))).rejects.toThrow('INTEGRITY_SECRET_ARN is not set');
  });
});
