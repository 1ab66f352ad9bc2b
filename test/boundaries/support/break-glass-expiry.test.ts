/**
 * Break-glass approvals expire, enforced by IAM (break-glass-approval.ts): the role's permissions
 * boundary is `Deny *` as deployed; an approver writes a version that allows the reads for one
 * ticket until a literal `aws:CurrentTime` expiry. Evaluated with the IAM oracle (iam-simulate) on
 * the synthesized role policies and boundary: before the fix an approval was a tag with no end, so
 * the "expired" case below was Allowed.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildBlueprint } from '../../../lib/blueprint/app';
import { breakGlassApprovalDocument, DEFAULT_MAX_APPROVAL_SECONDS } from '../../../lib/boundaries/support/break-glass-approval';
import { newTestApp, testRegistry } from '../../helpers/app';
import { arnOf, Decision, evaluate, identityPoliciesOf, PolicyDocument } from '../../helpers/iam-attack';
import { logicalIdsOfType, resolve, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const ACCOUNT = TEST_ENV.account;
const REQUESTER = `arn:aws:iam::${ACCOUNT}:user/oncall/carol`;
const APPROVER = `arn:aws:iam::${ACCOUNT}:user/oncall/dave`;
const blueprint = buildBlueprint(newTestApp(), {
  registry: testRegistry(['acme', 'globex:silo']),
  breakGlassRequesterArns: [REQUESTER],
  breakGlassApproverArns: [APPROVER],
});
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const roleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => platform.Resources[id].Properties?.RoleName === 'tib-BreakGlassRole')!;
const roleArn = arnOf(platform, roleId);
const boundaryId = logicalIdsOfType(platform, 'AWS::IAM::ManagedPolicy').find(
  (id) => platform.Resources[id].Properties?.ManagedPolicyName === 'tib-BreakGlassRole-Approval',
)!;
const deployedBoundary = resolve(platform, platform.Resources[boundaryId].Properties!.PolicyDocument) as PolicyDocument;
const boundaryArn = resolve(platform, { Ref: boundaryId }) as string;
const rolePolicies = identityPoliciesOf(platform, roleId);

const OBJECT = `arn:aws:s3:::tib-tenant-data-${ACCOUNT}-${TEST_ENV.region}/tenants/acme/orders.csv`;
const APPROVED_AT = new Date('2026-12-01T09:00:00Z');
const EXPIRES = new Date('2026-12-01T10:00:00Z');

function read(boundary: PolicyDocument, at: string, change: Record<string, string | undefined> = {}, action = 's3:GetObject', resource = OBJECT): Promise<Decision> {
  const context = Object.fromEntries(
    Object.entries({
      'aws:PrincipalTag/SupportTicket': 'SUP-99',
      'aws:SourceIdentity': 'carol',
      'aws:CurrentTime': at,
      ...change,
    }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  return evaluate({ roleArn, action, resource, identityPolicies: rolePolicies, permissionBoundaries: [boundary], context });
}

describe('BreakGlassRole: the boundary is the approval, and it expires', () => {
  const approval = breakGlassApprovalDocument({ ticket: 'SUP-99', expiresAt: EXPIRES, now: APPROVED_AT }) as PolicyDocument;

  test('the role carries the approval policy as its permissions boundary', () => {
    expect(platform.Resources[roleId].Properties!.PermissionsBoundary).toEqual({ Ref: boundaryId });
  });

  test('as deployed (no approval): every read is refused', async () => {
    expect(await read(deployedBoundary, '2026-12-01T09:30:00Z')).toBe('ExplicitlyDenied');
  });

  test('a fresh approval of the session ticket: the read is allowed', async () => {
    expect(await read(approval, '2026-12-01T09:59:59Z')).toBe('Allowed');
  });

  test.each([
    ['at the expiry instant', '2026-12-01T10:00:00Z'],
    ['one second after', '2026-12-01T10:00:01Z'],
    ['a day after', '2026-12-02T09:30:00Z'],
  ])('an EXPIRED approval (%s): refused by IAM', async (_when, at) => {
    expect(await read(approval, at)).toBe('ImplicitlyDenied');
  });

  test('an approval of another ticket does not open this session', async () => {
    expect(await read(approval, '2026-12-01T09:30:00Z', { 'aws:PrincipalTag/SupportTicket': 'SUP-98' })).toBe('ImplicitlyDenied');
  });

  test('a boundary an approver widened to * still cannot exceed the role: writes stay denied', async () => {
    const widened: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    expect(await read(widened, '2026-12-01T09:30:00Z', {}, 's3:PutObject')).toBe('ExplicitlyDenied');
    expect(await read(widened, '2026-12-01T09:30:00Z', {}, 'secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${TEST_ENV.region}:${ACCOUNT}:secret:x`)).toBe(
      'ExplicitlyDenied',
    );
  });
});

describe('the approver may write the approval, and nothing else on the role', () => {
  const approverPolicyId = logicalIdsOfType(platform, 'AWS::IAM::ManagedPolicy').find((id) =>
    JSON.stringify(platform.Resources[id].Properties?.PolicyDocument ?? {}).includes('WriteTimeBoundedApproval'),
  )!;
  const approverPolicy = resolve(platform, platform.Resources[approverPolicyId].Properties!.PolicyDocument) as PolicyDocument;
  const asApprover = (action: string, resource: string) =>
    evaluate({ roleArn: APPROVER, action, resource, identityPolicies: [approverPolicy], context: { 'aws:username': 'dave' } });

  test.each(['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion'])('%s on the approval boundary: allowed', async (action) => {
    expect(await asApprover(action, boundaryArn)).toBe('Allowed');
  });
  test.each([
    ['iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/some-other-policy`],
    ['iam:PutRolePolicy', roleArn],
    ['iam:DeleteRolePermissionsBoundary', roleArn],
    ['iam:PutRolePermissionsBoundary', roleArn],
    ['iam:UpdateAssumeRolePolicy', roleArn],
  ])('%s on %s: refused', async (action, resource) => {
    expect(await asApprover(action, resource)).toBe('ImplicitlyDenied');
  });
});

describe('breakGlassApprovalDocument refuses approvals that would not expire soon', () => {
  test.each([
    ['an expiry in the past', { ticket: 'SUP-99', expiresAt: new Date('2026-12-01T08:59:59Z'), now: APPROVED_AT }, /not in the future/],
    [
      'an expiry beyond the 4-hour default',
      { ticket: 'SUP-99', expiresAt: new Date(APPROVED_AT.getTime() + DEFAULT_MAX_APPROVAL_SECONDS * 1000 + 1000), now: APPROVED_AT },
      /more than 14400 s away/,
    ],
    ['a maximum above 12 hours', { ticket: 'SUP-99', expiresAt: EXPIRES, now: APPROVED_AT, maxDurationSeconds: 13 * 3600 }, /maxDurationSeconds/],
    ['a malformed ticket', { ticket: 'SUP-9x', expiresAt: EXPIRES, now: APPROVED_AT }, /not SUP-<1-12 digits>/],
  ])('%s', (_name, approval, message) => {
    expect(() => breakGlassApprovalDocument(approval)).toThrow(message);
  });
  test('the expiry is a literal in the document', () => {
    expect(JSON.stringify(breakGlassApprovalDocument({ ticket: 'SUP-99', expiresAt: EXPIRES, now: APPROVED_AT }))).toContain(
      '"DateLessThan":{"aws:CurrentTime":"2026-12-01T10:00:00.000Z"}',
    );
  });
});
