/**
 * A valid cloud assembly is never refused: CDK's CfnJson values (Custom::AWSCDKCfnJson, read as
 * `Fn::GetAtt [<CfnJson>, 'Value']`, e.g. the EKS IRSA trust condition) are resolved from the
 * custom resource's properties, and a value that still cannot be read becomes a TI-UNRESOLVED
 * warning naming what the proof no longer covers, while the audit goes on.
 */
import { main } from '../../bin/cli';
import { runAudit } from '../../lib/audit/audit';
import { abacRole, poolBucket, SCOPED_POOL_STATEMENTS, tmpDir, writeAssembly } from './fixtures/assembly-builder';

const ISSUER = { 'Fn::Select': [1, { 'Fn::Split': ['//', { 'Fn::GetAtt': ['Cluster', 'OpenIdConnectIssuerUrl'] }] }] };

/** What aws-eks writes for a service account role (ServiceAccount -> OpenIdConnectPrincipal -> CfnJson). */
function irsa(condition: unknown): Record<string, Record<string, unknown>> {
  return {
    Cluster: { Type: 'Custom::AWSCDK-EKS-Cluster', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:provider' } },
    ConditionJson: {
      Type: 'Custom::AWSCDKCfnJson',
      Properties: {
        ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:cfnjson',
        Value: { 'Fn::Join': ['', ['{"', ISSUER, ':aud":"sts.amazonaws.com","', ISSUER, ':sub":"system:serviceaccount:default:app"}']] },
      },
    },
    AppServiceAccountRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRoleWithWebIdentity',
              Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X' },
              Condition: condition,
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'p',
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::pool-bucket/tenants/${aws:PrincipalTag/TenantId}/*' }] },
          },
        ],
      },
    },
  };
}

const tenantApp = (condition: unknown) => ({ Platform: { resources: { ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS), ...irsa(condition) } } });

test('1. the IRSA trust condition written through CfnJson is resolved, not refused', async () => {
  const dir = writeAssembly(tmpDir('cfnjson'), tenantApp({ StringEquals: { 'Fn::GetAtt': ['ConditionJson', 'Value'] } }));
  const r = await runAudit(dir);
  const role = r.inventory.principals.find((p) => p.source.logicalId === 'AppServiceAccountRole')!;
  expect(role.trust[0].conditions.map((c) => [c.operator, c.key.replace(/^.*:/, ''), c.values[0]])).toEqual([
    ['StringEquals', 'aud', 'sts.amazonaws.com'],
    ['StringEquals', 'sub', 'system:serviceaccount:default:app'],
  ]);
  expect(r.findings.filter((f) => f.rule === 'TI-UNRESOLVED' && f.severity !== 'note')).toEqual([]);
  const c = { out: [] as string[], err: [] as string[] };
  expect(await main(['audit', dir, '--quiet'], { stdout: (t) => c.out.push(t), stderr: (t) => c.err.push(t) })).toBe(0);
});

test('2. a condition block the audit cannot read: TI-UNRESOLVED warning naming the statement, and the audit goes on', async () => {
  const dir = writeAssembly(tmpDir('cfnjson-missing'), tenantApp({ StringEquals: { 'Fn::GetAtt': ['NoSuchJson', 'Value'] } }));
  const r = await runAudit(dir);
  const f = r.findings.filter((x) => x.rule === 'TI-UNRESOLVED' && x.severity === 'warning');
  expect(f.map((x) => x.logicalId)).toContain('AppServiceAccountRole');
  expect(
    f.find((x) => x.logicalId === 'AppServiceAccountRole' && /AssumeRolePolicyDocument\.Statement\[0\]\.Condition\.StringEquals could not be read/.test(x.why)),
  ).toBeDefined();
  // The rest of the app was still proven.
  expect(r.matrix.requests).toBeGreaterThan(0);
  expect(r.matrix.coverage.find((x) => x.principal.name === 'TenantRole')!.ownAllowed).toBeGreaterThan(0);
  const c = { out: [] as string[], err: [] as string[] };
  expect(await main(['audit', dir, '--quiet'], { stdout: (t) => c.out.push(t), stderr: (t) => c.err.push(t) })).toBe(1);
});

test('3. a malformed policy in itself is still bad input', async () => {
  const dir = writeAssembly(tmpDir('cfnjson-bad'), tenantApp({ StringEquals: ['not', 'an', 'object'] }));
  await expect(runAudit(dir)).rejects.toThrow(/Condition\.StringEquals must be an object/);
});
