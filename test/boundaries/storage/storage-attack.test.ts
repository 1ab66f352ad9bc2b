/**
 * Attack tests for the object storage boundary: a session tagged as tenant A against tenant B's
 * objects, listings and key, evaluated on the synthesized policies (identity + bucket policy +
 * key policy). Tenants whose ids share leading letters (acm, acme, acme-corp) are included.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { testBlueprint } from '../../helpers/app';
import { arnOf, Decision, evaluate, identityPoliciesOf, keyPolicyOf, PolicyDocument, resourcePolicyFor } from '../../helpers/iam-attack';
import { logicalIdsOfType, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const POOL = ['acm', 'acme', 'acme-corp', 'globex-eu'];
const SILO = 'globex';
const { blueprint } = testBlueprint([...POOL, `${SILO}:silo`]);
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const silo = Template.fromStack(blueprint.tenants.find((t) => t.tenant.id.value === SILO)!).toJSON() as TemplateJson;

const roleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('TenantAccessRole'))!;
const brokerId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('DemoBrokerRole'))!;
const roleArn = arnOf(platform, roleId);
const brokerArn = arnOf(platform, brokerId);
const identity = identityPoliciesOf(platform, roleId);

const poolBucketId = logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('PoolStorageBucket'))!;
const poolKeyId = logicalIdsOfType(platform, 'AWS::KMS::Key').find((id) => id.startsWith('PoolStorageKey'))!;
const poolBucketArn = arnOf(platform, poolBucketId);
const poolBucketPolicy = resourcePolicyFor(platform, 'AWS::S3::BucketPolicy', 'Bucket', poolBucketId);
const poolKeyPolicy = keyPolicyOf(platform, poolKeyId);
const poolKeyArn = arnOf(platform, poolKeyId);

const siloBucketId = logicalIdsOfType(silo, 'AWS::S3::Bucket').find((id) => id.startsWith('SiloStorageBucket'))!;
const siloKeyId = logicalIdsOfType(silo, 'AWS::KMS::Key').find((id) => id.startsWith('SiloStorageKey'))!;
const siloBucketArn = arnOf(silo, siloBucketId);
const siloBucketPolicy = resourcePolicyFor(silo, 'AWS::S3::BucketPolicy', 'Bucket', siloBucketId);
const siloKeyPolicy = keyPolicyOf(silo, siloKeyId);
const siloKeyArn = arnOf(silo, siloKeyId);

const S3_VIA = { 'kms:ViaService': `s3.${TEST_ENV.region}.amazonaws.com` };
const OBJECT_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

interface Case {
  name: string;
  tenant: string | undefined;
  action: string;
  resource: string;
  resourcePolicy: PolicyDocument;
  context?: Record<string, string>;
  expected: Decision;
}

function poolObject(owner: string, key = 'report.csv') {
  return `${poolBucketArn}/tenants/${owner}/${key}`;
}

const cases: Case[] = [];
for (const attacker of [...POOL, SILO]) {
  for (const victim of POOL.filter((v) => v !== attacker)) {
    for (const action of OBJECT_ACTIONS) {
      cases.push({
        name: `${attacker} ${action} on ${victim}'s pool object`,
        tenant: attacker,
        action,
        resource: poolObject(victim),
        resourcePolicy: poolBucketPolicy,
        expected: 'ExplicitlyDenied',
      });
    }
    cases.push({
      name: `${attacker} lists ${victim}'s pool prefix`,
      tenant: attacker,
      action: 's3:ListBucket',
      resource: poolBucketArn,
      resourcePolicy: poolBucketPolicy,
      context: { 's3:prefix': `tenants/${victim}/` },
      expected: 'ExplicitlyDenied',
    });
    cases.push({
      name: `${attacker} decrypts ${victim}'s pool object`,
      tenant: attacker,
      action: 'kms:Decrypt',
      resource: poolKeyArn,
      resourcePolicy: poolKeyPolicy,
      context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': poolObject(victim) },
      expected: 'ExplicitlyDenied',
    });
  }
  // Listings that would reveal other tenants: the root, the shared folder, a prefix without its delimiter.
  for (const prefix of [undefined, '', 'tenants/', `tenants/${attacker}`, `tenants/${attacker.slice(0, 3)}`]) {
    cases.push({
      name: `${attacker} lists the pool bucket with prefix ${JSON.stringify(prefix)}`,
      tenant: attacker,
      action: 's3:ListBucket',
      resource: poolBucketArn,
      resourcePolicy: poolBucketPolicy,
      context: prefix === undefined ? {} : { 's3:prefix': prefix },
      expected: 'ExplicitlyDenied',
    });
  }
  // The key outside S3, or with an object ARN of another bucket carrying the same key path.
  cases.push({
    name: `${attacker} decrypts directly (not via S3) with its own context`,
    tenant: attacker,
    action: 'kms:Decrypt',
    resource: poolKeyArn,
    resourcePolicy: poolKeyPolicy,
    context: { 'kms:EncryptionContext:aws:s3:arn': poolObject(attacker) },
    expected: 'ImplicitlyDenied',
  });
  cases.push({
    name: `${attacker} decrypts with another bucket's object ARN`,
    tenant: attacker,
    action: 'kms:Decrypt',
    resource: poolKeyArn,
    resourcePolicy: poolKeyPolicy,
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::other-bucket/tenants/${attacker}/x` },
    expected: 'ExplicitlyDenied',
  });
  // Bucket configuration is never the tenant's.
  for (const action of ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:PutBucketVersioning', 's3:DeleteBucket']) {
    cases.push({
      name: `${attacker} ${action} on the pool bucket`,
      tenant: attacker,
      action,
      resource: poolBucketArn,
      resourcePolicy: poolBucketPolicy,
      expected: 'ExplicitlyDenied',
    });
  }
}

// The silo bucket and key: only globex's sessions, only under its prefix.
for (const attacker of POOL) {
  for (const key of [`tenants/${SILO}/x`, `tenants/${attacker}/x`]) {
    for (const action of OBJECT_ACTIONS) {
      cases.push({
        name: `${attacker} ${action} on silo object ${key}`,
        tenant: attacker,
        action,
        resource: `${siloBucketArn}/${key}`,
        resourcePolicy: siloBucketPolicy,
        expected: 'ExplicitlyDenied',
      });
    }
  }
  cases.push({
    name: `${attacker} lists the silo bucket`,
    tenant: attacker,
    action: 's3:ListBucket',
    resource: siloBucketArn,
    resourcePolicy: siloBucketPolicy,
    context: { 's3:prefix': `tenants/${SILO}/` },
    expected: 'ExplicitlyDenied',
  });
  cases.push({
    name: `${attacker} decrypts with the silo key`,
    tenant: attacker,
    action: 'kms:Decrypt',
    resource: siloKeyArn,
    resourcePolicy: siloKeyPolicy,
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': `${siloBucketArn}/tenants/${SILO}/x` },
    expected: 'ExplicitlyDenied',
  });
}
cases.push({
  name: `${SILO} reads outside its prefix in its own silo bucket`,
  tenant: SILO,
  action: 's3:GetObject',
  resource: `${siloBucketArn}/other/x`,
  resourcePolicy: siloBucketPolicy,
  expected: 'ImplicitlyDenied',
});
cases.push({
  name: `${SILO} lists the root of its own silo bucket`,
  tenant: SILO,
  action: 's3:ListBucket',
  resource: siloBucketArn,
  resourcePolicy: siloBucketPolicy,
  expected: 'ImplicitlyDenied',
});

// A session without the TenantId tag: nothing anywhere.
for (const [resource, resourcePolicy, action, context] of [
  [poolObject('acme'), poolBucketPolicy, 's3:GetObject', {}],
  [poolObject('acme'), poolBucketPolicy, 's3:PutObject', {}],
  [poolBucketArn, poolBucketPolicy, 's3:ListBucket', { 's3:prefix': 'tenants/acme/' }],
  [poolBucketArn, poolBucketPolicy, 's3:ListBucket', {}],
  [poolKeyArn, poolKeyPolicy, 'kms:Decrypt', { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': poolObject('acme') }],
  [`${siloBucketArn}/tenants/${SILO}/x`, siloBucketPolicy, 's3:GetObject', {}],
  [siloKeyArn, siloKeyPolicy, 'kms:Decrypt', { ...S3_VIA }],
] as Array<[string, PolicyDocument, string, Record<string, string>]>) {
  cases.push({
    name: `untagged session ${action} on ${resource} ${JSON.stringify(context)}`,
    tenant: undefined,
    action,
    resource,
    resourcePolicy,
    context,
    expected: 'ExplicitlyDenied',
  });
}

// Own access must work, or the denials above prove nothing.
const allowed: Case[] = [];
for (const tenant of POOL) {
  for (const action of OBJECT_ACTIONS) {
    allowed.push({
      name: `${tenant} ${action} own pool object`,
      tenant,
      action,
      resource: poolObject(tenant, 'deep/path/x.json'),
      resourcePolicy: poolBucketPolicy,
      expected: 'Allowed',
    });
  }
  allowed.push({
    name: `${tenant} lists own prefix`,
    tenant,
    action: 's3:ListBucket',
    resource: poolBucketArn,
    resourcePolicy: poolBucketPolicy,
    context: { 's3:prefix': `tenants/${tenant}/` },
    expected: 'Allowed',
  });
  allowed.push({
    name: `${tenant} decrypts own object via S3`,
    tenant,
    action: 'kms:Decrypt',
    resource: poolKeyArn,
    resourcePolicy: poolKeyPolicy,
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': poolObject(tenant) },
    expected: 'Allowed',
  });
  allowed.push({
    name: `${tenant} encrypts own new object via S3`,
    tenant,
    action: 'kms:GenerateDataKey',
    resource: poolKeyArn,
    resourcePolicy: poolKeyPolicy,
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': poolObject(tenant, 'new') },
    expected: 'Allowed',
  });
}
for (const action of OBJECT_ACTIONS) {
  allowed.push({
    name: `${SILO} ${action} own silo object`,
    tenant: SILO,
    action,
    resource: `${siloBucketArn}/tenants/${SILO}/x`,
    resourcePolicy: siloBucketPolicy,
    expected: 'Allowed',
  });
}
allowed.push({
  name: `${SILO} lists own silo prefix`,
  tenant: SILO,
  action: 's3:ListBucket',
  resource: siloBucketArn,
  resourcePolicy: siloBucketPolicy,
  context: { 's3:prefix': `tenants/${SILO}/a/` },
  expected: 'Allowed',
});
allowed.push({
  name: `${SILO} decrypts via S3 with the silo key`,
  tenant: SILO,
  action: 'kms:Decrypt',
  resource: siloKeyArn,
  resourcePolicy: siloKeyPolicy,
  context: { ...S3_VIA },
  expected: 'Allowed',
});

async function run(c: Case): Promise<Decision> {
  return evaluate({
    roleArn,
    tenant: c.tenant,
    action: c.action,
    resource: c.resource,
    identityPolicies: identity,
    resourcePolicy: c.resourcePolicy,
    context: c.context,
  });
}

describe('storage boundary: attacks are denied', () => {
  test(`the attack table is not trivially small (${cases.length} cases)`, () => {
    expect(cases.length).toBeGreaterThan(150);
  });
  test.each(cases)('$name -> $expected', async (c) => {
    expect(await run(c)).toBe(c.expected);
  });
});

describe('storage boundary: own access is allowed', () => {
  test.each(allowed)('$name', async (c) => {
    expect(await run(c)).toBe('Allowed');
  });
});

describe('TenantAccessRole trust policy', () => {
  const trust = platform.Resources[roleId].Properties!.AssumeRolePolicyDocument as PolicyDocument;
  const resolvedTrust = JSON.parse(JSON.stringify(trust).replace(/\{"Fn::GetAtt":\["([^"]+)","Arn"\]\}/g, (_m, id: string) => JSON.stringify(arnOf(platform, id))));
  const assume = (principal: string, action: string, context: Record<string, string | string[]>) =>
    evaluate({ roleArn: principal, action, resource: roleArn, identityPolicies: [], resourcePolicy: resolvedTrust, context });

  const tagged = (value: string, keys = ['TenantId']) => ({ 'aws:RequestTag/TenantId': value, 'aws:TagKeys': keys });

  test.each(['acme', 'acme-corp', 'globex'])('the broker may assume and tag the session with %s', async (tenant) => {
    expect(await assume(brokerArn, 'sts:AssumeRole', tagged(tenant))).toBe('Allowed');
    expect(await assume(brokerArn, 'sts:TagSession', tagged(tenant))).toBe('Allowed');
  });

  test.each([
    ['Acme', 'uppercase'],
    ['acme/x', 'a slash reaches into acme/ sub-prefixes'],
    ['acme.x', 'a dot reaches into tenant-acme. indexes'],
    ['acme:x', 'a colon reaches into tenant:acme: cache keys'],
    ['ac', 'too short'],
    ['a'.repeat(41), 'too long'],
    ['1acme', 'leading digit'],
    ['-acme', 'leading hyphen'],
    ['acme-', 'trailing hyphen'],
    ['acme--x', 'double hyphen'],
    ['default', 'reserved word'],
    ['acme corp', 'space'],
    ['', 'empty'],
  ])('a session tag %j (%s) is refused', async (value) => {
    expect(await assume(brokerArn, 'sts:TagSession', tagged(value))).toBe('ImplicitlyDenied');
  });

  test('assuming without the TenantId tag is refused', async () => {
    expect(await assume(brokerArn, 'sts:AssumeRole', {})).toBe('ImplicitlyDenied');
  });

  test('a second tag key is refused', async () => {
    expect(await assume(brokerArn, 'sts:TagSession', tagged('acme', ['TenantId', 'Admin']))).toBe('ImplicitlyDenied');
  });

  test('another principal of the account cannot assume it', async () => {
    const other = `arn:aws:iam::${TEST_ENV.account}:role/SomeOtherRole`;
    expect(await assume(other, 'sts:AssumeRole', tagged('acme'))).toBe('ImplicitlyDenied');
  });
});

describe('uploads cannot escape the tenant-bound key', () => {
  const put = (context: Record<string, string>) =>
    evaluate({ roleArn, tenant: 'acme', action: 's3:PutObject', resource: poolObject('acme'), identityPolicies: identity, resourcePolicy: poolBucketPolicy, context });

  test('an upload asking for SSE-S3 is denied', async () => {
    expect(await put({ 's3:x-amz-server-side-encryption': 'AES256' })).toBe('ExplicitlyDenied');
  });
  test('an upload naming another KMS key is denied', async () => {
    expect(
      await put({
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/other`,
      }),
    ).toBe('ExplicitlyDenied');
  });
  test('an upload naming the bucket key, or none (default encryption), is allowed', async () => {
    expect(await put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': poolKeyArn })).toBe('Allowed');
    expect(await put({})).toBe('Allowed');
  });
});
