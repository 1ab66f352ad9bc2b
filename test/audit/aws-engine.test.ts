/**
 * The `aws` engine (IAM SimulateCustomPolicy) without an AWS account: RecordedIamSimulatorDouble
 * stands in for IAM. It answers from recorded decisions in the SimulateCustomPolicy response shape
 * (written by hand from the IAM API Reference; no account is reachable here) and can throttle.
 * What is tested is our side: request shape, batching, paging, backoff, mapping of decisions.
 */
import { SimulateCustomPolicyCommand, SimulateCustomPolicyCommandOutput } from '@aws-sdk/client-iam';
import { runAudit } from '../../lib/audit/audit';
import { requestContext } from '../../lib/audit/engine/builtin-engine';
import { AwsSimulatorEngine, IamSimulatorClient, MAX_ITEMS } from '../../lib/audit/engine/aws-engine';
import { EngineItem } from '../../lib/audit/engine/engine';
import { parsePolicyDocument } from '../../lib/audit/policy-model';
import { abacRole, poolBucket, SCOPED_POOL_STATEMENTS, tmpDir, writeAssembly } from './fixtures/assembly-builder';

type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** A recorded-response double of IAM's SimulateCustomPolicy. */
class RecordedIamSimulatorDouble implements IamSimulatorClient {
  public readonly inputs: SimulateCustomPolicyCommand['input'][] = [];
  constructor(
    private readonly recorded: ReadonlyMap<string, EvalDecision>,
    private throttleFirst = 0,
    private readonly pageSize = 1000,
  ) {}
  public async send(cmd: SimulateCustomPolicyCommand): Promise<SimulateCustomPolicyCommandOutput> {
    this.inputs.push(cmd.input);
    if (this.throttleFirst > 0) {
      this.throttleFirst--;
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    }
    const all = (cmd.input.ActionNames ?? []).flatMap((a) =>
      (cmd.input.ResourceArns ?? ['*']).map((r) => ({
        EvalActionName: a,
        EvalResourceName: r,
        EvalDecision: this.recorded.get(`${a} ${r}`) ?? ('implicitDeny' as EvalDecision),
      })),
    );
    const start = cmd.input.Marker ? Number(cmd.input.Marker) : 0;
    const page = all.slice(start, start + this.pageSize);
    const more = start + this.pageSize < all.length;
    return { EvaluationResults: page, IsTruncated: more, ...(more ? { Marker: String(start + this.pageSize) } : {}), $metadata: {} };
  }
}

const ROLE = 'arn:aws:iam::111111111111:role/TenantRole';
const identity = parsePolicyDocument(
  { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/tenants/${aws:PrincipalTag/TenantId}/*' }] },
  undefined,
  't',
);
const item = (action: string, resource: string, tenant = 'acme'): EngineItem => ({
  request: { principalArn: ROLE, principalAccount: '111111111111', action, resource, context: requestContext({ 'aws:PrincipalTag/TenantId': tenant }) },
  policies: { identity },
});
const noSleep = { sleep: async () => undefined };

test('maps allowed / explicitDeny / implicitDeny and keeps policy variables for IAM to fill', async () => {
  const double = new RecordedIamSimulatorDouble(
    new Map<string, EvalDecision>([
      ['s3:GetObject arn:aws:s3:::b/tenants/acme/f', 'allowed'],
      ['s3:PutObject arn:aws:s3:::b/tenants/acme/f', 'explicitDeny'],
    ]),
  );
  const engine = new AwsSimulatorEngine(double, noSleep);
  const res = await engine.evaluateBatch([
    item('s3:GetObject', 'arn:aws:s3:::b/tenants/acme/f'),
    item('s3:PutObject', 'arn:aws:s3:::b/tenants/acme/f'),
    item('s3:GetObject', 'arn:aws:s3:::b/tenants/acme-corp/f'),
  ]);
  expect(res.map((r) => r.decision)).toEqual(['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']);
  expect(double.inputs).toHaveLength(1); // one group: same policies, caller and context
  const input = double.inputs[0];
  expect(input.PolicyInputList?.[0]).toContain('${aws:PrincipalTag/TenantId}');
  expect(input.CallerArn).toBe(ROLE);
  expect(input.ContextEntries).toContainEqual({ ContextKeyName: 'aws:principaltag/tenantid', ContextKeyValues: ['acme'], ContextKeyType: 'string' });
});

test(`batches at most ${MAX_ITEMS} requests per call, one group per session context, and follows paging`, async () => {
  const double = new RecordedIamSimulatorDouble(new Map(), 0, 7);
  const engine = new AwsSimulatorEngine(double, noSleep);
  const items = [
    ...Array.from({ length: 120 }, (_, i) => item('s3:GetObject', `arn:aws:s3:::b/tenants/acme/f${i}`)),
    ...Array.from({ length: 10 }, (_, i) => item('s3:GetObject', `arn:aws:s3:::b/tenants/acme/f${i}`, 'globex')),
  ];
  const res = await engine.evaluateBatch(items);
  expect(res).toHaveLength(130);
  const first = double.inputs.filter((i) => !i.Marker);
  expect(first.map((i) => i.ResourceArns?.length)).toEqual([50, 50, 20, 10]);
  expect(double.inputs.length).toBeGreaterThan(first.length); // pages of 7 were followed
});

test('backs off under throttling, then succeeds; gives up after maxRetries', async () => {
  const delays: number[] = [];
  const engine = new AwsSimulatorEngine(new RecordedIamSimulatorDouble(new Map(), 3), { ...noSleep, baseDelayMs: 100, onThrottle: (d) => delays.push(d) });
  await expect(engine.evaluateBatch([item('s3:GetObject', 'arn:aws:s3:::b/x')])).resolves.toHaveLength(1);
  expect(delays).toHaveLength(3);
  expect(delays[2]).toBeGreaterThan(delays[0]); // exponential
  const stubborn = new AwsSimulatorEngine(new RecordedIamSimulatorDouble(new Map(), 10), { ...noSleep, maxRetries: 2 });
  await expect(stubborn.evaluateBatch([item('s3:GetObject', 'arn:aws:s3:::b/x')])).rejects.toThrow('Rate exceeded');
});

test('runAudit with the aws engine reports what IAM allowed', async () => {
  const dir = writeAssembly(tmpDir('aws-engine'), { Platform: { resources: { ...poolBucket(), TenantRole: abacRole(SCOPED_POOL_STATEMENTS) } } });
  // The recording says IAM allowed acme to read acme-q's object (as if the policy were loose).
  const double = new RecordedIamSimulatorDouble(new Map([['s3:GetObject arn:aws:s3:::pool-bucket/tenants/acme-q/audit-probe', 'allowed' as EvalDecision]]));
  const r = await runAudit(dir, { engine: new AwsSimulatorEngine(double, noSleep) });
  expect(r.engine).toBe('aws');
  const f = r.findings.filter((x) => x.severity === 'error');
  expect(f.map((x) => [x.rule, x.action, x.resource])).toContainEqual(['TI-CROSS-TENANT', 's3:GetObject', 'arn:aws:s3:::pool-bucket/tenants/acme-q/audit-probe']);
  expect(f.every((x) => x.tenants?.victim === 'acme-q')).toBe(true);
});
