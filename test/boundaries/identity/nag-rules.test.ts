/**
 * TI-IAM1..4: compliant, non-compliant and error cases, each on the smallest stack that shows it.
 * The fail-open semantics TI-IAM3 relies on are checked against the iam-simulate oracle below.
 */
import { CfnCondition, CfnParameter, Fn, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FailOpenTenantCondition, TagSessionTrust, TenantDataGrantScope, TenantPatternDelimiter } from '../../../lib/nag';
import { PRINCIPAL_TENANT } from '../../../lib/core/namespace';
import { evaluate } from '../../helpers/iam-attack';
import { TEST_ENV } from '../../helpers/template-resolver';
import { describeRule } from '../../nag/support';

const BUCKET = 'arn:aws:s3:::pool';
const QUEUE = 'arn:aws:sqs:eu-west-1:111111111111';

/** One managed policy with the given statements: the smallest identity policy. */
const policy =
  (...statements: iam.PolicyStatement[]) =>
  (stack: Stack) => {
    new iam.ManagedPolicy(stack, 'Policy', { statements });
  };
const allow = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
  new iam.PolicyStatement({ sid, actions, resources, conditions });
const deny = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
  new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, actions, resources, conditions });
const param = (stack: Stack, id = 'Value') => new CfnParameter(stack, id).valueAsString;

describeRule(TenantDataGrantScope, [
  {
    name: 'Compliance 1: object ARN with the session-tag variable and delimiter',
    build: policy(allow('Own', ['s3:GetObject'], [`${BUCKET}/tenants/${PRINCIPAL_TENANT}/*`])),
    expected: [],
  },
  {
    name: 'Compliance 2: ListBucket bound by an s3:prefix under the tenant prefix',
    build: policy(allow('List', ['s3:ListBucket'], [BUCKET], { StringLike: { 's3:prefix': `tenants/${PRINCIPAL_TENANT}/*` } })),
    expected: [],
  },
  { name: 'Compliance 3: literal tenant namespace', build: policy(allow('Acme', ['s3:GetObject'], [`${BUCKET}/tenants/acme/*`])), expected: [] },
  {
    name: 'Compliance 4: aws:ResourceTag/TenantId bound to the principal tag',
    build: policy(allow('Tagged', ['sqs:SendMessage'], ['*'], { StringEquals: { 'aws:ResourceTag/TenantId': PRINCIPAL_TENANT } })),
    expected: [],
  },
  { name: 'Compliance 5: exact per-tenant queue name', build: policy(allow('Jobs', ['sqs:SendMessage'], [`${QUEUE}:tenant-acme-jobs`])), expected: [] },
  {
    name: 'Compliance 6: reference to a TenantId-tagged resource',
    build: (stack) => {
      const q = new sqs.Queue(stack, 'Queue');
      Tags.of(q).add('TenantId', 'acme');
      policy(allow('OwnQueue', ['sqs:SendMessage'], [q.queueArn]))(stack);
    },
    expected: [],
  },
  {
    name: 'Compliance 7: Deny and non-data actions are not grants',
    build: policy(deny('D', ['s3:*'], ['*']), allow('Logs', ['logs:PutLogEvents'], ['*'])),
    expected: [],
  },
  { name: 'Compliance 8: key policy that delegates to the account root', build: (stack) => void new kms.Key(stack, 'Key'), expected: [] },
  {
    name: 'Compliance 9: one named secret (not the tenant secrets)',
    build: policy(allow('Db', ['secretsmanager:GetSecretValue'], ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-admin-AbCdEf'])),
    expected: [],
  },
  {
    name: 'Compliance 10: literal tenant in aws:PrincipalTag/TenantId',
    build: policy(allow('Silo', ['s3:GetObject'], [`${BUCKET}/*`], { StringEquals: { 'aws:PrincipalTag/TenantId': 'acme' } })),
    expected: [],
  },
  { name: 'Noncompliance 1: every object of the bucket', build: policy(allow('AllObjects', ['s3:GetObject'], [`${BUCKET}/*`])), expected: ['[AllObjects]'] },
  { name: 'Noncompliance 2: tenants/* without an id', build: policy(allow('AllTenants', ['s3:PutObject'], [`${BUCKET}/tenants/*`])), expected: ['[AllTenants]'] },
  {
    name: 'Noncompliance 3: OpenSearch every index',
    build: policy(allow('Search', ['es:ESHttp*'], ['arn:aws:es:eu-west-1:111111111111:domain/d/*'])),
    expected: ['[Search]'],
  },
  { name: 'Noncompliance 4: ElastiCache Connect on *', build: policy(allow('Cache', ['elasticache:Connect'], ['*'])), expected: ['[Cache]'] },
  {
    name: 'Noncompliance 5: KMS decrypt without an encryption-context binding',
    build: policy(allow('Kms', ['kms:Decrypt'], ['arn:aws:kms:eu-west-1:111111111111:key/k'])),
    expected: ['[Kms]'],
  },
  {
    name: 'Noncompliance 6: Secrets Manager wildcard over tenant secrets',
    build: policy(allow('Secrets', ['secretsmanager:GetSecretValue'], ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:tenants/*'])),
    expected: ['[Secrets]'],
  },
  {
    name: 'Noncompliance 7: NotAction reaches s3 and sqs',
    build: policy(new iam.PolicyStatement({ sid: 'AllButIam', notActions: ['iam:*'], resources: ['*'] })),
    expected: ['[AllButIam]'],
  },
  {
    name: 'Noncompliance 8: an IfExists tag condition binds nothing',
    build: policy(allow('IfExists', ['sqs:ReceiveMessage'], ['*'], { StringEqualsIfExists: { 'aws:ResourceTag/TenantId': PRINCIPAL_TENANT } })),
    expected: ['[IfExists]'],
  },
  {
    name: 'Noncompliance 9: StringLike "*" on the principal tag binds nothing',
    build: policy(allow('AnyTag', ['s3:GetObject'], [`${BUCKET}/*`], { StringLike: { 'aws:PrincipalTag/TenantId': '*' } })),
    expected: ['[AnyTag]'],
  },
  {
    name: 'Noncompliance 10: bucket policy grants every principal every object',
    build: (stack) => {
      const b = new s3.Bucket(stack, 'Bucket');
      b.addToResourcePolicy(
        new iam.PolicyStatement({ sid: 'Public', principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: [b.arnForObjects('*')] }),
      );
    },
    expected: ['[Public] Test/Bucket/Policy/Resource'],
  },
  { name: 'Error 1: resource from a template parameter', build: (stack) => policy(allow('P', ['s3:GetObject'], [param(stack)]))(stack), expected: 'error' },
  { name: 'Error 2: action from a template parameter', build: (stack) => policy(allow('P', [param(stack)], ['*']))(stack), expected: 'error' },
]);

describeRule(TenantPatternDelimiter, [
  {
    name: 'Compliance 1: every namespace keeps its delimiter',
    build: policy(
      allow('S3', ['s3:GetObject'], [`${BUCKET}/tenants/${PRINCIPAL_TENANT}/*`, `${BUCKET}/tenants/acme/*`]),
      allow('Search', ['es:ESHttpGet'], [`arn:aws:es:eu-west-1:111111111111:domain/d/tenant-${PRINCIPAL_TENANT}.*`]),
      allow('List', ['s3:ListBucket'], [BUCKET], { StringLike: { 's3:prefix': `tenants/${PRINCIPAL_TENANT}/*` } }),
    ),
    expected: [],
  },
  { name: 'Compliance 2: an exact name needs no delimiter', build: policy(allow('Q', ['sqs:SendMessage'], [`${QUEUE}:tenant-${PRINCIPAL_TENANT}-jobs`])), expected: [] },
  { name: 'Noncompliance 1: tenants/acme*', build: policy(allow('S3', ['s3:GetObject'], [`${BUCKET}/tenants/acme*`])), expected: ['[S3::tenants/acme*]'] },
  {
    name: 'Noncompliance 2: tenant-acme* index',
    build: policy(allow('Idx', ['es:ESHttpGet'], ['arn:aws:es:eu-west-1:111111111111:domain/d/tenant-acme*'])),
    expected: ['[Idx::tenant-acme*]'],
  },
  {
    name: 'Noncompliance 3: tenants/${aws:PrincipalTag/TenantId}* in a resource and in s3:prefix',
    build: policy(
      allow('Obj', ['s3:GetObject'], [`${BUCKET}/tenants/${PRINCIPAL_TENANT}*`]),
      allow('List', ['s3:ListBucket'], [BUCKET], { StringLike: { 's3:prefix': `tenants/${PRINCIPAL_TENANT}*` } }),
    ),
    expected: [`[Obj::${BUCKET}/tenants/${PRINCIPAL_TENANT}*]`, `[List::tenants/${PRINCIPAL_TENANT}*]`],
  },
  {
    name: 'Noncompliance 4: tenant-${id}-* queue wildcard (ids contain hyphens)',
    build: policy(allow('Q', ['sqs:SendMessage'], [`${QUEUE}:tenant-${PRINCIPAL_TENANT}-*`])),
    expected: [`[Q::${QUEUE}:tenant-${PRINCIPAL_TENANT}-*]`],
  },
  { name: 'Error 1: resource from a template parameter', build: (stack) => policy(allow('P', ['s3:GetObject'], [param(stack)]))(stack), expected: 'error' },
]);

describeRule(FailOpenTenantCondition, [
  {
    name: 'Compliance 1: presence-requiring Allow and fail-closed Denies',
    build: policy(
      allow('Allow', ['s3:GetObject'], ['*'], { StringEquals: { 'aws:PrincipalTag/TenantId': 'acme' } }),
      deny('NotEquals', ['*'], ['*'], { StringNotEquals: { 'aws:PrincipalTag/TenantId': 'acme' } }),
      deny('Missing', ['*'], ['*'], { Null: { 'aws:PrincipalTag/TenantId': 'true' } }),
      // IfExists is TRUE when the key is absent: this Deny fires for a session without the tag.
      deny('NotEqualsIfExists', ['*'], ['*'], { StringNotEqualsIfExists: { 'aws:PrincipalTag/TenantId': 'acme' } }),
    ),
    expected: [],
  },
  {
    name: 'Compliance 2: ForAllValues guarded by Null=false',
    build: policy(
      allow('Guarded', ['s3:GetObject'], ['*'], { 'ForAllValues:StringEquals': { 'aws:ResourceTag/TenantId': ['acme'] }, Null: { 'aws:ResourceTag/TenantId': 'false' } }),
    ),
    expected: [],
  },
  {
    name: 'Noncompliance 1: IfExists in an Allow',
    build: policy(allow('A', ['sqs:SendMessage'], ['*'], { StringEqualsIfExists: { 'aws:ResourceTag/TenantId': PRINCIPAL_TENANT } })),
    expected: ['[A::StringEqualsIfExists:aws:ResourceTag/TenantId]'],
  },
  {
    name: 'Noncompliance 2: unguarded ForAllValues in an Allow',
    build: policy(allow('A', ['sqs:SendMessage'], ['*'], { 'ForAllValues:StringEquals': { 'aws:PrincipalTag/TenantId': ['acme'] } })),
    expected: ['[A::ForAllValues:StringEquals:aws:PrincipalTag/TenantId]'],
  },
  {
    name: 'Noncompliance 3: positive-operator and Null=false Denies are skipped without the tag',
    build: policy(
      deny('Pos', ['*'], ['*'], { StringEquals: { 'aws:PrincipalTag/TenantId': 'acme' } }),
      deny('NotNull', ['*'], ['*'], { Null: { 'aws:PrincipalTag/TenantId': 'false' } }),
    ),
    expected: ['[Pos::StringEquals:aws:PrincipalTag/TenantId]', '[NotNull::Null:aws:PrincipalTag/TenantId]'],
  },
  {
    name: 'Error 1: a condition block built with Fn::If',
    build: (stack) => {
      new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(param(stack), 'prod') });
      new iam.CfnManagedPolicy(stack, 'Policy', {
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: Fn.conditionIf('IsProd', { a: 'b' }, { a: 'c' }) } }],
        },
      });
    },
    expected: 'error',
  },
]);

const trustRole = (statement: Record<string, unknown>) => (stack: Stack) => {
  new iam.CfnRole(stack, 'Role', { assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [statement] } });
};
const BROKER = { AWS: 'arn:aws:iam::111111111111:role/broker' };

describeRule(TagSessionTrust, [
  {
    name: 'Compliance 1: tag keys and TenantId value constrained',
    build: trustRole({
      Sid: 'Broker',
      Effect: 'Allow',
      Principal: BROKER,
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringLike: { 'aws:RequestTag/TenantId': '????*' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['TenantId'] } },
    }),
    expected: [],
  },
  { name: 'Compliance 2: no sts:TagSession', build: trustRole({ Effect: 'Allow', Principal: BROKER, Action: 'sts:AssumeRole' }), expected: [] },
  {
    name: 'Compliance 3: tag keys limited to keys other than TenantId (the tenant tag cannot be set)',
    build: trustRole({
      Effect: 'Allow',
      Principal: BROKER,
      Action: 'sts:TagSession',
      Condition: { StringLike: { 'aws:RequestTag/SupportTicket': 'SUP-?*' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['SupportTicket'] } },
    }),
    expected: [],
  },
  {
    name: 'Noncompliance 3: tag keys include TenantId but its value is unconstrained',
    build: trustRole({
      Sid: 'Broker',
      Effect: 'Allow',
      Principal: BROKER,
      Action: 'sts:TagSession',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['SupportTicket', 'TenantId'] } },
    }),
    expected: ['[Broker::aws:RequestTag/TenantId]'],
  },
  {
    name: 'Noncompliance 1: TagSession with no conditions',
    build: trustRole({ Sid: 'Broker', Effect: 'Allow', Principal: BROKER, Action: ['sts:AssumeRole', 'sts:TagSession'] }),
    expected: ['[Broker::aws:TagKeys]', '[Broker::aws:RequestTag/TenantId]'],
  },
  {
    name: 'Noncompliance 2: value only through IfExists or "*"',
    build: trustRole({
      Sid: 'Broker',
      Effect: 'Allow',
      Principal: BROKER,
      Action: 'sts:*',
      Condition: {
        StringLikeIfExists: { 'aws:RequestTag/TenantId': '?*' },
        StringLike: { 'aws:RequestTag/TenantId': '*' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['TenantId'] },
      },
    }),
    expected: ['[Broker::aws:RequestTag/TenantId]'],
  },
  {
    name: 'Error 1: action list from a template parameter',
    build: (stack) => trustRole({ Effect: 'Allow', Principal: BROKER, Action: new CfnParameter(stack, 'Actions').valueAsString })(stack),
    expected: 'error',
  },
]);

// The IAM semantics TI-IAM3 encodes, checked against the oracle for a session WITHOUT the tag.
describe('TI-IAM3 semantics (iam-simulate oracle, session without TenantId tag)', () => {
  const roleArn = `arn:aws:iam::${TEST_ENV.account}:role/app`;
  const resource = 'arn:aws:s3:::pool/tenants/acme/x';
  const doc = (statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
  const grant = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
  const cases: Array<[string, object[], string]> = [
    ['Allow with StringEqualsIfExists fails open', [{ ...grant, Condition: { StringEqualsIfExists: { 'aws:PrincipalTag/TenantId': 'acme' } } }], 'Allowed'],
    ['Allow with StringEquals fails closed', [{ ...grant, Condition: { StringEquals: { 'aws:PrincipalTag/TenantId': 'acme' } } }], 'ImplicitlyDenied'],
    ['Allow with unguarded ForAllValues fails open', [{ ...grant, Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalTag/TenantId': ['acme'] } } }], 'Allowed'],
    [
      'positive-operator Deny is skipped',
      [
        grant,
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotLike: { 'aws:PrincipalArn': 'x' }, StringEquals: { 'aws:PrincipalTag/TenantId': 'acme' } } },
      ],
      'Allowed',
    ],
    [
      'Deny with StringNotEqualsIfExists fires',
      [grant, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalTag/TenantId': 'acme' } } }],
      'ExplicitlyDenied',
    ],
    [
      'Deny with Null=true fires',
      [grant, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Null: { 'aws:PrincipalTag/TenantId': 'true' } } }],
      'ExplicitlyDenied',
    ],
  ];
  test.each(cases)('%s', async (_name, statements, decision) => {
    expect(await evaluate({ roleArn, action: 's3:GetObject', resource, identityPolicies: [doc(statements)] })).toBe(decision);
  });
});
