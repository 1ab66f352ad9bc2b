/**
 * The config file: parsed and validated (bad input is exit 2 naming the file and the key),
 * found next to the assembly folder by default, and kept in step with its JSON Schema.
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../bin/cli';
import { CONFIG_KEYS, ID_PATTERN_PRESETS, loadConfig, PARTITION_KEYS, parseConfig } from '../../lib/audit/config';
import { UUID_GRAMMAR, BLUEPRINT_GRAMMAR } from '../../lib/audit/id-grammar';
import { TenantId } from '../../lib/core/tenant-id';
import { abacRole, poolBucket, SCOPED_POOL_STATEMENTS, tmpDir, writeAssembly } from './fixtures/assembly-builder';
import { pooledTable, serviceRole, TABLE_ARN, tenantTableRole, LEADING_KEYS_STATEMENTS } from './fixtures/patterns';

const ROOT = path.join(__dirname, '..', '..');

function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return main(['audit', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

/** An app whose only finding is a Lambda role reading the pooled table (TI-ALL-TENANTS). */
function appWithReader(): string {
  const parent = tmpDir('cfg');
  writeAssembly(path.join(parent, 'cdk.out'), {
    Platform: {
      resources: {
        ...pooledTable(),
        ...tenantTableRole(LEADING_KEYS_STATEMENTS),
        ReaderFn: serviceRole('ReaderFn', [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE_ARN }]),
      },
    },
  });
  return parent;
}

describe('bad config is exit 2 naming the file and the key', () => {
  const dir = writeAssembly(tmpDir('cfg-bad'), { Platform: { resources: { ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS) } } });
  const write = (text: string) => {
    const f = path.join(tmpDir('cfg-file'), 'c.json');
    fs.writeFileSync(f, text);
    return f;
  };
  test.each([
    ['unreadable file', () => '/nonexistent/tenant-isolation.json', /config \/nonexistent\/tenant-isolation\.json: cannot be read: not found/],
    ['not JSON', () => write('{ nope'), /config .*c\.json is not valid JSON/],
    ['unknown key', () => write('{"platformPrinciples": {}}'), /config .*c\.json: platformPrinciples: unknown key/],
    [
      'a session policy that is not a policy',
      () => write('{"sessionPolicies": {"VendedRole": {"Effect": "Allow"}}}'),
      /config .*c\.json: sessionPolicies\["VendedRole"\]: not a policy: .*no Statement/,
    ],
    [
      'a session policy statement with a bad Effect',
      () => write('{"sessionPolicies": {"R": {"Statement": [{"Effect": "Permit"}]}}}'),
      /sessionPolicies\["R"\]: not a policy: .*Effect must be Allow or Deny/,
    ],
    [
      'a partition without {{tenant}}',
      () => write('{"partitions": {"Items": {"partitionKey": "TENANT#"}}}'),
      /partitions\["Items"\]\.partitionKey: must be a string containing \{\{tenant\}\}/,
    ],
    ['an unknown partition kind', () => write('{"partitions": {"Items": {"prefix": "{{tenant}}"}}}'), /partitions\["Items"\]\.prefix: unknown key/],
    ['a bad regular expression', () => write('{"tenantIdPattern": "^(["}'), /tenantIdPattern: not a valid regular expression/],
    [
      'an rls partition without a setting name',
      () => write('{"partitions": {"Cluster": {"rls": {"tenantSetting": "tenant"}}}}'),
      /config .*c\.json: partitions\["Cluster"\]\.rls\.tenantSetting: must be the PostgreSQL setting the RLS policies read/,
    ],
    ['a platform principal without a reason', () => write('{"platformPrincipals": {"ReaderFn": ""}}'), /platformPrincipals\["ReaderFn"\]: must be a non-empty reason/],
  ])('%s', async (_, file, message) => {
    const r = await run([dir, '--config', file(), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

test('tenant-isolation.json next to the assembly folder is read by default; --config overrides it', async () => {
  const parent = appWithReader();
  const out = path.join(parent, 'cdk.out');
  const before = await run([out, '--format', 'json', '--quiet']);
  expect(before.code).toBe(1);
  expect(JSON.parse(before.out).findings.map((f: { rule: string }) => f.rule)).toContain('TI-ALL-TENANTS');
  fs.writeFileSync(path.join(parent, 'tenant-isolation.json'), JSON.stringify({ platformPrincipals: { 'Platform/ReaderFn': 'nightly export of every tenant' } }));
  const after = await run([out, '--format', 'json', '--quiet']);
  expect(after.code).toBe(0);
  const j = JSON.parse(after.out);
  expect(j.model.config).toMatch(/tenant-isolation\.json$/);
  expect(j.findings.map((f: { rule: string; severity: string }) => `${f.severity} ${f.rule}`)).toContain('note TI-PLATFORM-PRINCIPAL');
  const other = path.join(tmpDir('cfg-other'), 'other.json');
  fs.writeFileSync(other, '{}');
  expect((await run([out, '--config', other, '--quiet'])).code).toBe(1);
});

test('no tenant model: exit 2 with how to declare one, never "clean"', async () => {
  const dir = writeAssembly(tmpDir('no-model'), {
    App: { resources: { Data: { Type: 'AWS::S3::Bucket', Properties: {} }, Fn: serviceRole('Fn', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]) } },
  });
  const r = await run([dir]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/error: no tenant model found/);
  expect(r.err).toContain('tenant-isolation.json');
  expect(r.out).not.toMatch(/clean/);
});

test('the JSON Schema lists exactly the keys the audit accepts, and its presets are the ones used', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'tenant-isolation.schema.json'), 'utf8'));
  expect(Object.keys(schema.properties).sort()).toEqual([...CONFIG_KEYS].sort());
  expect(schema.additionalProperties).toBe(false);
  expect(Object.keys(schema.$defs.partition.properties).sort()).toEqual([...PARTITION_KEYS].sort());
  expect(schema.properties.tenantIdPattern.examples).toEqual(expect.arrayContaining(Object.keys(ID_PATTERN_PRESETS)));
  // The project's own config validates against the parser (the schema's twin).
  expect(() => loadConfig(path.join(ROOT, 'cdk.out'))).not.toThrow();
  expect(loadConfig(path.join(ROOT, 'cdk.out')).platformPrincipals).toHaveProperty(['Platform/Support/BreakGlass/Role']);
});

test('presets: blueprint is TenantId, uuid is the RFC 4122 text form', () => {
  const cases = ['acme', 'acme-corp', 'a', 'acme--x', 'ACME', '3f2a9c1e-8b7d-4c6e-9a5f-0123456789ab', '3F2A9C1E-8B7D-4C6E-9A5F-0123456789AB'];
  // The preset regex agrees with TenantId except for reserved words, which the grammar refuses too.
  for (const c of cases) expect(BLUEPRINT_GRAMMAR.isValid(c)).toBe(TenantId.isValid(c));
  expect(cases.filter((c) => UUID_GRAMMAR.isValid(c))).toEqual(['3f2a9c1e-8b7d-4c6e-9a5f-0123456789ab']);
  expect(parseConfig('{"tenantIdPattern": "uuid"}', 'x').tenantIdPattern).toBe('uuid');
});
