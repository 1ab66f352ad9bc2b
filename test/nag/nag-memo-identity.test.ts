/**
 * The synth-time memos of the nag walk change no result: AwsSolutions and TenantIsolationChecks
 * reports with the memos on (lib/nag/inspect/tree-memo.ts, lib/nag/inspect/memo.ts, the cache
 * rule's memo) equal, byte for byte, the reports of the same packs with nothing memoized, on the
 * demo app and on a generated app of 120 tenants with violations planted in single tenant stacks
 * (an L1 property, a raw override, a per-tenant acknowledgement). And the tree memo itself never
 * serves a list across a change of the tree.
 */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { Construct, ConstructOrder } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildBlueprint } from '../../lib/blueprint/app';
import { generatedRegistry } from '../../lib/core/generated-registry';
import { loadRegistry } from '../../lib/core/registry';
import { acknowledgeFinding } from '../../lib/nag/acknowledge';
import { withFindAllMemo } from '../../lib/nag/inspect/tree-memo';
import { TenantIsolationChecks } from '../../lib/nag/tenant-isolation-checks';
import { newTestApp } from '../helpers/app';

jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..', '..');

/** The pack's report with nothing memoized: cdk-nag's own walk, no memo of ours around it. */
function unmemoized(pack: NagPack, app: App): string {
  return JSON.stringify(NagPack.prototype.validateScope.call(pack, app));
}

/** The pack's report as `cdk synth` gets it: every memo on. */
function memoized(pack: NagPack, app: App): string {
  return JSON.stringify(withFindAllMemo(() => pack.validateScope(app)));
}

function planted(app: App, count: number): void {
  const blueprint = buildBlueprint(app, { registry: generatedRegistry(count) });
  const byId = (id: string) => blueprint.tenants.find((t) => t.tenant.id.value === id)!;
  // L1: a queue without TLS-only policy or DLQ (AwsSolutions-SQS3/SQS4: the rules that search the stack).
  new sqs.Queue(byId('t0057'), 'PlantedQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  // Raw override: an unscoped grant written over a tenant policy's document.
  const victim = byId('t0083');
  const role = iam.Role.fromRoleName(victim, 'PlantedRole', 'planted-worker');
  const policy = new iam.Policy(victim, 'PlantedGrant', {
    roles: [role],
    statements: [new iam.PolicyStatement({ sid: 'Scoped', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::tib-pool/tenants/t0083/*'] })],
  });
  (policy.node.defaultChild as CfnResource).addPropertyOverride('PolicyDocument.Statement.0.Resource', 'arn:aws:s3:::tib-pool/*');
  // A per-tenant acknowledgement: the same queue in two stacks, acknowledged in one only.
  for (const id of ['t0091', 't0092']) new sqs.Queue(byId(id), 'AckQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  acknowledgeFinding(byId('t0091').node.findChild('AckQueue'), 'AwsSolutions-SQS3', 'test: acknowledged in this tenant only');
}

describe.each([
  ['the demo app (tenants.json)', (app: App) => void buildBlueprint(app, { registry: loadRegistry(path.join(ROOT, 'tenants.json')) })],
  ['120 generated tenants with planted violations', (app: App) => planted(app, 120)],
])('%s', (_name, build) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-memo-identity-'));
  const app = newTestApp({ outdir, builtinCloudFormationValidation: false, context: { elasticacheQuotas: { users: 2000, userGroups: 200 } } });
  build(app);
  app.synth();
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks(app, { verbose: true })],
    ['TenantIsolationChecks', () => new TenantIsolationChecks(app, { verbose: true })],
  ])('%s: the memoized report equals the unmemoized one', (_pack, make) => {
    const without = unmemoized(make(), app);
    expect(memoized(make(), app)).toBe(without);
    expect(without.length).toBeGreaterThan(10);
  });
});

test('the planted findings are there, in their own stacks only (the comparison above is not of empty reports)', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-memo-planted-'));
  try {
    const app = newTestApp({ outdir, builtinCloudFormationValidation: false, context: { elasticacheQuotas: { users: 2000, userGroups: 200 } } });
    planted(app, 120);
    app.synth();
    const aws = withFindAllMemo(() => new AwsSolutionsChecks(app, { verbose: true }).validateScope(app));
    const ti = new TenantIsolationChecks(app, { verbose: true }).validateScope(app);
    const paths = (report: typeof aws, rule: string) =>
      report.violations.filter((v) => v.ruleName === rule).flatMap((v) => v.violatingResources.map((r) => r.constructPath));
    expect(paths(aws, 'AwsSolutions-SQS3')).toEqual(['Tenant-t0057/PlantedQueue/Resource', 'Tenant-t0092/AckQueue/Resource']);
    expect(paths(aws, 'AwsSolutions-SQS4')).toEqual(['Tenant-t0057/PlantedQueue/Resource', 'Tenant-t0091/AckQueue/Resource', 'Tenant-t0092/AckQueue/Resource']);
    expect(paths(ti, 'TI-IAM1[Scoped]')).toEqual(['Tenant-t0083/PlantedGrant/Resource']);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('the tree memo serves fresh copies and forgets on every change of the tree', () => {
  const app = new App();
  const stack = new Stack(app, 'S');
  new Construct(stack, 'A');
  withFindAllMemo(() => {
    const first = stack.node.findAll();
    first.pop();
    expect(stack.node.findAll().map((c) => c.node.id)).toEqual(['S', 'A']);
    new Construct(stack, 'B'); // added during the walk
    expect(stack.node.findAll().map((c) => c.node.id)).toEqual(['S', 'A', 'B']);
    expect(stack.node.findAll(ConstructOrder.POSTORDER).map((c) => c.node.id)).toEqual(['A', 'B', 'S']);
    stack.node.tryRemoveChild('A');
    expect(stack.node.findAll().map((c) => c.node.id)).toEqual(['S', 'B']);
  });
  // Off again outside the walk.
  new Construct(stack, 'C');
  expect(stack.node.findAll().map((c) => c.node.id)).toEqual(['S', 'B', 'C']);
});
