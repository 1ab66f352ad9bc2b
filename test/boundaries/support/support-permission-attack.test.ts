/**
 * Attack tests on what a support session may do once assumed: a SupportAccessRole session tagged
 * with tenant A against tenant B's objects, listings, keys and queues; writes, deletes, key and
 * policy changes on its OWN tenant's data; sessions missing a tag, the source identity, or with
 * a malformed ticket. Evaluated on the synthesized identity, bucket and key policies with
 * iam-simulate (test/helpers/iam-attack.ts). Tenants share leading letters (acm, acme, acme-corp).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { testBlueprint } from '../../helpers/app';
import { arnOf, Decision, evaluate, identityPoliciesOf, keyPolicyOf, PolicyDocument, resourcePolicyFor } from '../../helpers/iam-attack';
import { logicalIdsOfType, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const POOL = ['acm', 'acme', 'acme-corp'];
const SILO = 'globex';
const { blueprint } = testBlueprint([...POOL, `${SILO}:silo`]);
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const silo = Template.fromStack(blueprint.tenants.find((t) => t.tenant.id.value === SILO)!).toJSON() as TemplateJson;

const roleNamed = (name: string) => logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => platform.Resources[id].Properties?.RoleName === name)!;
const supportId = roleNamed('tib-SupportAccessRole');
const supportArn = arnOf(platform, supportId);
const identity = identityPoliciesOf(platform, supportId);

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
const CTX = 'kms:EncryptionContext:aws:s3:arn';
const poolObject = (owner: string, key = 'ticket-evidence.json') => `${poolBucketArn}/tenants/${owner}/${key}`;
const siloObject = (owner: string) => `${siloBucketArn}/tenants/${owner}/x`;
const queueArn = (name: string) => `arn:aws:sqs:${TEST_ENV.region}:${TEST_ENV.account}:${name}`;
const NO_POLICY: PolicyDocument = { Statement: [] };

interface Session {
  tenant?: string;
  ticket?: string;
  sourceIdentity?: string;
}
const session = (tenant: string): Session => ({ tenant, ticket: 'SUP-4711', sourceIdentity: 'bob' });

interface Case {
  name: string;
  session: Session;
  action: string;
  resource: string;
  resourcePolicy: PolicyDocument;
  context?: Record<string, string>;
  expected: Decision;
}

async function run(c: Case): Promise<Decision> {
  return evaluate({
    roleArn: supportArn,
    tenant: c.session.tenant,
    action: c.action,
    resource: c.resource,
    identityPolicies: identity,
    resourcePolicy: c.resourcePolicy.Statement.length > 0 ? c.resourcePolicy : undefined,
    context: {
      ...(c.session.ticket !== undefined ? { 'aws:PrincipalTag/SupportTicket': c.session.ticket } : {}),
      ...(c.session.sourceIdentity !== undefined ? { 'aws:SourceIdentity': c.session.sourceIdentity } : {}),
      ...(c.context ?? {}),
    },
  });
}

const cases: Case[] = [];
// Tenant A against tenant B.
for (const attacker of [...POOL, SILO]) {
  const s = session(attacker);
  for (const victim of POOL.filter((v) => v !== attacker)) {
    for (const action of ['s3:GetObject', 's3:GetObjectVersion']) {
      cases.push({
        name: `${attacker} ${action} on ${victim}'s pool object`,
        session: s,
        action,
        resource: poolObject(victim),
        resourcePolicy: poolBucketPolicy,
        expected: 'ExplicitlyDenied',
      });
    }
    for (const action of ['s3:ListBucket', 's3:ListBucketVersions']) {
      cases.push({
        name: `${attacker} ${action} ${victim}'s prefix`,
        session: s,
        action,
        resource: poolBucketArn,
        resourcePolicy: poolBucketPolicy,
        context: { 's3:prefix': `tenants/${victim}/` },
        expected: 'ExplicitlyDenied',
      });
    }
    cases.push({
      name: `${attacker} decrypts ${victim}'s pool object via S3`,
      session: s,
      action: 'kms:Decrypt',
      resource: poolKeyArn,
      resourcePolicy: poolKeyPolicy,
      context: { ...S3_VIA, [CTX]: poolObject(victim) },
      expected: 'ExplicitlyDenied',
    });
    for (const action of ['sqs:GetQueueAttributes', 'sqs:ListQueueTags']) {
      cases.push({
        name: `${attacker} ${action} on ${victim}'s queue`,
        session: s,
        action,
        resource: queueArn(`tenant-${victim}-jobs`),
        resourcePolicy: NO_POLICY,
        context: { 'aws:ResourceTag/TenantId': victim },
        expected: 'ExplicitlyDenied',
      });
    }
  }
  for (const prefix of [undefined, '', 'tenants/', `tenants/${attacker.slice(0, 3)}`, `tenants/${attacker}`]) {
    cases.push({
      name: `${attacker} lists the pool bucket with prefix ${JSON.stringify(prefix)}`,
      session: s,
      action: 's3:ListBucket',
      resource: poolBucketArn,
      resourcePolicy: poolBucketPolicy,
      context: prefix === undefined ? {} : { 's3:prefix': prefix },
      expected: 'ExplicitlyDenied',
    });
  }
  cases.push({
    name: `${attacker} decrypts directly (not via S3) with its own context`,
    session: s,
    action: 'kms:Decrypt',
    resource: poolKeyArn,
    resourcePolicy: poolKeyPolicy,
    context: { [CTX]: poolObject(attacker) },
    expected: 'ExplicitlyDenied',
  });
  cases.push({
    name: `${attacker} reads a queue without a TenantId tag`,
    session: s,
    action: 'sqs:GetQueueAttributes',
    resource: queueArn('shared-jobs'),
    resourcePolicy: NO_POLICY,
    expected: 'ExplicitlyDenied',
  });
}
for (const attacker of POOL) {
  const s = session(attacker);
  for (const [action, resource, policy, context] of [
    ['s3:GetObject', siloObject(SILO), siloBucketPolicy, {}],
    ['s3:GetObject', siloObject(attacker), siloBucketPolicy, {}],
    ['s3:ListBucket', siloBucketArn, siloBucketPolicy, { 's3:prefix': `tenants/${SILO}/` }],
    ['kms:Decrypt', siloKeyArn, siloKeyPolicy, { ...S3_VIA }],
  ] as Array<[string, string, PolicyDocument, Record<string, string>]>) {
    cases.push({
      name: `${attacker} ${action} on ${SILO}'s silo ${resource.includes(':kms:') ? 'key' : resource}`,
      session: s,
      action,
      resource,
      resourcePolicy: policy,
      context,
      expected: 'ExplicitlyDenied',
    });
  }
}

// Writes, deletes, key administration and policy changes on the session's OWN tenant's data.
for (const tenant of ['acme', SILO]) {
  const s = session(tenant);
  const isSilo = tenant === SILO;
  const object = isSilo ? siloObject(SILO) : poolObject(tenant);
  const bucket = isSilo ? siloBucketArn : poolBucketArn;
  const bucketPolicy = isSilo ? siloBucketPolicy : poolBucketPolicy;
  const key = isSilo ? siloKeyArn : poolKeyArn;
  const keyPolicy = isSilo ? siloKeyPolicy : poolKeyPolicy;
  for (const action of [
    's3:PutObject',
    's3:DeleteObject',
    's3:DeleteObjectVersion',
    's3:PutObjectAcl',
    's3:PutObjectTagging',
    's3:RestoreObject',
    's3:AbortMultipartUpload',
    's3:PutObjectRetention',
  ]) {
    cases.push({ name: `${tenant} ${action} on its own object`, session: s, action, resource: object, resourcePolicy: bucketPolicy, expected: 'ExplicitlyDenied' });
  }
  for (const action of [
    's3:PutBucketPolicy',
    's3:DeleteBucketPolicy',
    's3:DeleteBucket',
    's3:PutBucketVersioning',
    's3:PutEncryptionConfiguration',
    's3:PutLifecycleConfiguration',
  ]) {
    cases.push({ name: `${tenant} ${action} on its bucket`, session: s, action, resource: bucket, resourcePolicy: bucketPolicy, expected: 'ExplicitlyDenied' });
  }
  for (const action of ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:CreateGrant']) {
    cases.push({
      name: `${tenant} ${action} on its key`,
      session: s,
      action,
      resource: key,
      resourcePolicy: keyPolicy,
      context: { ...S3_VIA, [CTX]: object },
      expected: 'ExplicitlyDenied',
    });
  }
}
const ownQueue = { 'aws:ResourceTag/TenantId': 'acme' };
for (const [action, resource, context] of [
  ['sqs:SendMessage', queueArn('tenant-acme-jobs'), ownQueue],
  ['sqs:ReceiveMessage', queueArn('tenant-acme-jobs'), ownQueue],
  ['sqs:DeleteMessage', queueArn('tenant-acme-jobs'), ownQueue],
  ['sqs:PurgeQueue', queueArn('tenant-acme-jobs'), ownQueue],
  ['sqs:SetQueueAttributes', queueArn('tenant-acme-jobs'), ownQueue],
  ['sqs:ListQueues', '*', {}],
  ['iam:PutRolePolicy', supportArn, {}],
  ['iam:AttachRolePolicy', supportArn, {}],
  ['iam:UpdateAssumeRolePolicy', supportArn, {}],
  ['sts:AssumeRole', `arn:aws:iam::${TEST_ENV.account}:role/tenant-isolation/tib-TenantAccessRole`, {}],
  ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${TEST_ENV.region}:${TEST_ENV.account}:secret:tib/cache/acme-AbCdEf`, {}],
  ['elasticache:Connect', `arn:aws:elasticache:${TEST_ENV.region}:${TEST_ENV.account}:user:tenant-acme`, {}],
  ['rds-data:ExecuteStatement', `arn:aws:rds:${TEST_ENV.region}:${TEST_ENV.account}:cluster:tib-db`, {}],
  ['es:ESHttpGet', `arn:aws:es:${TEST_ENV.region}:${TEST_ENV.account}:domain/tib-search/tenant-acme.docs/_search`, {}],
  ['cloudtrail:StopLogging', `arn:aws:cloudtrail:${TEST_ENV.region}:${TEST_ENV.account}:trail/tib-audit-trail`, {}],
  ['events:DisableRule', `arn:aws:events:${TEST_ENV.region}:${TEST_ENV.account}:rule/any`, {}],
] as Array<[string, string, Record<string, string>]>) {
  cases.push({ name: `acme session: ${action}`, session: session('acme'), action, resource, resourcePolicy: NO_POLICY, context, expected: 'ExplicitlyDenied' });
}

// Sessions missing what the trust policy requires (a policy added later could drop a trust condition).
for (const [what, s] of [
  ['without the TenantId tag', { ticket: 'SUP-4711', sourceIdentity: 'bob' }],
  ['without the SupportTicket tag', { tenant: 'acme', sourceIdentity: 'bob' }],
  ['without a source identity', { tenant: 'acme', ticket: 'SUP-4711' }],
  ['with ticket SUP-12a (letter in the number)', { tenant: 'acme', ticket: 'SUP-12a', sourceIdentity: 'bob' }],
  ['with ticket SUP-4S (letter of the prefix)', { tenant: 'acme', ticket: 'SUP-4S', sourceIdentity: 'bob' }],
  ['with ticket SUP-x1', { tenant: 'acme', ticket: 'SUP-x1', sourceIdentity: 'bob' }],
] as Array<[string, Session]>) {
  cases.push({
    name: `a session ${what} reads its object`,
    session: s,
    action: 's3:GetObject',
    resource: poolObject('acme'),
    resourcePolicy: poolBucketPolicy,
    expected: 'ExplicitlyDenied',
  });
  cases.push({
    name: `a session ${what} lists its prefix`,
    session: s,
    action: 's3:ListBucket',
    resource: poolBucketArn,
    resourcePolicy: poolBucketPolicy,
    context: { 's3:prefix': 'tenants/acme/' },
    expected: 'ExplicitlyDenied',
  });
  cases.push({
    name: `a session ${what} decrypts via S3`,
    session: s,
    action: 'kms:Decrypt',
    resource: poolKeyArn,
    resourcePolicy: poolKeyPolicy,
    context: { ...S3_VIA, [CTX]: poolObject('acme') },
    expected: 'ExplicitlyDenied',
  });
}

// The intended reads work, or the denials above prove nothing.
const allowed: Case[] = [];
for (const tenant of POOL) {
  const s = session(tenant);
  for (const action of ['s3:GetObject', 's3:GetObjectVersion']) {
    allowed.push({
      name: `${tenant} ${action} own pool object`,
      session: s,
      action,
      resource: poolObject(tenant, 'deep/x.json'),
      resourcePolicy: poolBucketPolicy,
      expected: 'Allowed',
    });
  }
  for (const action of ['s3:ListBucket', 's3:ListBucketVersions']) {
    allowed.push({
      name: `${tenant} ${action} own prefix`,
      session: s,
      action,
      resource: poolBucketArn,
      resourcePolicy: poolBucketPolicy,
      context: { 's3:prefix': `tenants/${tenant}/` },
      expected: 'Allowed',
    });
  }
  allowed.push({
    name: `${tenant} decrypts own pool object via S3`,
    session: s,
    action: 'kms:Decrypt',
    resource: poolKeyArn,
    resourcePolicy: poolKeyPolicy,
    context: { ...S3_VIA, [CTX]: poolObject(tenant) },
    expected: 'Allowed',
  });
  allowed.push({
    name: `${tenant} reads own queue's attributes`,
    session: s,
    action: 'sqs:GetQueueAttributes',
    resource: queueArn(`tenant-${tenant}-jobs`),
    resourcePolicy: NO_POLICY,
    context: { 'aws:ResourceTag/TenantId': tenant },
    expected: 'Allowed',
  });
}
allowed.push({
  name: `${SILO} reads own silo object`,
  session: session(SILO),
  action: 's3:GetObject',
  resource: siloObject(SILO),
  resourcePolicy: siloBucketPolicy,
  expected: 'Allowed',
});
allowed.push({
  name: `${SILO} lists own silo prefix`,
  session: session(SILO),
  action: 's3:ListBucket',
  resource: siloBucketArn,
  resourcePolicy: siloBucketPolicy,
  context: { 's3:prefix': `tenants/${SILO}/` },
  expected: 'Allowed',
});
allowed.push({
  name: `${SILO} decrypts via S3 with the silo key`,
  session: session(SILO),
  action: 'kms:Decrypt',
  resource: siloKeyArn,
  resourcePolicy: siloKeyPolicy,
  context: { ...S3_VIA },
  expected: 'Allowed',
});

describe('SupportAccessRole sessions: attacks are denied', () => {
  test(`the attack table is not trivially small (${cases.length} cases)`, () => {
    expect(cases.length).toBeGreaterThan(120);
  });
  test.each(cases)('$name -> $expected', async (c) => {
    expect(await run(c)).toBe(c.expected);
  });
});

describe('SupportAccessRole sessions: reads of the own tenant are allowed', () => {
  test.each(allowed)('$name', async (c) => {
    expect(await run(c)).toBe('Allowed');
  });
});

describe('BreakGlassRole sessions: cross-tenant read, never write', () => {
  const id = roleNamed('tib-BreakGlassRole');
  const arn = arnOf(platform, id);
  const policies = identityPoliciesOf(platform, id);
  const bg = (action: string, resource: string, resourcePolicy: PolicyDocument | undefined, context: Record<string, string> = {}, ticket = 'SUP-99') =>
    evaluate({
      roleArn: arn,
      action,
      resource,
      identityPolicies: policies,
      resourcePolicy,
      context: { 'aws:PrincipalTag/SupportTicket': ticket, 'aws:SourceIdentity': 'carol', ...context },
    });

  test.each(POOL)("reads %s's pool object and decrypts it via S3", async (t) => {
    expect(await bg('s3:GetObject', poolObject(t), poolBucketPolicy)).toBe('Allowed');
    expect(await bg('kms:Decrypt', poolKeyArn, poolKeyPolicy, { ...S3_VIA, [CTX]: poolObject(t) })).toBe('Allowed');
  });
  test.each(['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'])('%s on a tenant object is denied', async (action) => {
    expect(await bg(action, poolObject('acme'), poolBucketPolicy)).toBe('ExplicitlyDenied');
  });
  test.each([
    ['kms:ScheduleKeyDeletion', poolKeyArn],
    ['iam:PutRolePolicy', arn],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${TEST_ENV.region}:${TEST_ENV.account}:secret:x-AbCdEf`],
  ])('%s is denied', async (action, resource) => {
    expect(await bg(action, resource, undefined)).toBe('ExplicitlyDenied');
  });
  test('listing outside tenants/ and decrypting outside S3 are not allowed', async () => {
    expect(await bg('s3:ListBucket', poolBucketArn, poolBucketPolicy, { 's3:prefix': '' })).toBe('ImplicitlyDenied');
    expect(await bg('kms:Decrypt', poolKeyArn, poolKeyPolicy, { [CTX]: poolObject('acme') })).toBe('ImplicitlyDenied');
  });
  test('a session without a source identity, or with a ticket that has a letter, can do nothing', async () => {
    expect(
      await evaluate({
        roleArn: arn,
        action: 's3:GetObject',
        resource: poolObject('acme'),
        identityPolicies: policies,
        resourcePolicy: poolBucketPolicy,
        context: { 'aws:PrincipalTag/SupportTicket': 'SUP-99' },
      }),
    ).toBe('ExplicitlyDenied');
    expect(await bg('s3:GetObject', poolObject('acme'), poolBucketPolicy, {}, 'SUP-9x')).toBe('ExplicitlyDenied');
  });

  const approverPolicyId = logicalIdsOfType(platform, 'AWS::IAM::ManagedPolicy').find((i) => i.startsWith('SupportBreakGlassApproverPolicy'))!;
  const approverUserId = logicalIdsOfType(platform, 'AWS::IAM::User').find((i) => i.startsWith('SupportDemoBreakGlassApprover'))!;
  const requesterUserId = logicalIdsOfType(platform, 'AWS::IAM::User').find((i) => i.startsWith('SupportDemoBreakGlassRequester'))!;
  test('the approver may tag a requester with the approval, and nothing else', async () => {
    const { resolve } = await import('../../helpers/template-resolver');
    const doc = resolve(platform, platform.Resources[approverPolicyId].Properties!.PolicyDocument) as PolicyDocument;
    const approverArn = arnOf(platform, approverUserId);
    const requesterArn = arnOf(platform, requesterUserId);
    const tag = (resource: string, keys: string[]) =>
      evaluate({
        roleArn: approverArn,
        action: 'iam:TagUser',
        resource,
        identityPolicies: [doc],
        context: { 'aws:username': approverUserId, 'aws:TagKeys': keys, 'aws:RequestTag/BreakGlassApprovedTicket': 'SUP-99' },
      });
    expect(await tag(requesterArn, ['BreakGlassApprovedTicket'])).toBe('Allowed');
    expect(await tag(requesterArn, ['BreakGlassApprovedTicket', 'Admin'])).toBe('ImplicitlyDenied');
    expect(await tag(approverArn, ['BreakGlassApprovedTicket'])).toBe('ExplicitlyDenied');
    expect(await tag(`arn:aws:iam::${TEST_ENV.account}:user/someone-else`, ['BreakGlassApprovedTicket'])).toBe('ImplicitlyDenied');
  });
});
