/**
 * Attack tests on the trust policies of SupportAccessRole, BreakGlassRole and the source-identity
 * statement of TenantAccessRole, evaluated on the synthesized templates with iam-simulate
 * (test/helpers/iam-attack.ts). Every refused request asserts the specific decision.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildBlueprint } from '../../../lib/blueprint/app';
import {
  SUPPORT_TICKET_PATTERN,
  SUPPORT_TICKET_REFUSED_PATTERNS,
  SUPPORT_TICKET_REQUIRED_PATTERN,
  SUPPORT_TICKET_SHAPE_REFUSED_PATTERNS,
} from '../../../lib/core/support-ticket';
import { rolePolicySizes } from '../../../lib/blueprint/policy-size';
import { iamStringLike } from '../../../lib/core/tenant-id-iam';
import { newTestApp, testRegistry } from '../../helpers/app';
import { arnOf, Decision, evaluate, PolicyDocument } from '../../helpers/iam-attack';
import { logicalIdsOfType, resolve, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const ACCOUNT = TEST_ENV.account;
const ALICE_USER = `arn:aws:iam::${ACCOUNT}:user/support/alice`;
const BOB_ROLE = `arn:aws:iam::${ACCOUNT}:role/support/bob`;
const REQUESTER = `arn:aws:iam::${ACCOUNT}:user/oncall/carol`;
const APPROVER = `arn:aws:iam::${ACCOUNT}:user/oncall/dave`;

const app = newTestApp();
const blueprint = buildBlueprint(app, {
  registry: testRegistry(['acme', 'acme-corp', 'globex:silo']),
  supportPrincipalArns: [ALICE_USER, BOB_ROLE],
  breakGlassRequesterArns: [REQUESTER],
  breakGlassApproverArns: [APPROVER],
});
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const roleIdNamed = (name: string) => logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => platform.Resources[id].Properties?.RoleName === name)!;
const trustOf = (id: string) => resolve(platform, platform.Resources[id].Properties!.AssumeRolePolicyDocument) as PolicyDocument;

const supportId = roleIdNamed('tib-SupportAccessRole');
const supportArn = arnOf(platform, supportId);
const supportTrust = trustOf(supportId);

type Ctx = Record<string, string | string[]>;
const assume = (caller: string, trust: PolicyDocument, resource: string, action: string, context: Ctx) =>
  evaluate({ roleArn: caller, action, resource, identityPolicies: [], resourcePolicy: trust, context });

const RANK: Record<Decision, number> = { Allowed: 0, ImplicitlyDenied: 1, ExplicitlyDenied: 2 };
/**
 * One AssumeRole API call, as STS authorizes it (IAM User Guide, id_session-tags and
 * id_credentials_temp_control-access_monitor): sts:AssumeRole always, sts:TagSession when session
 * tags are passed, sts:SetSourceIdentity when a source identity is. The call succeeds only if every
 * one of them is allowed; the result is the strongest denial among them.
 */
async function assumeCall(caller: string, trust: PolicyDocument, resource: string, context: Ctx): Promise<Decision> {
  const actions = ['sts:AssumeRole'];
  if (context['aws:TagKeys'] !== undefined) actions.push('sts:TagSession');
  if (context['sts:SourceIdentity'] !== undefined) actions.push('sts:SetSourceIdentity');
  let worst: Decision = 'Allowed';
  for (const action of actions) {
    const d = await assume(caller, trust, resource, action, context);
    if (RANK[d] > RANK[worst]) worst = d;
  }
  return worst;
}

/** A request that satisfies every condition; cases remove or change one thing. */
function supportRequest(caller: string, change: Partial<Record<string, string | string[] | undefined>> = {}): Ctx {
  const base: Record<string, string | string[] | undefined> = {
    'aws:MultiFactorAuthPresent': 'true',
    'aws:MultiFactorAuthAge': '300',
    // The Regional STS endpoint of the platform's Region (the trust pins aws:RequestedRegion).
    'aws:RequestedRegion': TEST_ENV.region,
    'aws:RequestTag/TenantId': 'acme',
    'aws:RequestTag/SupportTicket': 'SUP-4711',
    'aws:TagKeys': ['TenantId', 'SupportTicket'],
    'sts:SourceIdentity': caller === ALICE_USER ? 'alice' : 'bob@example.com',
    ...(caller === ALICE_USER ? { 'aws:username': 'alice' } : {}),
    ...change,
  };
  return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Ctx;
}

const STS_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

describe('SupportAccessRole trust: the intended path works (or the denials below prove nothing)', () => {
  test.each(STS_ACTIONS.flatMap((a) => [ALICE_USER, BOB_ROLE].map((c) => [c, a])))('%s may %s with MFA, both tags and a source identity', async (caller, action) => {
    expect(await assume(caller, supportTrust, supportArn, action, supportRequest(caller))).toBe('Allowed');
  });
  test.each(['acme-corp', 'globex'])('any valid tenant tag (%s) is accepted', async (tenant) => {
    expect(await assumeCall(BOB_ROLE, supportTrust, supportArn, supportRequest(BOB_ROLE, { 'aws:RequestTag/TenantId': tenant }))).toBe('Allowed');
  });
  test.each(['SUP-1', 'SUP-123456789012'])('ticket %s is accepted', async (ticket) => {
    expect(await assumeCall(BOB_ROLE, supportTrust, supportArn, supportRequest(BOB_ROLE, { 'aws:RequestTag/SupportTicket': ticket }))).toBe('Allowed');
  });
});

interface TrustCase {
  name: string;
  caller: string;
  change: Partial<Record<string, string | string[] | undefined>>;
  expected: Decision;
}

const trustCases: TrustCase[] = [];
for (const caller of [ALICE_USER, BOB_ROLE]) {
  const who = caller === ALICE_USER ? 'IAM user' : 'role';
  trustCases.push(
    // MFA: a missing key fails the Allow's Bool (closed) AND fires the Deny's BoolIfExists.
    {
      name: `${who} without any MFA context (long-term keys)`,
      caller,
      change: { 'aws:MultiFactorAuthPresent': undefined, 'aws:MultiFactorAuthAge': undefined },
      expected: 'ExplicitlyDenied',
    },
    { name: `${who} with MultiFactorAuthPresent=false`, caller, change: { 'aws:MultiFactorAuthPresent': 'false' }, expected: 'ExplicitlyDenied' },
    { name: `${who} with an MFA sign-in two hours old`, caller, change: { 'aws:MultiFactorAuthAge': '7200' }, expected: 'ImplicitlyDenied' },
    { name: `${who} with MFA present but no MFA age`, caller, change: { 'aws:MultiFactorAuthAge': undefined }, expected: 'ImplicitlyDenied' },
    // Tags.
    {
      name: `${who} without any tag`,
      caller,
      change: { 'aws:RequestTag/TenantId': undefined, 'aws:RequestTag/SupportTicket': undefined, 'aws:TagKeys': undefined },
      expected: 'ExplicitlyDenied',
    },
    { name: `${who} without the TenantId tag`, caller, change: { 'aws:RequestTag/TenantId': undefined, 'aws:TagKeys': ['SupportTicket'] }, expected: 'ImplicitlyDenied' },
    {
      name: `${who} without the SupportTicket tag`,
      caller,
      change: { 'aws:RequestTag/SupportTicket': undefined, 'aws:TagKeys': ['TenantId'] },
      expected: 'ImplicitlyDenied',
    },
    { name: `${who} with a third tag key`, caller, change: { 'aws:TagKeys': ['TenantId', 'SupportTicket', 'Admin'] }, expected: 'ImplicitlyDenied' },
    // Source identity.
    {
      name: `${who} without a source identity`,
      caller,
      change: { 'sts:SourceIdentity': undefined },
      expected: caller === ALICE_USER ? 'ExplicitlyDenied' : 'ImplicitlyDenied',
    },
    {
      name: `${who} with a one-character source identity`,
      caller,
      change: { 'sts:SourceIdentity': 'x' },
      expected: caller === ALICE_USER ? 'ExplicitlyDenied' : 'ImplicitlyDenied',
    },
    {
      name: `${who} posing as an application session (app.)`,
      caller,
      change: { 'sts:SourceIdentity': 'app.user-42' },
      expected: caller === ALICE_USER ? 'ExplicitlyDenied' : 'ImplicitlyDenied',
    },
    // Region: another Region's STS endpoint (where the alert's EventBridge rule cannot see the call).
    { name: `${who} through the STS endpoint of another Region (us-west-2)`, caller, change: { 'aws:RequestedRegion': 'us-west-2' }, expected: 'ImplicitlyDenied' },
    { name: `${who} through us-east-1 (the legacy global endpoint's Region)`, caller, change: { 'aws:RequestedRegion': 'us-east-1' }, expected: 'ImplicitlyDenied' },
    { name: `${who} with no requested Region in the context`, caller, change: { 'aws:RequestedRegion': undefined }, expected: 'ImplicitlyDenied' },
  );
}
trustCases.push({
  name: 'IAM user alice setting source identity "bob" (someone else)',
  caller: ALICE_USER,
  change: { 'sts:SourceIdentity': 'bob' },
  expected: 'ExplicitlyDenied',
});

for (const [value, why] of [
  ['Acme', 'uppercase'],
  ['acme/x', 'slash'],
  ['acme.x', 'dot'],
  ['acme:x', 'colon'],
  ['ac', 'too short'],
  ['a'.repeat(41), 'too long'],
  ['1acme', 'leading digit'],
  ['acme-', 'trailing hyphen'],
  ['acme--x', 'double hyphen'],
  ['default', 'reserved word'],
  ['support', 'reserved word'],
  ['', 'empty'],
]) {
  trustCases.push({
    name: `invalid TenantId ${JSON.stringify(value)} (${why})`,
    caller: BOB_ROLE,
    change: { 'aws:RequestTag/TenantId': value },
    expected: 'ImplicitlyDenied',
  });
}
// Ticket shape, refused by the trust policy. Letters inside the number (SUP-12a) pass the trust
// policy and are refused by the permission policy: support-permission-attack.test.ts.
for (const [value, why] of [
  ['SUP-', 'no number'],
  ['sup-4711', 'lowercase prefix'],
  ['INC-4711', 'other prefix'],
  ['4711', 'no prefix'],
  ['SUP-47-11', 'second hyphen'],
  ['SUP--4711', 'second hyphen'],
  ['SUP-47 11', 'space'],
  ['SUP-47.11', 'dot'],
  ['SUP-47/11', 'slash'],
  ['SUP-47:11', 'colon'],
  ['SUP-47_11', 'underscore'],
  ['SUP-47=11', 'equals'],
  ['SUP-47+11', 'plus'],
  ['SUP-4711@x', 'at sign'],
  ['SUP-' + '1'.repeat(13), '13 digits'],
  ['', 'empty'],
]) {
  trustCases.push({
    name: `malformed ticket ${JSON.stringify(value)} (${why})`,
    caller: BOB_ROLE,
    change: { 'aws:RequestTag/SupportTicket': value },
    expected: 'ImplicitlyDenied',
  });
}

describe('SupportAccessRole trust: attacks are denied', () => {
  test(`the table is not trivially small (${trustCases.length} cases)`, () => {
    expect(trustCases.length).toBeGreaterThan(40);
  });
  test.each(trustCases)('$name -> $expected', async (c) => {
    expect(await assumeCall(c.caller, supportTrust, supportArn, supportRequest(c.caller, c.change))).toBe(c.expected);
  });

  test.each([
    ['another IAM user of the account', `arn:aws:iam::${ACCOUNT}:user/mallory`],
    ['another role of the account', `arn:aws:iam::${ACCOUNT}:role/support/bobby`],
    [
      'the TenantAccessRole broker',
      arnOf(
        platform,
        logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('DemoBrokerRole'))!,
      ),
    ],
    ['the account root', `arn:aws:iam::${ACCOUNT}:root`],
    ['a principal of another account', 'arn:aws:iam::999988887777:user/alice'],
  ])('%s cannot assume it even with everything else right', async (_name, caller) => {
    expect(await assumeCall(caller, supportTrust, supportArn, supportRequest(BOB_ROLE))).toBe('ImplicitlyDenied');
  });
});

describe('SupportAccessRole trust: shape and size', () => {
  test('sessions last at most one hour', () => {
    expect(platform.Resources[supportId].Properties!.MaxSessionDuration).toBe(3600);
  });
  test('trust shape + permission patterns together accept exactly SUP-<1..12 digits> (ASCII values)', () => {
    const accepted = (v: string) =>
      iamStringLike(v, SUPPORT_TICKET_REQUIRED_PATTERN) &&
      !SUPPORT_TICKET_SHAPE_REFUSED_PATTERNS.some((p) => iamStringLike(v, p)) &&
      !SUPPORT_TICKET_REFUSED_PATTERNS.some((p) => iamStringLike(v, p));
    const alphabet = ['0', '7', 'S', 'U', 'P', 'a', 'Z', '-', '.', ' ', '@', '_', ':', '/', '=', '+'];
    const values = ['SUP-1', 'SUP-123456789012', 'SUP-1234567890123', 'SUP-', 'SUP', 'XSUP-1', 'SUP-1SUP-1'];
    for (const a of alphabet) for (const b of alphabet) values.push(`SUP-${a}${b}`, `SUP-1${a}`, `${a}SUP-1`);
    for (const v of values) expect([v, accepted(v)]).toEqual([v, SUPPORT_TICKET_PATTERN.test(v)]);
  });
  test("the trust policies fit IAM's default 2,048-character quota (figures in docs/support.md)", () => {
    for (const name of ['tib-SupportAccessRole', 'tib-BreakGlassRole', 'tib-TenantAccessRole']) {
      const size = rolePolicySizes(platform, roleIdNamed(name)).trust;
      expect([name, size <= 2048]).toEqual([name, true]);
    }
  });
  test('too many support principals fail synth with the reason, not a failed deployment later', () => {
    const many = Array.from({ length: 6 }, (_, i) => `arn:aws:iam::${ACCOUNT}:user/support/engineer-${i}`);
    const b = buildBlueprint(newTestApp(), { registry: testRegistry(['acme']), supportPrincipalArns: many });
    expect(() => Template.fromStack(b.platform)).toThrow(
      /Platform\/Support\/SupportAccessRole\/Role: trust policy is \d+ characters with 6 principal\(s\), over IAM's 2048-character default quota/,
    );
  });
});

describe('BreakGlassRole trust: a second person approves the ticket', () => {
  const id = roleIdNamed('tib-BreakGlassRole');
  const arn = arnOf(platform, id);
  const trust = trustOf(id);
  const request = (change: Partial<Record<string, string | string[] | undefined>> = {}): Ctx =>
    Object.fromEntries(
      Object.entries({
        'aws:MultiFactorAuthPresent': 'true',
        'aws:MultiFactorAuthAge': '120',
        'aws:RequestedRegion': TEST_ENV.region,
        'aws:RequestTag/SupportTicket': 'SUP-99',
        'aws:TagKeys': ['SupportTicket'],
        'sts:SourceIdentity': 'carol',
        'aws:username': 'carol',
        'aws:PrincipalTag/BreakGlassApprovedTicket': 'SUP-99',
        ...change,
      }).filter(([, v]) => v !== undefined),
    ) as Ctx;

  test('the requester with an approval of this ticket may assume it', async () => {
    expect(await assumeCall(REQUESTER, trust, arn, request())).toBe('Allowed');
  });
  test.each([
    ['without any approval tag', REQUESTER, { 'aws:PrincipalTag/BreakGlassApprovedTicket': undefined }, 'ImplicitlyDenied'],
    ['with an approval of another ticket', REQUESTER, { 'aws:PrincipalTag/BreakGlassApprovedTicket': 'SUP-98' }, 'ImplicitlyDenied'],
    ['with a stale MFA (20 minutes)', REQUESTER, { 'aws:MultiFactorAuthAge': '1200' }, 'ImplicitlyDenied'],
    ['through the STS endpoint of another Region (ap-southeast-2)', REQUESTER, { 'aws:RequestedRegion': 'ap-southeast-2' }, 'ImplicitlyDenied'],
    ['without MFA', REQUESTER, { 'aws:MultiFactorAuthPresent': undefined, 'aws:MultiFactorAuthAge': undefined }, 'ExplicitlyDenied'],
    ['without a source identity', REQUESTER, { 'sts:SourceIdentity': undefined }, 'ExplicitlyDenied'],
    ['with a malformed ticket', REQUESTER, { 'aws:RequestTag/SupportTicket': 'SUP-9x', 'aws:PrincipalTag/BreakGlassApprovedTicket': 'SUP-9x' }, 'ImplicitlyDenied'],
    ['by the approver (not a requester)', APPROVER, { 'sts:SourceIdentity': 'dave', 'aws:username': 'dave' }, 'ImplicitlyDenied'],
    ['by the support engineer', BOB_ROLE, { 'sts:SourceIdentity': 'bob', 'aws:username': undefined }, 'ImplicitlyDenied'],
  ] as Array<[string, string, Record<string, string | undefined>, Decision]>)('%s -> %s', async (_n, caller, change, expected) => {
    expect(await assumeCall(caller, trust, arn, request(change))).toBe(expected);
  });
  test('a principal cannot be both requester and approver', () => {
    expect(() => buildBlueprint(newTestApp(), { registry: testRegistry(['acme']), breakGlassRequesterArns: [REQUESTER], breakGlassApproverArns: [REQUESTER] })).toThrow(
      /Platform\/Support\/BreakGlass: invalid props \(1\):\n {2}- approvers\[0\]: \S*user\/oncall\/carol is both requester and approver/,
    );
  });
});

describe('TenantAccessRole: the broker may set an application source identity (attribution)', () => {
  const id = roleIdNamed('tib-TenantAccessRole');
  const arn = arnOf(platform, id);
  const trust = trustOf(id);
  const broker = arnOf(
    platform,
    logicalIdsOfType(platform, 'AWS::IAM::Role').find((i) => i.startsWith('DemoBrokerRole'))!,
  );
  test('app.<user> is allowed', async () => {
    expect(await assume(broker, trust, arn, 'sts:SetSourceIdentity', { 'sts:SourceIdentity': 'app.user-42' })).toBe('Allowed');
  });
  test.each(['alice', 'app.', 'APP.user'])('a source identity %j that is not app.<something> is refused', async (v) => {
    expect(await assume(broker, trust, arn, 'sts:SetSourceIdentity', { 'sts:SourceIdentity': v })).toBe('ImplicitlyDenied');
  });
  test('a support engineer cannot set a source identity on it', async () => {
    expect(await assume(BOB_ROLE, trust, arn, 'sts:SetSourceIdentity', { 'sts:SourceIdentity': 'app.user-42' })).toBe('ImplicitlyDenied');
  });
});
