/**
 * The builtin engine's semantics, case by case (table-driven): each case states the AWS rule it
 * pins down (IAM User Guide: policy evaluation logic, condition operators, policy variables;
 * AWS-FACTS.md) and the specific decision expected.
 */
import { Decision, evaluate, requestContext } from '../../lib/audit/engine/builtin-engine';
import { parsePolicyDocument } from '../../lib/audit/policy-model';

const ACCT = '111111111111';
const ROLE = `arn:aws:iam::${ACCT}:role/TenantRole`;
const OBJ = (t: string) => `arn:aws:s3:::pool/tenants/${t}/f`;
const TAG = '${aws:PrincipalTag/TenantId}';

interface Case {
  readonly name: string;
  readonly identity?: unknown[];
  readonly boundary?: unknown[];
  readonly resource?: unknown[];
  readonly kms?: boolean;
  readonly action?: string;
  readonly arn?: string;
  readonly ctx?: Record<string, string | string[]>;
  readonly expected: Decision;
}

const allow = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: OBJ(TAG), ...extra });

const CASES: Case[] = [
  { name: 'variable substituted: own prefix allowed', identity: [allow()], arn: OBJ('acme'), ctx: { 'aws:PrincipalTag/TenantId': 'acme' }, expected: 'Allowed' },
  {
    name: 'variable substituted: acme cannot reach acme-corp',
    identity: [allow()],
    arn: OBJ('acme-corp'),
    ctx: { 'aws:PrincipalTag/TenantId': 'acme' },
    expected: 'ImplicitlyDenied',
  },
  { name: 'missing variable: Resource matches nothing', identity: [allow()], arn: OBJ('acme'), expected: 'ImplicitlyDenied' },
  {
    name: 'no delimiter: tenants/${tag}* lets acme reach acme-corp',
    identity: [allow({ Resource: `arn:aws:s3:::pool/tenants/${TAG}*` })],
    arn: OBJ('acme-corp'),
    ctx: { 'aws:PrincipalTag/TenantId': 'acme' },
    expected: 'Allowed',
  },
  {
    name: 'explicit Deny beats Allow',
    identity: [allow(), { Effect: 'Deny', Action: 's3:*', Resource: '*' }],
    arn: OBJ('acme'),
    ctx: { 'aws:PrincipalTag/TenantId': 'acme' },
    expected: 'ExplicitlyDenied',
  },
  { name: 'NotAction', identity: [{ Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' }], action: 's3:DeleteObject', arn: OBJ('a'), expected: 'ImplicitlyDenied' },
  { name: 'action match is case-insensitive', identity: [{ Effect: 'Allow', Action: 'S3:getobject', Resource: '*' }], arn: OBJ('a'), expected: 'Allowed' },
  {
    name: 'resource match is case-sensitive',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::pool/TENANTS/*' }],
    arn: OBJ('a'),
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'NotResource excludes own prefix',
    identity: [
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:*', NotResource: OBJ(TAG) },
    ],
    arn: OBJ('globex'),
    ctx: { 'aws:PrincipalTag/TenantId': 'acme' },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'Null deny fires without the tag',
    identity: [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Null: { 'aws:PrincipalTag/TenantId': 'true' } } },
    ],
    arn: OBJ('a'),
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'StringNotEquals with a missing key matches (negated fails open)',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/TenantId': 'globex' } } }],
    arn: OBJ('a'),
    expected: 'Allowed',
  },
  {
    name: 'StringEquals with a missing key does not match',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/TenantId': 'globex' } } }],
    arn: OBJ('a'),
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'StringLikeIfExists is true when the key is absent',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringLikeIfExists: { 's3:prefix': 'tenants/acme/*' } } }],
    arn: OBJ('b'),
    expected: 'Allowed',
  },
  {
    name: 'ForAllValues is true when the key is absent',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['TenantId'] } } }],
    arn: OBJ('b'),
    expected: 'Allowed',
  },
  {
    name: 'ForAllValues refuses an extra key',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['TenantId'] } } }],
    arn: OBJ('b'),
    ctx: { 'aws:TagKeys': ['TenantId', 'Admin'] },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'ForAnyValue is false when the key is absent',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['TenantId'] } } }],
    arn: OBJ('b'),
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'StringNotLike with a variable the request lacks matches',
    identity: [
      { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { StringNotLike: { 's3:prefix': `tenants/${TAG}/*` } } },
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
    ],
    arn: OBJ('b'),
    ctx: { 's3:prefix': 'tenants/acme/' },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'StringEquals treats * literally',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/TenantId': 'ac*' } } }],
    arn: OBJ('b'),
    ctx: { 'aws:PrincipalTag/TenantId': 'acme' },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'Bool',
    identity: [
      { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
    ],
    arn: OBJ('b'),
    ctx: { 'aws:SecureTransport': 'false' },
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'NumericLessThan',
    identity: [
      { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
    ],
    arn: OBJ('b'),
    ctx: { 's3:TlsVersion': '1.3' },
    expected: 'Allowed',
  },
  {
    name: 'DateLessThan',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } }],
    arn: OBJ('b'),
    ctx: { 'aws:CurrentTime': '2026-11-26T00:00:00Z' },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'ArnLike per segment',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/*` } } }],
    arn: OBJ('b'),
    ctx: { 'aws:PrincipalArn': ROLE },
    expected: 'Allowed',
  },
  {
    name: 'resource policy naming the role grants without identity policy (same account)',
    resource: [{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 's3:GetObject', Resource: OBJ('*') }],
    arn: OBJ('b'),
    expected: 'Allowed',
  },
  {
    name: 'resource policy naming only the account delegates to IAM',
    resource: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 's3:*', Resource: '*' }],
    arn: OBJ('b'),
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'resource policy Deny on the account applies to its roles',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    resource: [{ Effect: 'Deny', Principal: { AWS: ACCT }, Action: 's3:*', Resource: '*' }],
    arn: OBJ('b'),
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'KMS: identity Allow alone is not enough',
    kms: true,
    identity: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
    resource: [],
    action: 'kms:Decrypt',
    arn: `arn:aws:kms:us-east-1:${ACCT}:key/k`,
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'KMS: key policy delegating to the account + identity Allow',
    kms: true,
    identity: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
    resource: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' }],
    action: 'kms:Decrypt',
    arn: `arn:aws:kms:us-east-1:${ACCT}:key/k`,
    expected: 'Allowed',
  },
  {
    name: 'KMS: kms:EncryptionContext binds the object prefix to the tag',
    kms: true,
    resource: [
      {
        Effect: 'Allow',
        Principal: { AWS: ROLE },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::pool/tenants/${TAG}/*` } },
      },
    ],
    action: 'kms:Decrypt',
    arn: `arn:aws:kms:us-east-1:${ACCT}:key/k`,
    ctx: { 'aws:PrincipalTag/TenantId': 'acme', 'kms:EncryptionContext:aws:s3:arn': OBJ('acme-corp') },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'permission boundary limits an identity Allow',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    boundary: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
    arn: OBJ('b'),
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'permission boundary Deny',
    identity: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    boundary: [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' },
    ],
    arn: OBJ('b'),
    expected: 'ExplicitlyDenied',
  },
  {
    name: 'variable with default value',
    identity: [allow({ Resource: "arn:aws:s3:::pool/tenants/${aws:PrincipalTag/TenantId, 'nobody'}/*" })],
    arn: OBJ('nobody'),
    expected: 'Allowed',
  },
  { name: 'escaped ${*} is a literal star', identity: [allow({ Resource: 'arn:aws:s3:::pool/tenants/${*}/*' })], arn: OBJ('acme'), expected: 'ImplicitlyDenied' },
];

describe('builtin engine semantics', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const doc = (sts: unknown[]) => parsePolicyDocument({ Statement: sts }, undefined, 'test');
    const e = evaluate(
      { principalArn: ROLE, principalAccount: ACCT, action: c.action ?? 's3:GetObject', resource: c.arn ?? OBJ('x'), context: requestContext(c.ctx ?? {}) },
      {
        identity: doc(c.identity ?? []),
        ...(c.boundary ? { boundary: doc(c.boundary) } : {}),
        ...(c.resource ? { resource: doc(c.resource) } : {}),
        resourcePolicyRequired: c.kms === true,
      },
    );
    expect(e.decision).toBe(c.expected);
  });

  test('unknown operators: assumed true in Allow, false in Deny, and reported', () => {
    const e = evaluate(
      { principalArn: ROLE, principalAccount: ACCT, action: 's3:GetObject', resource: OBJ('x'), context: {} },
      {
        identity: parsePolicyDocument(
          {
            Statement: [
              { Effect: 'Allow', Action: '*', Resource: '*', Condition: { FancyMatch: { k: 'v' } } },
              { Effect: 'Deny', Action: '*', Resource: '*', Condition: { FancyMatch: { k: 'v' } } },
            ],
          },
          undefined,
          't',
        ),
      },
    );
    expect(e.decision).toBe('Allowed');
    expect(e.unsupported).toContain('FancyMatch');
  });
});
