/**
 * The whole blueprint under both packs, as `npx cdk synth` runs them (applyNagPacks):
 * zero unacknowledged findings, and every acknowledgement listed here for review.
 *
 * When a merged boundary brings a finding, the first test fails with the exact rule id (with its
 * finding) and construct path: fix the construct, or acknowledge that finding on that construct
 * with a reason and add the row to ACKNOWLEDGED below.
 */
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NagPack } from 'cdk-nag';
import { nagPacksFor, TenantIsolationChecks } from '../../lib/nag';
import { newTestApp, testBlueprint } from '../helpers/app';
import { runPack } from './support';

/** Tenants whose ids share a prefix (acme, acme-corp), both tiers. */
const TENANTS = ['acme', 'acme-corp', 'globex:silo'];

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/**
 * Every cdk-nag acknowledgement in the app (AwsSolutions-* and TI-*), sorted. Read by a reviewer:
 * a new row here is a new exception to the checks.
 */
const ACKNOWLEDGED: ReadonlyArray<Omit<Acknowledgement, 'reason'>> = [
  { path: 'Platform/AccessLogsBucket/Policy/Resource', id: 'TI-IAM3[DenyAllTenantSessions::Null:aws:PrincipalTag/TenantId]' },
  {
    path: 'Platform/Analytics/DeliveryRole/DefaultPolicy/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tib-analytics-<AWS::AccountId>-<AWS::Region>/analytics-errors/*]',
  },
  {
    path: 'Platform/Analytics/DeliveryRole/DefaultPolicy/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tib-analytics-<AWS::AccountId>-<AWS::Region>/tenants/*/analytics/*]',
  },
  { path: 'Platform/Analytics/DeliveryRole/DefaultPolicy/Resource', id: 'TI-IAM1[BucketForDelivery]' },
  { path: 'Platform/Analytics/DeliveryRole/DefaultPolicy/Resource', id: 'TI-IAM1[KeyForDeliveredObjects]' },
  { path: 'Platform/Analytics/DeliveryRole/DefaultPolicy/Resource', id: 'TI-IAM1[WritePartitionsAndErrors]' },
  { path: 'Platform/Analytics/IntegrityKey/Resource', id: 'AwsSolutions-SMG4' },
  { path: 'Platform/Analytics/Key/Resource', id: 'TI-IAM1[#2]' },
  {
    path: 'Platform/Analytics/TenantAnalyticsAccess/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tib-analytics-<AWS::AccountId>-<AWS::Region>/tenants/<aws:PrincipalTag/TenantId>/analytics/*]',
  },
  {
    path: 'Platform/Analytics/TenantAnalyticsAccess/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tib-analytics-<AWS::AccountId>-<AWS::Region>/tenants/<aws:PrincipalTag/TenantId>/athena-results/*]',
  },
  { path: 'Platform/Cache/Cell0/DefaultUserSecret', id: 'AwsSolutions-SMG4' },
  { path: 'Platform/Cache/Cell0/DefaultUserSecret', id: 'TI-RETAIN1[DeletionPolicy::Delete]' },
  { path: 'Platform/Cache/Cell0/DefaultUserSecret', id: 'TI-RETAIN1[UpdateReplacePolicy::Delete]' },
  { path: 'Platform/Cache/Cell0/Secret-acme', id: 'AwsSolutions-SMG4' },
  { path: 'Platform/Cache/Cell0/Secret-acme', id: 'TI-RETAIN1[DeletionPolicy::Delete]' },
  { path: 'Platform/Cache/Cell0/Secret-acme', id: 'TI-RETAIN1[UpdateReplacePolicy::Delete]' },
  { path: 'Platform/Cache/Cell0/Secret-acme-corp', id: 'AwsSolutions-SMG4' },
  { path: 'Platform/Cache/Cell0/Secret-acme-corp', id: 'TI-RETAIN1[DeletionPolicy::Delete]' },
  { path: 'Platform/Cache/Cell0/Secret-acme-corp', id: 'TI-RETAIN1[UpdateReplacePolicy::Delete]' },
  { path: 'Platform/Cache/Key/Resource', id: 'TI-IAM3[DenyAllTenantSessions::Null:aws:PrincipalTag/TenantId]' },
  { path: 'Platform/Cache/Silo-globex/DefaultUserSecret', id: 'AwsSolutions-SMG4' },
  { path: 'Platform/Cache/Silo-globex/DefaultUserSecret', id: 'TI-RETAIN1[DeletionPolicy::Delete]' },
  { path: 'Platform/Cache/Silo-globex/DefaultUserSecret', id: 'TI-RETAIN1[UpdateReplacePolicy::Delete]' },
  { path: 'Platform/Cache/Silo-globex/Secret-globex', id: 'AwsSolutions-SMG4' },
  { path: 'Platform/Cache/Silo-globex/Secret-globex', id: 'TI-RETAIN1[DeletionPolicy::Delete]' },
  { path: 'Platform/Cache/Silo-globex/Secret-globex', id: 'TI-RETAIN1[UpdateReplacePolicy::Delete]' },
  { path: 'Platform/Cache/SiloKey-globex/Resource', id: 'TI-IAM3[DenyAllTenantSessions::Null:aws:PrincipalTag/TenantId]' },
  { path: 'Platform/Cdn/Distribution/Resource', id: 'AwsSolutions-CFR1' }, // no geo restriction: a tenant's users are anywhere
  { path: 'Platform/Cdn/Distribution/Resource', id: 'AwsSolutions-CFR2' }, // no WAF web ACL in the demo (docs/cdn.md)
  { path: 'Platform/Cdn/Distribution/Resource', id: 'AwsSolutions-CFR3' }, // legacy standard logs need a bucket with ACLs (docs/cdn.md)
  { path: 'Platform/Cdn/Distribution/Resource', id: 'AwsSolutions-CFR4' }, // the default *.cloudfront.net certificate pins TLSv1
  { path: 'Platform/Database/Key', id: 'TI-IAM1[#2]' },
  { path: 'Platform/Database/Key/Resource', id: 'TI-IAM3[DenyAllTenantSessions::Null:aws:PrincipalTag/TenantId]' },
  {
    path: 'Platform/EmailAccess/Policy/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*@<aws:PrincipalTag/TenantId>.mail.example.com]',
  },
  {
    path: 'Platform/EmailAccess/Policy/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:template/tib-tenant-<aws:PrincipalTag/TenantId>_*]',
  },
  {
    path: 'Platform/EmailAccess/Policy/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:tenant/tib-tenant-<aws:PrincipalTag/TenantId>/*]',
  },
  {
    path: 'Platform/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a',
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  },
  { path: 'Platform/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a', id: 'AwsSolutions-IAM5[Resource::*]' },
  {
    path: 'Platform/PoolStorage/SupportStorageRead/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tib-tenant-data-<AWS::AccountId>-<AWS::Region>/tenants/<aws:PrincipalTag/TenantId>/*]',
  },
  {
    path: 'Platform/PoolStorage/TenantStorageAccess/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tib-tenant-data-<AWS::AccountId>-<AWS::Region>/tenants/<aws:PrincipalTag/TenantId>/*]',
  },
  { path: 'Platform/PooledItems/Key/Resource', id: 'TI-IAM1[TenantSessionsUseKeyViaDynamoDB]' },
  { path: 'Platform/Search/Key/Resource', id: 'TI-IAM3[DenyAllTenantSessions::Null:aws:PrincipalTag/TenantId]' },
  {
    path: 'Platform/Search/TenantSearchAccess',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:es:<AWS::Region>:<AWS::AccountId>:domain/tib-search/tenant-<aws:PrincipalTag/TenantId>.*]',
  },
  { path: 'Platform/Support/Alert/Key/Resource', id: 'TI-IAM3[DenyAllTenantSessions::Null:aws:PrincipalTag/TenantId]' },
  { path: 'Platform/Support/AuditTrail/Bucket/Policy/Resource', id: 'TI-IAM3[DenyAllTenantSessions::Null:aws:PrincipalTag/TenantId]' },
  { path: 'Platform/Support/AuditTrail/Key/Resource', id: 'TI-IAM3[DenyAllTenantSessions::Null:aws:PrincipalTag/TenantId]' },
  { path: 'Platform/Support/BreakGlass/Permissions', id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]' },
  { path: 'Platform/Support/BreakGlass/Permissions', id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*/tenants/*]' },
  { path: 'Platform/Support/BreakGlass/Permissions', id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]' },
  { path: 'Platform/Support/BreakGlass/Permissions', id: 'TI-IAM1[DecryptViaS3]' },
  { path: 'Platform/Support/BreakGlass/Permissions', id: 'TI-IAM1[TenantListing]' },
  { path: 'Platform/Support/BreakGlass/Permissions', id: 'TI-IAM1[TenantObjectsRead]' },
  { path: 'Platform/Support/BreakGlass/Role', id: 'TI-SUPPORT1[#0::NoTenantTag]' },
  { path: 'Platform/Support/SupportAccessRole/Guardrails', id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:*]' },
  {
    path: 'Platform/TenantAccessRole/Role/DefaultPolicy/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/tib-tenant-<aws:PrincipalTag/TenantId>-items/index/*]',
  },
  {
    path: 'Platform/TenantAccessRole/Role/DefaultPolicy/Resource',
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/tib-tenant-items/index/*]',
  },
];

function acknowledgementsIn(app: App): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of app.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualified, reason] of Object.entries(entry.data as Record<string, string>)) {
        const id = qualified.replace(/^annotation::/i, '');
        if (/^(AwsSolutions|TI)-/.test(id)) out.push({ path: c.node.path, id, reason });
      }
    }
  }
  return out.sort((a, b) => `${a.path} ${a.id}`.localeCompare(`${b.path} ${b.id}`));
}

describe('whole app under AwsSolutions and TenantIsolationChecks', () => {
  const { app } = testBlueprint(TENANTS);
  const packs = nagPacksFor(app);

  test('both packs are on by default', () => {
    expect(packs.map((p) => p.name).sort()).toEqual(['AwsSolutions', 'TenantIsolationChecks'].sort());
  });

  test.each(packs.map((p) => [p.name, p] as const))('%s: zero unacknowledged findings', (_name, pack) => {
    expect(runPack(pack, app)).toEqual([]);
  });

  test('the acknowledgements are exactly the reviewed table', () => {
    const sorted = [...ACKNOWLEDGED].sort((a, b) => `${a.path} ${a.id}`.localeCompare(`${b.path} ${b.id}`));
    expect(acknowledgementsIn(app).map(({ path, id }) => ({ path, id }))).toEqual(sorted);
  });

  test('each acknowledgement names one finding on one resource, with a reason', () => {
    for (const ack of acknowledgementsIn(app)) {
      const construct = app.node.findAll().find((c) => c.node.path === ack.path);
      expect(construct).toBeDefined();
      // No blanket acknowledgements: not on the app or a whole stack.
      expect(construct === app || Stack.isStack(construct)).toBe(false);
      // AwsSolutions-IAM5 reports one finding per action/resource: name the one.
      if (ack.id.startsWith('AwsSolutions-IAM5')) expect(ack.id).toMatch(/^AwsSolutions-IAM5\[(Action|Resource)::.+\]$/);
      expect(ack.reason.length).toBeGreaterThanOrEqual(60);
    }
  });

  test('no acknowledgement is stale: each one suppresses a finding the packs really report', () => {
    const reported = packs.flatMap((pack) => {
      // Test-only: read the findings as if nothing were acknowledged (NagPack.isAcknowledged is private).
      const blind = Object.assign(Object.create(Object.getPrototypeOf(pack)) as NagPack, pack, { isAcknowledged: () => false });
      return runPack(blind, app);
    });
    for (const ack of acknowledgementsIn(app)) {
      expect(reported).toContainEqual(
        expect.objectContaining({ id: ack.id, path: expect.stringMatching(new RegExp(`^${ack.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/|$)`)) }),
      );
    }
  });
});

/** A rendered policy statement, as the template has it. */
type RenderedStatement = Record<string, unknown> & { Action?: unknown; Condition?: Record<string, Record<string, unknown>>; Principal?: unknown };

/** kms:Decrypt allowed only through Secrets Manager in the stack's region (what `Secret.grantRead` adds to a key). */
function decryptViaSecretsManagerOnly(st: RenderedStatement): void {
  expect(st.Effect).toBe('Allow');
  expect(st.Action).toBe('kms:Decrypt');
  expect(st.Condition).toEqual({
    StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
  });
}

/**
 * Acknowledgements that name a statement by its index (`[#n]`, a statement without a Sid, in
 * statements aws-cdk-lib writes), and what the statement at that index must be for the reason to
 * hold: if a change or a new aws-cdk-lib version moves another statement to that index, the
 * acknowledgement would silently cover it instead.
 */
const BY_INDEX: ReadonlyArray<{ path: string; id: string; document: string; is: (st: RenderedStatement) => void }> = [
  {
    path: 'Platform/Analytics/Key/Resource',
    id: 'TI-IAM1[#2]',
    document: 'KeyPolicy',
    is: (st) => {
      decryptViaSecretsManagerOnly(st);
      expect(JSON.stringify(st.Principal)).toContain('"AnalyticsTransformRole');
    },
  },
  {
    path: 'Platform/Database/Key',
    id: 'TI-IAM1[#2]',
    document: 'KeyPolicy',
    is: (st) => {
      decryptViaSecretsManagerOnly(st);
      expect(st.Principal).toEqual({ AWS: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseRlsBootstrapRole/), 'Arn'] } });
    },
  },
  {
    path: 'Platform/Support/BreakGlass/Role',
    id: 'TI-SUPPORT1[#0::NoTenantTag]',
    document: 'AssumeRolePolicyDocument',
    is: (st) => {
      // The break-glass trust: MFA and a source identity, and (what the finding is) no tenant tag.
      expect(st.Effect).toBe('Allow');
      expect(st.Action).toEqual(expect.arrayContaining(['sts:AssumeRole', 'sts:SetSourceIdentity']));
      expect(st.Condition?.Bool).toEqual({ 'aws:MultiFactorAuthPresent': 'true' });
      expect(JSON.stringify(st.Condition)).not.toContain('aws:RequestTag/TenantId');
    },
  },
];

describe('an acknowledgement by statement index names the statement its reason describes', () => {
  const { app } = testBlueprint(TENANTS);
  const acknowledged = acknowledgementsIn(app).filter((a) => /\[#\d+/.test(a.id));

  test('every index-based acknowledgement in the app is pinned here', () => {
    const key = (a: { path: string; id: string }) => `${a.path} ${a.id}`;
    expect(acknowledged.map(key).sort()).toEqual(BY_INDEX.map(key).sort());
  });

  test.each(BY_INDEX.map((pin) => [`${pin.path} ${pin.id}`, pin] as const))('%s', (_name, pin) => {
    const construct = app.node.findAll().find((c) => c.node.path === pin.path)!;
    const resource = (CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild) as CfnResource;
    const stack = Stack.of(resource);
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Properties: Record<string, { Statement: RenderedStatement[] }> }> };
    const statements = template.Resources[stack.getLogicalId(resource)].Properties[pin.document].Statement;
    // The index the acknowledgement names (`[#2]`, `[#0::NoTenantTag]`).
    pin.is(statements[Number(/\[#(\d+)/.exec(pin.id)![1])]);
  });
});

describe('a regression in the app is named by rule, finding and construct path', () => {
  test('an unscoped grant on the pool bucket to TenantAccessRole', () => {
    const { app, blueprint } = testBlueprint(['acme', 'acme-corp']);
    // What a well-meaning change might add: every object and the bucket key, for every tenant.
    blueprint.platform.storage.bucket.grantRead(blueprint.platform.tenantAccessRole.role);
    const findings = runPack(new TenantIsolationChecks(), app);
    expect(findings).toContainEqual({ id: expect.stringMatching(/^TI-IAM1\[.+\]$/), path: 'Platform/TenantAccessRole/Role/DefaultPolicy/Resource', error: false });
    expect(findings.every((f) => f.path === 'Platform/TenantAccessRole/Role/DefaultPolicy/Resource')).toBe(true);
  });
});

describe('-c tenantIsolationChecks', () => {
  test.each([
    [undefined, ['AwsSolutions', 'TenantIsolationChecks']],
    [true, ['AwsSolutions', 'TenantIsolationChecks']],
    [false, ['AwsSolutions']],
    ['false', ['AwsSolutions']],
  ])('%p -> %p', (value, expected) => {
    const app = newTestApp({ context: value === undefined ? {} : { tenantIsolationChecks: value } });
    expect(nagPacksFor(app).map((p) => p.name)).toEqual(expected);
  });
});
