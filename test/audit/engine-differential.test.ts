/**
 * Differential test: the builtin engine against @cloud-copilot/iam-simulate (AGPL, test-only
 * oracle) on generated policies and requests: String/Arn/Bool/Null operators with IfExists and
 * the set qualifiers, IgnoreCase operators, the multi-valued aws:CalledVia and its First/Last
 * keys, kms:EncryptionContext keys, Principal and NotPrincipal in resource policies. The oracle
 * ignores kms:EncryptionContext keys (AWS-FACTS.md), so the oracle's copy of each case renames
 * them to a plain key it evaluates (`aliasKmsContext`, test/helpers/iam-attack.ts; the
 * single-valued operator semantics are the same). Every other disagreement fails the test and
 * names the request.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { evaluate, requestContext } from '../../lib/audit/engine/builtin-engine';
import { parsePolicyDocument } from '../../lib/audit/policy-model';
import { aliasKmsContext } from '../helpers/iam-attack';

const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/TenantRole`;
const TAG = '${aws:PrincipalTag/TenantId}';
const TENANTS = ['acme', 'acme-corp', 'acm', 'globex'];

/** mulberry32: a small seeded PRNG, so failures reproduce. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  return { next, pick, chance: (p: number) => next() < p };
}

const S3_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'];
const ACTION_PATTERNS = ['s3:*', 's3:Get*', 's3:GetObject', 's3:PutObject', 's3:List*', '*', 's3:*Object', 'kms:*', 'kms:Decrypt'];
const B = 'arn:aws:s3:::pool-bucket';
const RESOURCE_PATTERNS = [
  '*',
  B,
  `${B}/*`,
  `${B}/tenants/${TAG}/*`,
  `${B}/tenants/${TAG}*`,
  `${B}/tenants/acme/*`,
  `${B}/tenants/acme*`,
  `${B}/tenants/?cme/*`,
  'arn:aws:s3:::*-bucket/*',
  `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`,
];
type Cond = Record<string, Record<string, string | string[]>>;

function condition(r: ReturnType<typeof prng>): Cond {
  const op = r.pick(['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike', 'StringEqualsIfExists', 'StringNotLikeIfExists', 'StringLikeIfExists']);
  const kind = r.pick(['tag', 'prefix', 'null', 'bool', 'forall', 'kms', 'arn', 'ignorecase', 'calledvia', 'calledvia']);
  switch (kind) {
    case 'tag':
      return { [op]: { 'aws:PrincipalTag/TenantId': r.pick([...TENANTS, 'acme*', 'a?me', TAG]) } };
    case 'prefix':
      return { [op]: { 's3:prefix': r.pick([`tenants/${TAG}/*`, `tenants/${TAG}*`, 'tenants/acme/*', 'tenants/*']) } };
    case 'null':
      return { Null: { 'aws:PrincipalTag/TenantId': r.pick(['true', 'false']) } };
    case 'bool':
      return { [r.pick(['Bool', 'BoolIfExists'])]: { 'aws:SecureTransport': r.pick(['true', 'false']) } };
    case 'forall':
      return {
        [r.pick(['ForAllValues:StringEquals', 'ForAnyValue:StringEquals', 'ForAllValues:StringLike'])]: {
          'aws:TagKeys': r.pick([['TenantId'], ['TenantId', 'Team'], ['Other']]),
        },
      };
    case 'kms':
      return {
        [r.pick(['StringLike', 'StringNotLike', 'StringEquals', 'StringLikeIfExists', 'StringNotEqualsIfExists'])]: {
          [r.pick(['kms:EncryptionContext:aws:s3:arn', 'kms:EncryptionContext:tenant'])]: r.pick([`${B}/tenants/${TAG}/*`, `${B}/tenants/acme/f.txt`, TAG, 'acme']),
        },
      };
    case 'ignorecase':
      return {
        [r.pick(['StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringEqualsIgnoreCaseIfExists'])]: {
          [r.pick(['aws:PrincipalTag/TenantId', 'aws:PrincipalTag/Team'])]: r.pick(['ACME', 'Acme-Corp', 'globex', TAG, ['ACM', 'GLOBEX']]),
        },
      };
    case 'calledvia':
      return r.chance(0.6)
        ? {
            [r.pick(['ForAnyValue:StringEquals', 'ForAllValues:StringEquals', 'ForAnyValue:StringLike', 'ForAnyValue:StringNotEquals'])]: {
              'aws:CalledVia': r.pick([['athena.amazonaws.com'], ['athena.amazonaws.com', 'dynamodb.amazonaws.com'], ['*.amazonaws.com']]),
            },
          }
        : {
            [r.pick(['StringEquals', 'StringNotEquals', 'StringEqualsIfExists'])]: {
              [r.pick(['aws:CalledViaFirst', 'aws:CalledViaLast'])]: r.pick(['athena.amazonaws.com', 'glue.amazonaws.com']),
            },
          };
    default:
      return {
        [r.pick(['ArnLike', 'ArnNotLike', 'ArnEquals'])]: { 'aws:PrincipalArn': r.pick([ROLE, `arn:aws:iam::${ACCOUNT}:role/*`, 'arn:aws:iam::222222222222:role/*']) },
      };
  }
}

function statement(r: ReturnType<typeof prng>, resourcePolicy: boolean): Record<string, unknown> {
  const st: Record<string, unknown> = { Effect: r.chance(0.7) ? 'Allow' : 'Deny' };
  const actions = [r.pick(ACTION_PATTERNS), ...(r.chance(0.3) ? [r.pick(ACTION_PATTERNS)] : [])];
  st[r.chance(0.8) ? 'Action' : 'NotAction'] = actions;
  const resources = [r.pick(RESOURCE_PATTERNS), ...(r.chance(0.3) ? [r.pick(RESOURCE_PATTERNS)] : [])];
  st[r.chance(0.85) ? 'Resource' : 'NotResource'] = resources;
  if (resourcePolicy) {
    // NotPrincipal only with Deny: AWS rejects-in-practice and discourages it with Allow (IAM User Guide, reference_policies_elements_notprincipal).
    if (st.Effect === 'Deny' && r.chance(0.3))
      st.NotPrincipal = r.pick([{ AWS: ROLE }, { AWS: 'arn:aws:iam::222222222222:role/Other' }, { AWS: [ROLE, `arn:aws:iam::${ACCOUNT}:root`] }]);
    else st.Principal = r.pick([{ AWS: ROLE }, '*', { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: 'arn:aws:iam::222222222222:role/Other' }]);
  }
  const n = r.pick([0, 0, 1, 1, 2]);
  if (n > 0) {
    const c: Cond = {};
    for (let i = 0; i < n; i++) for (const [op, kv] of Object.entries(condition(r))) c[op] = { ...(c[op] ?? {}), ...kv };
    st.Condition = c;
  }
  return st;
}

interface Case {
  identity: { Version: string; Statement: unknown[] };
  resource?: { Version: string; Statement: unknown[] };
  action: string;
  resourceArn: string;
  context: Record<string, string | string[]>;
}

function generate(r: ReturnType<typeof prng>): Case {
  const kms = r.chance(0.15);
  const action = kms ? r.pick(['kms:Decrypt', 'kms:GenerateDataKey']) : r.pick(S3_ACTIONS);
  const u = r.pick(TENANTS);
  const resourceArn = kms ? `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1` : action === 's3:ListBucket' ? B : r.chance(0.85) ? `${B}/tenants/${u}/f.txt` : `${B}/other/f.txt`;
  const context: Record<string, string | string[]> = { 'aws:PrincipalArn': ROLE };
  if (r.chance(0.85)) context['aws:PrincipalTag/TenantId'] = r.pick([...TENANTS, 'ACME', 'Acme-Corp']);
  if (r.chance(0.3)) context['aws:PrincipalTag/Team'] = r.pick(['acm', 'Globex']);
  if (r.chance(0.4)) {
    const via = r.pick([['athena.amazonaws.com'], ['athena.amazonaws.com', 'glue.amazonaws.com'], ['dynamodb.amazonaws.com']]);
    context['aws:CalledVia'] = via;
    context['aws:CalledViaFirst'] = via[0];
    context['aws:CalledViaLast'] = via[via.length - 1];
    context['aws:ViaAWSService'] = 'true';
  }
  if (action === 's3:ListBucket' && r.chance(0.7)) context['s3:prefix'] = r.pick([`tenants/${u}/`, 'tenants/', `tenants/${u}/sub/`]);
  if (r.chance(0.7)) context['aws:SecureTransport'] = r.pick(['true', 'false']);
  if (r.chance(0.5)) context['aws:TagKeys'] = r.pick([['TenantId'], ['TenantId', 'Team']]);
  if (kms && r.chance(0.8)) context['kms:EncryptionContext:aws:s3:arn'] = `${B}/tenants/${u}/f.txt`;
  if (kms && r.chance(0.5)) context['kms:EncryptionContext:tenant'] = r.pick(TENANTS);
  const n = 1 + Math.floor(r.next() * 3);
  const identity = { Version: '2012-10-17', Statement: Array.from({ length: n }, () => statement(r, false)) };
  const withResource = r.chance(0.35);
  return {
    identity,
    ...(withResource ? { resource: { Version: '2012-10-17', Statement: Array.from({ length: 1 + Math.floor(r.next() * 2) }, () => statement(r, true)) } } : {}),
    action,
    resourceArn,
    context,
  };
}

function builtin(c: Case): string {
  return evaluate(
    { principalArn: ROLE, principalAccount: ACCOUNT, action: c.action, resource: c.resourceArn, context: requestContext(c.context) },
    {
      identity: parsePolicyDocument(c.identity, undefined, 'identity'),
      ...(c.resource ? { resource: parsePolicyDocument(c.resource, undefined, 'resource') } : {}),
      resourcePolicyRequired: c.action.startsWith('kms:'),
    },
  ).decision;
}

async function oracle(original: Case): Promise<string | undefined> {
  const c = aliasKmsContext(original);
  const res = await runSimulation(
    {
      identityPolicies: [{ name: 'identity', policy: c.identity }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(c.resource ? { resourcePolicy: c.resource } : {}),
      request: { principal: ROLE, action: c.action, resource: { resource: c.resourceArn, accountId: ACCOUNT }, contextVariables: c.context },
    },
    {},
  );
  return res.resultType === 'error' ? undefined : res.overallResult;
}

/** Known differences of the oracle (docs/audit.md). */
function knownDifference(c: Case): string | undefined {
  if (c.action.startsWith('kms:') && !c.resource) return 'KMS without a key policy: oracle allows on the identity policy alone';
  return undefined;
}

export const DIFFERENTIAL_CASES = 3000;

/** Features the generated cases must exercise (matched on the case's policies). */
const FEATURES: ReadonlyArray<readonly [string, RegExp]> = [
  ['kms:EncryptionContext', /kms:EncryptionContext:/],
  ['IgnoreCase operators', /IgnoreCase/],
  ['aws:CalledVia', /aws:CalledVia/],
  ['NotPrincipal', /"NotPrincipal"/],
];

test(`builtin agrees with iam-simulate on ${DIFFERENTIAL_CASES} generated cases (except documented oracle differences)`, async () => {
  const r = prng(20261126);
  let compared = 0;
  let rejected = 0;
  let agreed = 0;
  const decisions: Record<string, number> = {};
  const known: Record<string, number> = {};
  const features: Record<string, Record<string, number>> = {};
  const unexplained: Array<{ c: Case; ours: string; theirs: string }> = [];
  for (let i = 0; i < DIFFERENTIAL_CASES; i++) {
    const c = generate(r);
    const theirs = await oracle(c);
    if (theirs === undefined) {
      rejected++;
      continue;
    }
    compared++;
    const ours = builtin(c);
    const text = JSON.stringify([c.identity, c.resource]);
    for (const [f, re] of FEATURES) if (re.test(text)) (features[f] ??= {})[ours] = (features[f][ours] ?? 0) + 1;
    decisions[ours] = (decisions[ours] ?? 0) + 1;
    if (ours === theirs) {
      agreed++;
      continue;
    }
    const k = knownDifference(c);
    if (k) known[k] = (known[k] ?? 0) + 1;
    else unexplained.push({ c, ours, theirs });
  }
  // eslint-disable-next-line no-console
  console.log(
    `differential: ${DIFFERENTIAL_CASES} generated, ${compared} compared (${rejected} rejected by the oracle's validation), ` +
      `${agreed} agreed, known oracle differences ${JSON.stringify(known)}, unexplained ${unexplained.length}; builtin decisions ${JSON.stringify(decisions)}; ` +
      `per feature ${JSON.stringify(features)}`,
  );
  // Each feature the engines must agree on took part in cases that were allowed and cases that were not.
  for (const [f] of FEATURES) {
    expect([f, (features[f]?.Allowed ?? 0) > 10]).toEqual([f, true]);
    expect([f, (features[f]?.ImplicitlyDenied ?? 0) + (features[f]?.ExplicitlyDenied ?? 0) > 10]).toEqual([f, true]);
  }
  // Each disagreement names the request (action, resource, context) and both decisions.
  expect(
    unexplained
      .slice(0, 2)
      .map((u) => `${u.c.action} on ${u.c.resourceArn} with ${JSON.stringify(u.c.context)}: builtin ${u.ours}, oracle ${u.theirs}; ${JSON.stringify(u.c)}`),
  ).toEqual([]);
  // The generator must exercise all three outcomes, and most cases must be comparable.
  expect(compared).toBeGreaterThan(DIFFERENTIAL_CASES * 0.6);
  expect(decisions.Allowed).toBeGreaterThan(100);
  expect(decisions.ExplicitlyDenied).toBeGreaterThan(100);
  expect(decisions.ImplicitlyDenied).toBeGreaterThan(100);
});
