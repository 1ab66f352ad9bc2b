/**
 * Attack tests for the analytics boundary on the synthesized policies (identity policies of
 * TenantAccessRole, the analytics bucket policy, the analytics key policy): a session of tenant A
 * against tenant B's partition, query results and workgroup; against its own partition (read
 * only) and workgroup configuration; against the error prefix, the stream and the integrity key;
 * a session without the tag; and the pipeline's own roles. Athena reads and writes S3 with the
 * caller's credentials (aws:CalledVia athena.amazonaws.com), so the S3 cases also model queries.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { testBlueprint } from '../../helpers/app';
import { arnOf, Decision, evaluate, identityPoliciesOf, keyPolicyOf, PolicyDocument, resourcePolicyFor } from '../../helpers/iam-attack';
import { logicalIdsOfType, resolve, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const POOL = ['acm', 'acme', 'acme-corp', 'globex-eu'];
const SILO = 'globex';
const TENANTS = [...POOL, SILO];
const { blueprint } = testBlueprint([...POOL, `${SILO}:silo`]);
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;

const roleIds = logicalIdsOfType(platform, 'AWS::IAM::Role');
const roleId = (prefix: string) => roleIds.find((id) => id.startsWith(prefix))!;
const tenantRoleArn = arnOf(platform, roleId('TenantAccessRole'));
const tenantIdentity = identityPoliciesOf(platform, roleId('TenantAccessRole'));

const bucketId = logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('AnalyticsBucket'))!;
const keyId = logicalIdsOfType(platform, 'AWS::KMS::Key').find((id) => id.startsWith('AnalyticsKey'))!;
const bucketArn = arnOf(platform, bucketId);
const bucketPolicy = resourcePolicyFor(platform, 'AWS::S3::BucketPolicy', 'Bucket', bucketId);
const keyPolicy = keyPolicyOf(platform, keyId);
const keyArn = arnOf(platform, keyId);
const poolBucketArn = arnOf(
  platform,
  logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('PoolStorageBucket'))!,
);
const poolBucketPolicy = resourcePolicyFor(
  platform,
  'AWS::S3::BucketPolicy',
  'Bucket',
  logicalIdsOfType(platform, 'AWS::S3::Bucket').find((id) => id.startsWith('PoolStorageBucket'))!,
);
const secretArn = resolve(platform, { Ref: logicalIdsOfType(platform, 'AWS::SecretsManager::Secret').find((id) => id.startsWith('AnalyticsIntegrityKey'))! }) as string;
const streamArn = `arn:aws:firehose:${TEST_ENV.region}:${TEST_ENV.account}:deliverystream/tib-tenant-analytics`;
const transformLogsArn = arnOf(
  platform,
  logicalIdsOfType(platform, 'AWS::Logs::LogGroup').find((id) => id.startsWith('AnalyticsTransformLogs'))!,
);
const deliveryLogsArn = arnOf(
  platform,
  logicalIdsOfType(platform, 'AWS::Logs::LogGroup').find((id) => id.startsWith('AnalyticsDeliveryLogs'))!,
);

const workgroup = (t: string) => `arn:aws:athena:${TEST_ENV.region}:${TEST_ENV.account}:workgroup/tenant-${t}-analytics`;
const partitionObject = (t: string) => `${bucketArn}/tenants/${t}/analytics/dt=2026-11-26/tib-tenant-analytics-1-2026-11-26-09-00-00-abc.gz`;
const resultObject = (t: string) => `${bucketArn}/tenants/${t}/athena-results/3f1c-query-id.csv`;
const errorObject = `${bucketArn}/analytics-errors/processing-failed/dt=2026-11-26/tib-tenant-analytics-1.gz`;
const S3_VIA = { 'kms:ViaService': `s3.${TEST_ENV.region}.amazonaws.com` };
const VIA_ATHENA = { 'aws:CalledVia': ['athena.amazonaws.com'] };

interface Case {
  name: string;
  principal?: 'tenant' | 'broker' | 'delivery' | 'transform';
  tenant?: string;
  action: string;
  resource: string;
  resourcePolicy?: PolicyDocument;
  context?: Record<string, string | string[]>;
  expected: Decision;
}

const attacks: Case[] = [];
for (const a of TENANTS) {
  for (const b of TENANTS.filter((t) => t !== a)) {
    attacks.push(
      {
        name: `${a} reads ${b}'s analytics partition`,
        tenant: a,
        action: 's3:GetObject',
        resource: partitionObject(b),
        resourcePolicy: bucketPolicy,
        expected: 'ExplicitlyDenied',
      },
      {
        name: `${a} reads ${b}'s partition through an Athena query`,
        tenant: a,
        action: 's3:GetObject',
        resource: partitionObject(b),
        resourcePolicy: bucketPolicy,
        context: VIA_ATHENA,
        expected: 'ExplicitlyDenied',
      },
      {
        name: `${a} lists ${b}'s partition`,
        tenant: a,
        action: 's3:ListBucket',
        resource: bucketArn,
        resourcePolicy: bucketPolicy,
        context: { 's3:prefix': `tenants/${b}/analytics/` },
        expected: 'ExplicitlyDenied',
      },
      {
        name: `${a} decrypts ${b}'s partition object`,
        tenant: a,
        action: 'kms:Decrypt',
        resource: keyArn,
        resourcePolicy: keyPolicy,
        context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': partitionObject(b) },
        expected: 'ExplicitlyDenied',
      },
      {
        name: `${a} writes into ${b}'s partition`,
        tenant: a,
        action: 's3:PutObject',
        resource: partitionObject(b),
        resourcePolicy: bucketPolicy,
        expected: 'ExplicitlyDenied',
      },
      {
        name: `${a} reads ${b}'s query results`,
        tenant: a,
        action: 's3:GetObject',
        resource: resultObject(b),
        resourcePolicy: bucketPolicy,
        expected: 'ExplicitlyDenied',
      },
      {
        name: `${a}'s query writes results into ${b}'s result location`,
        tenant: a,
        action: 's3:PutObject',
        resource: resultObject(b),
        resourcePolicy: bucketPolicy,
        context: VIA_ATHENA,
        expected: 'ExplicitlyDenied',
      },
      {
        name: `${a} encrypts a result in ${b}'s result location`,
        tenant: a,
        action: 'kms:GenerateDataKey',
        resource: keyArn,
        resourcePolicy: keyPolicy,
        context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': resultObject(b) },
        expected: 'ExplicitlyDenied',
      },
    );
    for (const action of ['athena:StartQueryExecution', 'athena:GetQueryResults', 'athena:GetQueryExecution', 'athena:ListQueryExecutions', 'athena:GetWorkGroup']) {
      attacks.push({ name: `${a} ${action} in ${b}'s workgroup`, tenant: a, action, resource: workgroup(b), expected: 'ExplicitlyDenied' });
    }
  }
  // Its own partition is the pipeline's record: read-only for the tenant.
  for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectTagging', 's3:PutObjectAcl']) {
    attacks.push({
      name: `${a} ${action} in its own partition`,
      tenant: a,
      action,
      resource: partitionObject(a),
      resourcePolicy: bucketPolicy,
      expected: 'ExplicitlyDenied',
    });
  }
  // Its own workgroup's enforced configuration (result location, encryption) cannot be changed.
  for (const action of ['athena:UpdateWorkGroup', 'athena:DeleteWorkGroup', 'athena:TagResource']) {
    attacks.push({ name: `${a} ${action} on its own workgroup`, tenant: a, action, resource: workgroup(a), expected: 'ExplicitlyDenied' });
  }
  attacks.push(
    {
      name: `${a} creates a workgroup of its own choosing`,
      tenant: a,
      action: 'athena:CreateWorkGroup',
      resource: `arn:aws:athena:${TEST_ENV.region}:${TEST_ENV.account}:workgroup/${a}-free`,
      expected: 'ExplicitlyDenied',
    },
    {
      name: `${a} queries in the shared primary workgroup`,
      tenant: a,
      action: 'athena:StartQueryExecution',
      resource: workgroup('x').replace('tenant-x-analytics', 'primary'),
      expected: 'ExplicitlyDenied',
    },
    {
      name: `${a} queries in a workgroup named like its own without the delimiter`,
      tenant: a,
      action: 'athena:StartQueryExecution',
      resource: workgroup(`${a}-analytics`),
      expected: 'ExplicitlyDenied',
    },
    { name: `${a} reads the error prefix`, tenant: a, action: 's3:GetObject', resource: errorObject, resourcePolicy: bucketPolicy, expected: 'ExplicitlyDenied' },
    {
      name: `${a} lists the error prefix`,
      tenant: a,
      action: 's3:ListBucket',
      resource: bucketArn,
      resourcePolicy: bucketPolicy,
      context: { 's3:prefix': 'analytics-errors/' },
      expected: 'ExplicitlyDenied',
    },
    {
      name: `${a} lists the bucket root`,
      tenant: a,
      action: 's3:ListBucket',
      resource: bucketArn,
      resourcePolicy: bucketPolicy,
      context: {},
      expected: 'ExplicitlyDenied',
    },
    {
      name: `${a} lists tenants/ (every tenant)`,
      tenant: a,
      action: 's3:ListBucket',
      resource: bucketArn,
      resourcePolicy: bucketPolicy,
      context: { 's3:prefix': 'tenants/' },
      expected: 'ExplicitlyDenied',
    },
    {
      name: `${a} lists its prefix without the delimiter (reaches ${a}-*)`,
      tenant: a,
      action: 's3:ListBucket',
      resource: bucketArn,
      resourcePolicy: bucketPolicy,
      context: { 's3:prefix': `tenants/${a}` },
      expected: 'ExplicitlyDenied',
    },
    { name: `${a} changes the bucket policy`, tenant: a, action: 's3:PutBucketPolicy', resource: bucketArn, resourcePolicy: bucketPolicy, expected: 'ExplicitlyDenied' },
    { name: `${a} puts a record into the stream directly`, tenant: a, action: 'firehose:PutRecord', resource: streamArn, expected: 'ExplicitlyDenied' },
    { name: `${a} puts a record batch into the stream directly`, tenant: a, action: 'firehose:PutRecordBatch', resource: streamArn, expected: 'ExplicitlyDenied' },
    { name: `${a} reads the integrity key`, tenant: a, action: 'secretsmanager:GetSecretValue', resource: secretArn, expected: 'ExplicitlyDenied' },
    {
      name: `${a} decrypts the integrity key via Secrets Manager`,
      tenant: a,
      action: 'kms:Decrypt',
      resource: keyArn,
      resourcePolicy: keyPolicy,
      context: { 'kms:ViaService': `secretsmanager.${TEST_ENV.region}.amazonaws.com` },
      expected: 'ExplicitlyDenied',
    },
    { name: `${a} reads the transformation logs`, tenant: a, action: 'logs:FilterLogEvents', resource: transformLogsArn, expected: 'ImplicitlyDenied' },
    { name: `${a} reads the delivery logs`, tenant: a, action: 'logs:StartQuery', resource: deliveryLogsArn, expected: 'ImplicitlyDenied' },
  );
}
// A session without the TenantId tag: nothing.
for (const [action, resource, resourcePolicy, context] of [
  ['s3:GetObject', partitionObject('acme'), bucketPolicy, {}],
  ['s3:ListBucket', bucketArn, bucketPolicy, { 's3:prefix': 'tenants/acme/analytics/' }],
  ['s3:PutObject', resultObject('acme'), bucketPolicy, VIA_ATHENA],
  ['kms:Decrypt', keyArn, keyPolicy, { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': partitionObject('acme') }],
  ['athena:StartQueryExecution', workgroup('acme'), undefined, {}],
  ['athena:GetQueryResults', workgroup('acme'), undefined, {}],
  ['glue:GetTable', `arn:aws:glue:${TEST_ENV.region}:${TEST_ENV.account}:table/tib_analytics/events`, undefined, {}],
] as Array<[string, string, PolicyDocument | undefined, Record<string, string | string[]>]>) {
  attacks.push({ name: `untagged session ${action} on ${resource}`, tenant: undefined, action, resource, resourcePolicy, context, expected: 'ExplicitlyDenied' });
}
// The pipeline's other principals cannot plant records or touch tenant documents.
attacks.push(
  {
    name: 'the broker writes straight into a partition (bypassing the stream)',
    principal: 'broker',
    action: 's3:PutObject',
    resource: partitionObject('acme'),
    resourcePolicy: bucketPolicy,
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'the transformation writes into a partition',
    principal: 'transform',
    action: 's3:PutObject',
    resource: partitionObject('acme'),
    resourcePolicy: bucketPolicy,
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'the delivery role writes outside partitions and errors',
    principal: 'delivery',
    action: 's3:PutObject',
    resource: `${bucketArn}/tenants/acme/athena-results/x.csv`,
    resourcePolicy: bucketPolicy,
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'the delivery role writes into tenant documents (pool bucket)',
    principal: 'delivery',
    action: 's3:PutObject',
    resource: `${poolBucketArn}/tenants/acme/report.csv`,
    resourcePolicy: poolBucketPolicy,
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'the delivery role reads tenant documents (pool bucket)',
    principal: 'delivery',
    action: 's3:GetObject',
    resource: `${poolBucketArn}/tenants/acme/report.csv`,
    resourcePolicy: poolBucketPolicy,
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'the delivery role reads the integrity key',
    principal: 'delivery',
    action: 'secretsmanager:GetSecretValue',
    resource: secretArn,
    expected: 'ImplicitlyDenied',
  },
);

const allowed: Case[] = [];
for (const t of TENANTS) {
  allowed.push(
    {
      name: `${t} reads its own partition through Athena`,
      tenant: t,
      action: 's3:GetObject',
      resource: partitionObject(t),
      resourcePolicy: bucketPolicy,
      context: VIA_ATHENA,
      expected: 'Allowed',
    },
    {
      name: `${t} lists its own partition`,
      tenant: t,
      action: 's3:ListBucket',
      resource: bucketArn,
      resourcePolicy: bucketPolicy,
      context: { 's3:prefix': `tenants/${t}/analytics/` },
      expected: 'Allowed',
    },
    {
      name: `${t} decrypts its own partition object via S3`,
      tenant: t,
      action: 'kms:Decrypt',
      resource: keyArn,
      resourcePolicy: keyPolicy,
      context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': partitionObject(t) },
      expected: 'Allowed',
    },
    {
      name: `${t}'s query writes its own results`,
      tenant: t,
      action: 's3:PutObject',
      resource: resultObject(t),
      resourcePolicy: bucketPolicy,
      context: VIA_ATHENA,
      expected: 'Allowed',
    },
    {
      name: `${t} encrypts its own results via S3`,
      tenant: t,
      action: 'kms:GenerateDataKey',
      resource: keyArn,
      resourcePolicy: keyPolicy,
      context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': resultObject(t) },
      expected: 'Allowed',
    },
    { name: `${t} reads its own results`, tenant: t, action: 's3:GetObject', resource: resultObject(t), resourcePolicy: bucketPolicy, expected: 'Allowed' },
    { name: `${t} starts a query in its own workgroup`, tenant: t, action: 'athena:StartQueryExecution', resource: workgroup(t), expected: 'Allowed' },
    { name: `${t} fetches results in its own workgroup`, tenant: t, action: 'athena:GetQueryResults', resource: workgroup(t), expected: 'Allowed' },
    {
      name: `${t} reads the table schema`,
      tenant: t,
      action: 'glue:GetTable',
      resource: `arn:aws:glue:${TEST_ENV.region}:${TEST_ENV.account}:table/tib_analytics/events`,
      expected: 'Allowed',
    },
    {
      name: `${t} reads the catalog through Athena`,
      tenant: t,
      action: 'athena:GetTableMetadata',
      resource: `arn:aws:athena:${TEST_ENV.region}:${TEST_ENV.account}:datacatalog/AwsDataCatalog`,
      expected: 'Allowed',
    },
  );
}
allowed.push(
  { name: 'the broker puts records', principal: 'broker', action: 'firehose:PutRecordBatch', resource: streamArn, expected: 'Allowed' },
  { name: 'the broker reads the integrity key', principal: 'broker', action: 'secretsmanager:GetSecretValue', resource: secretArn, expected: 'Allowed' },
  { name: 'the transformation reads the integrity key', principal: 'transform', action: 'secretsmanager:GetSecretValue', resource: secretArn, expected: 'Allowed' },
  {
    name: 'the delivery role writes a tenant partition',
    principal: 'delivery',
    action: 's3:PutObject',
    resource: partitionObject('acme-corp'),
    resourcePolicy: bucketPolicy,
    expected: 'Allowed',
  },
  {
    name: 'the delivery role writes the error prefix',
    principal: 'delivery',
    action: 's3:PutObject',
    resource: errorObject,
    resourcePolicy: bucketPolicy,
    expected: 'Allowed',
  },
  {
    name: 'the delivery role encrypts a partition object via S3',
    principal: 'delivery',
    action: 'kms:GenerateDataKey',
    resource: keyArn,
    resourcePolicy: keyPolicy,
    context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': partitionObject('acme') },
    expected: 'Allowed',
  },
);

const principals = {
  broker: roleId('DemoBrokerRole'),
  delivery: roleId('AnalyticsDeliveryRole'),
  transform: roleId('AnalyticsTransformRole'),
};

async function run(c: Case): Promise<Decision> {
  if (c.principal && c.principal !== 'tenant') {
    const id = principals[c.principal];
    return evaluate({
      roleArn: arnOf(platform, id),
      action: c.action,
      resource: c.resource,
      identityPolicies: identityPoliciesOf(platform, id),
      resourcePolicy: c.resourcePolicy,
      context: c.context,
    });
  }
  return evaluate({
    roleArn: tenantRoleArn,
    tenant: c.tenant,
    action: c.action,
    resource: c.resource,
    identityPolicies: tenantIdentity,
    resourcePolicy: c.resourcePolicy,
    context: c.context,
  });
}

describe('analytics boundary: attacks are denied', () => {
  test(`the attack table is not trivially small (${attacks.length} cases)`, () => {
    expect(attacks.length).toBeGreaterThan(300);
  });
  test.each(attacks)('$name -> $expected', async (c) => {
    expect(await run(c)).toBe(c.expected);
  });
});

describe('analytics boundary: legitimate access is allowed', () => {
  test.each(allowed)('$name', async (c) => {
    expect(await run(c)).toBe('Allowed');
  });
});
