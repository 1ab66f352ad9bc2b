/**
 * Offboarding cuts the analytics path: a record of a retired tenant, correctly signed by the
 * producer (the broker still held a token that was valid when the tenant was offboarded), is
 * refused by the transformation Lambda AS BUNDLED into the cloud assembly of a registry where the
 * tenant is retired, and lands in the error prefix (ProcessingFailed), never in the retained
 * partition. The same record is partitioned by the bundle of a registry where the tenant is active.
 * Before the fix the transformation had no notion of retirement, so both bundles partitioned it.
 * Secrets Manager is RecordedSecretsManagerDouble (test/helpers/secrets-manager-double.ts; no AWS account here).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBlueprint } from '../../../lib/blueprint/app';
import { REFUSED_TENANTS_FILE } from '../../../lib/boundaries/analytics/analytics-transform/refused-tenants';
import { parseRefusedTenants, transformBatch } from '../../../lib/boundaries/analytics/analytics-transform/transform';
import { placeTenantsInCacheCells } from '../../../lib/core/placement';
import { parseRegistry } from '../../../lib/core/registry';
import { newTestApp } from '../../helpers/app';
import { batchOf, signed, STREAM_KEY } from './records';

jest.mock(
  '@aws-sdk/client-secrets-manager',
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.mock factories run before imports
  () => require('../../helpers/secrets-manager-double').secretsManagerDoubleModule({ AWSCURRENT: '0123456789abcdef0123456789abcdef-test-stream-key' }),
  { virtual: true },
);

type Handler = (e: ReturnType<typeof batchOf>) => Promise<{ records: Array<{ recordId: string; result: string; metadata?: unknown }> }>;

function bundleFor(initechStatus: 'active' | 'retired'): string {
  const raw = parseRegistry(JSON.stringify({ version: 1, tenants: [{ id: 'acme' }, { id: 'initech', status: initechStatus }] }), 'test');
  const app = newTestApp();
  const blueprint = buildBlueprint(app, { registry: { ...raw, tenants: placeTenantsInCacheCells(raw.tenants) } });
  const assembly = app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(assembly.directory, blueprint.platform.templateFile), 'utf8'));
  const fnId = Object.keys(template.Resources).find((id) => id.startsWith('AnalyticsTransform') && template.Resources[id].Type === 'AWS::Lambda::Function')!;
  const s3Key = template.Resources[fnId].Properties.Code.S3Key as string;
  return path.join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.js');
}

function load(bundle: string): Handler {
  let handler!: Handler;
  jest.isolateModules(() => {
    // The bundle is a path known only at run time (the synthesized asset), so require, not import.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(bundle).handler;
  });
  return handler;
}

beforeEach(() => {
  process.env.INTEGRITY_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:tib/analytics/integrity-key-AbCdEf';
  delete process.env.TI_REFUSED_TENANTS; // the bundle must carry its own list
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('the deployed transformation refuses an offboarded tenant', () => {
  const retiredBundle = bundleFor('retired');
  const activeBundle = bundleFor('active');

  test("registry with initech retired: initech's signed record goes to the error prefix, acme's is partitioned", async () => {
    const out = await load(retiredBundle)(batchOf([signed('initech'), signed('acme')]));
    expect(out.records.map((r) => [r.recordId, r.result, r.metadata])).toEqual([
      ['rec-0', 'ProcessingFailed', undefined],
      ['rec-1', 'Ok', { partitionKeys: { tenant: 'acme' } }],
    ]);
  });

  test('registry with initech active: the same record is partitioned (the list follows the registry)', async () => {
    const out = await load(activeBundle)(batchOf([signed('initech')]));
    expect(out.records.map((r) => [r.result, r.metadata])).toEqual([['Ok', { partitionKeys: { tenant: 'initech' } }]]);
  });

  test('the code asset carries the list beside the handler (not an environment variable)', () => {
    const list = (bundle: string) => JSON.parse(fs.readFileSync(path.join(path.dirname(bundle), REFUSED_TENANTS_FILE), 'utf8'));
    expect(list(retiredBundle)).toEqual(['initech']);
    expect(list(activeBundle)).toEqual([]);
  });

  test('a code asset without the list fails the batch (never refuses nobody)', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'transform-no-list-'));
    fs.cpSync(path.dirname(retiredBundle), copy, { recursive: true });
    fs.rmSync(path.join(copy, REFUSED_TENANTS_FILE));
    await expect(load(path.join(copy, 'index.js'))(batchOf([signed('acme')]))).rejects.toThrow(/offboarded-tenant list is missing/);
  });
});

describe('transform logic', () => {
  test('tenant-offboarded is the reason, checked after the integrity tag', () => {
    const { rejected } = transformBatch(batchOf([signed('initech'), { ...signed('acme'), tenant: 'initech' }]), STREAM_KEY, new Set(['initech']));
    expect(rejected.map((r) => [r.recordId, r.reason])).toEqual([
      ['rec-0', 'tenant-offboarded'],
      ['rec-1', 'integrity-mismatch'],
    ]);
  });
  test.each([undefined, '', 'initech', '["Not-A-Tenant"]', '{"a":1}'])('an unreadable list %j fails the batch instead of refusing nobody', (text) => {
    expect(() => parseRefusedTenants(text)).toThrow();
  });
});
