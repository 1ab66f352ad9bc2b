/**
 * The credential vendor and TenantAccessRole's trust policy, tested TOGETHER: the AssumeRole
 * request the vendor actually sends (recorded by RecordingStsDouble — no AWS account here) is
 * evaluated against the synthesized trust policy with the IAM oracle (iam-simulate). STS
 * authorizes one AssumeRole call as sts:AssumeRole, plus sts:TagSession when tags are passed, plus
 * sts:SetSourceIdentity when a source identity is (IAM User Guide, id_session-tags and
 * id_credentials_temp_control-access_monitor): the call works only if every one is allowed.
 */
import type { AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { Template } from 'aws-cdk-lib/assertions';
import { buildBlueprint } from '../../../../lib/blueprint/app';
import { TenantCredentialVendor, TenantCredentialVendorProps } from '../../../../lib/boundaries/identity/runtime/tenant-credentials';
import { newTestApp, testRegistry } from '../../../helpers/app';
import { arnOf, Decision, evaluate, PolicyDocument } from '../../../helpers/iam-attack';
import { RecordingStsDouble } from '../../../helpers/recording-sts-double';
import { logicalIdsOfType, resolve, TemplateJson } from '../../../helpers/template-resolver';
import { newTestIssuer, TestIssuer } from '../../../helpers/token-issuer';

const blueprint = buildBlueprint(newTestApp(), { registry: testRegistry(['acme', 'acme-corp']) });
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const roleId = logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => platform.Resources[id].Properties?.RoleName === 'tib-TenantAccessRole')!;
const roleArn = arnOf(platform, roleId);
const trust = resolve(platform, platform.Resources[roleId].Properties!.AssumeRolePolicyDocument) as PolicyDocument;
const broker = arnOf(
  platform,
  logicalIdsOfType(platform, 'AWS::IAM::Role').find((id) => id.startsWith('DemoBrokerRole'))!,
);

const RANK: Record<Decision, number> = { Allowed: 0, ImplicitlyDenied: 1, ExplicitlyDenied: 2 };

/** What IAM decides for the AssumeRole call `input`, made by `caller`. */
async function authorize(input: AssumeRoleCommandInput, caller = broker): Promise<Decision> {
  const context: Record<string, string | string[]> = {};
  for (const t of input.Tags ?? []) context[`aws:RequestTag/${t.Key}`] = t.Value!;
  if (input.Tags) context['aws:TagKeys'] = input.Tags.map((t) => t.Key!);
  if (input.SourceIdentity !== undefined) context['sts:SourceIdentity'] = input.SourceIdentity;
  const actions = ['sts:AssumeRole', ...(input.Tags ? ['sts:TagSession'] : []), ...(input.SourceIdentity !== undefined ? ['sts:SetSourceIdentity'] : [])];
  let worst: Decision = 'Allowed';
  for (const action of actions) {
    const d = await evaluate({ roleArn: caller, action, resource: input.RoleArn!, identityPolicies: [], resourcePolicy: trust, context });
    if (RANK[d] > RANK[worst]) worst = d;
  }
  return worst;
}

let idp: TestIssuer;
beforeAll(async () => {
  idp = await newTestIssuer();
});

async function vendedRequest(props: Partial<TenantCredentialVendorProps>, tenant = 'acme', subject = 'user-42'): Promise<AssumeRoleCommandInput> {
  const sts = new RecordingStsDouble();
  const vendor = new TenantCredentialVendor({ roleArn, sts, region: 'eu-west-1', ...props });
  await vendor.credentials(await idp.context(tenant, subject));
  expect(sts.requests).toHaveLength(1);
  return sts.requests[0];
}

describe('the vended AssumeRole request, evaluated against the synthesized trust policy', () => {
  test('without a source identity: allowed', async () => {
    expect(await authorize(await vendedRequest({}))).toBe('Allowed');
  });

  test("sourceIdentity 'subject' sends app.<sub> and is ALLOWED (it used to send the bare sub, which the trust refuses)", async () => {
    const input = await vendedRequest({ sourceIdentity: 'subject' });
    expect(input.SourceIdentity).toBe('app.user-42');
    expect(await authorize(input)).toBe('Allowed');
  });

  test('a function source identity is prefixed too, and allowed', async () => {
    const input = await vendedRequest({ sourceIdentity: (ctx) => `${ctx.subject}@${ctx.tenant.value}` }, 'acme-corp', 'bob');
    expect([input.SourceIdentity, input.Tags]).toEqual(['app.bob@acme-corp', [{ Key: 'TenantId', Value: 'acme-corp' }]]);
    expect(await authorize(input)).toBe('Allowed');
  });

  test('the same request with a source identity that is not app.-prefixed is DENIED by the trust', async () => {
    const input = await vendedRequest({ sourceIdentity: 'subject' });
    expect(await authorize({ ...input, SourceIdentity: 'user-42' })).toBe('ImplicitlyDenied');
    expect(await authorize({ ...input, SourceIdentity: 'app.' })).toBe('ImplicitlyDenied');
  });

  test('the vended request made by any principal other than the broker is denied', async () => {
    const input = await vendedRequest({ sourceIdentity: 'subject' });
    expect(await authorize(input, 'arn:aws:iam::123456789012:role/someone-else')).toBe('ImplicitlyDenied');
  });
});
