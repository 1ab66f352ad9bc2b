/**
 * The probe classes of docs/audit.md ("What the probes cover"), each proven on the demo app:
 * synthesize the blueprint once, plant one real cross-tenant exposure into a copy of the
 * assembly, and assert the exact finding (rule, where to fix it, action). The unplanted copy
 * stays clean, so each finding comes from the plant.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runAudit } from '../../lib/audit/audit';
import { Finding } from '../../lib/audit/findings';
import { sessionContextFromTrust, trustAllows } from '../../lib/audit/session-context';
import { tmpDir } from './fixtures/assembly-builder';
import { BLUEPRINT_CONFIG, prefixPairAndSiloRegistry, synthBlueprint } from './fixtures/synth-blueprint';

const REGISTRY = prefixPairAndSiloRegistry();
const CONFIG = BLUEPRINT_CONFIG;
const PLATFORM = 'Platform.template.json';

interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}
interface PolicyDoc {
  Statement: Array<Record<string, unknown>>;
}

let outdir: string;
beforeAll(() => {
  outdir = synthBlueprint(REGISTRY, tmpDir('blind-spots'));
}, 120_000);

/** The logical id of the resource of `type` whose id starts with `prefix` (CDK adds a hash). */
function idOf(t: Template, type: string, prefix: string): string {
  const ids = Object.keys(t.Resources).filter((k) => t.Resources[k].Type === type && k.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

function policyOf(t: Template, id: string): PolicyDoc {
  return t.Resources[id].Properties.PolicyDocument as PolicyDoc;
}

/** Removes the statements with these Sids; fails if one is missing (the plant must be real). */
function dropSids(doc: PolicyDoc, sids: readonly string[]): void {
  for (const sid of sids) expect(doc.Statement.map((s) => s.Sid)).toContain(sid);
  doc.Statement = doc.Statement.filter((s) => !sids.includes(s.Sid as string));
}

/** A copy of the assembly with the platform template (and any other, by file name) edited. */
async function audited(plant: (t: Template) => void, others: Record<string, (t: Template) => void> = {}) {
  const copy = tmpDir('blind-spot');
  fs.cpSync(outdir, copy, { recursive: true });
  for (const [name, edit] of Object.entries({ [PLATFORM]: plant, ...others })) {
    const file = path.join(copy, name);
    const t = JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
    edit(t);
    fs.writeFileSync(file, JSON.stringify(t));
  }
  return runAudit(copy, { config: CONFIG });
}

const failing = (fs: readonly Finding[]) => fs.filter((f) => f.severity !== 'note');
const at = (fs: readonly Finding[], rule: string, logicalId: string) => fs.filter((f) => f.rule === rule && f.logicalId === logicalId);
const TENANT_ROLE_POLICY = (t: Template) => idOf(t, 'AWS::IAM::Policy', 'TenantAccessRoleDefaultPolicy');
const POOL_BUCKET_POLICY = (t: Template) => idOf(t, 'AWS::S3::BucketPolicy', 'PoolStorageBucketPolicy');
const POOL_BUCKET_NAME = 'tib-tenant-data-111111111111-us-east-1';

test('control: the unplanted assembly is clean and every tenant session is allowed some of its own data', async () => {
  const r = await runAudit(outdir, { config: CONFIG });
  expect(failing(r.findings)).toEqual([]);
  const support = r.matrix.coverage.find((c) => c.principal.name === 'tib-SupportAccessRole')!;
  expect(support.ownAllowed).toBeGreaterThan(0);
});

test('1. session context: SupportAccessRole without its tenant scoping plus s3:GetObject on * is found (the probe session passes the trust: ticket tag, source identity, MFA)', async () => {
  let guard = '';
  const r = await audited((t) => {
    guard = idOf(t, 'AWS::IAM::Policy', 'SupportSupportAccessRoleGuardrails');
    dropSids(policyOf(t, guard), ['DenyObjectReadsOutsideTenantPrefix', 'DenyListingOutsideTenantPrefix', 'DenyOtherTenantsQueues']);
    dropSids(policyOf(t, POOL_BUCKET_POLICY(t)), ['DenySupportRoleOutsideOwnPrefix', 'DenySupportRoleListingOutsideOwnPrefix']);
    dropSids(policyOf(t, idOf(t, 'AWS::IAM::ManagedPolicy', 'PoolStorageSupportStorageRead')), ['SupportTenantObjectsRead']);
    policyOf(t, guard).Statement.push({ Sid: 'PlantedGetAnything', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
  });
  const hits = at(r.findings, 'TI-UNSCOPED-GRANT', guard).filter((f) => f.action === 's3:GetObject' && f.statementSid === 'PlantedGetAnything');
  expect(hits.length).toBeGreaterThan(0);
  expect(hits.every((f) => f.principal?.endsWith(':role/tenant-isolation/tib-SupportAccessRole') && f.tenants?.actingAs !== f.tenants?.victim)).toBe(true);
});

test('1b. session context, solved: a trust that requires the ticket tag by Null and refuses malformed values by StringNotLike only still yields a session that passes it', async () => {
  let guard = '';
  const r = await audited((t) => {
    guard = idOf(t, 'AWS::IAM::Policy', 'SupportSupportAccessRoleGuardrails');
    dropSids(policyOf(t, guard), ['DenyObjectReadsOutsideTenantPrefix', 'DenyListingOutsideTenantPrefix', 'DenyOtherTenantsQueues']);
    dropSids(policyOf(t, POOL_BUCKET_POLICY(t)), ['DenySupportRoleOutsideOwnPrefix', 'DenySupportRoleListingOutsideOwnPrefix']);
    policyOf(t, guard).Statement.push({ Sid: 'PlantedGetAnything', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    const role = t.Resources[idOf(t, 'AWS::IAM::Role', 'SupportSupportAccessRole')].Properties.AssumeRolePolicyDocument as PolicyDoc;
    const tagging = role.Statement.find((st) => st.Action === 'sts:TagSession')!;
    const cond = tagging.Condition as Record<string, Record<string, unknown>>;
    delete cond.StringLike['aws:RequestTag/SupportTicket'];
    cond.Null = { 'aws:RequestTag/SupportTicket': 'false' };
  });
  const hits = at(r.findings, 'TI-UNSCOPED-GRANT', guard).filter((f) => f.action === 's3:GetObject' && f.statementSid === 'PlantedGetAnything');
  expect(hits.length).toBeGreaterThan(0);
  const support = r.inventory.principals.find((p) => p.name === 'tib-SupportAccessRole')!;
  const ticket = sessionContextFromTrust(support)['aws:PrincipalTag/SupportTicket'];
  expect(ticket).toBeDefined();
  expect(trustAllows(support, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'])).toBe(true);
});

test('2. object keys: a grant on tenants/*/shared/* (text after the tenant wildcard) is found at tenants/<victim>/shared/x', async () => {
  let policy = '';
  const r = await audited((t) => {
    policy = TENANT_ROLE_POLICY(t);
    dropSids(policyOf(t, POOL_BUCKET_POLICY(t)), ['DenyTenantRoleOutsideOwnPrefix']);
    policyOf(t, policy).Statement.push({
      Sid: 'PlantedSharedFolders',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${POOL_BUCKET_NAME}/tenants/*/shared/*`,
    });
  });
  // The statement names the tib-tenant-data bucket: it mentions tenants, so the rule is TI-CROSS-TENANT.
  const hits = at(r.findings, 'TI-CROSS-TENANT', policy).filter((f) => f.statementSid === 'PlantedSharedFolders');
  expect(hits.map((f) => f.action)).toEqual(['s3:GetObject']);
  const leaks = r.matrix.leaks.filter((l) => l.allowedBy.some((s) => s.sid === 'PlantedSharedFolders') && l.probe.victim !== l.probe.actingAs);
  expect(leaks.map((l) => l.probe.resourceArn)).toContain(`arn:aws:s3:::${POOL_BUCKET_NAME}/tenants/acme/shared/x`);
  // The default key (tenants/<victim>/audit-probe) does not match the pattern: only the derived shapes do.
  expect(leaks.every((l) => /\/shared\/x$/.test(l.probe.resourceArn))).toBe(true);
});

test('2b. listing prefixes: s3:ListBucket under StringLike s3:prefix tenants/*/public/* is found with the prefix tenants/<victim>/public/', async () => {
  let policy = '';
  const r = await audited((t) => {
    policy = TENANT_ROLE_POLICY(t);
    dropSids(policyOf(t, POOL_BUCKET_POLICY(t)), ['DenyTenantRoleListingOutsideOwnPrefix']);
    policyOf(t, policy).Statement.push({
      Sid: 'PlantedPublicListing',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${POOL_BUCKET_NAME}`,
      Condition: { StringLike: { 's3:prefix': 'tenants/*/public/*' } },
    });
  });
  const hits = at(r.findings, 'TI-CROSS-TENANT', policy).filter((f) => f.statementSid === 'PlantedPublicListing');
  expect(hits.map((f) => f.action)).toEqual(['s3:ListBucket']);
  const prefixes = r.matrix.leaks
    .filter((l) => l.allowedBy.some((s) => s.sid === 'PlantedPublicListing') && l.probe.victim === 'acme' && l.probe.actingAs !== 'acme')
    .map((l) => l.probe.request.context['s3:prefix']?.[0]);
  expect(prefixes).toContain('tenants/acme/public/');
  // The victim's plain namespace (tenants/acme/) does not match the pattern: only the derived prefixes do.
  expect(prefixes).not.toContain('tenants/acme/');
});

const MANAGEMENT_ACTIONS = [
  'kms:CreateGrant',
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  's3:PutBucketPolicy',
  's3:PutLifecycleConfiguration',
  's3:PutObjectAcl',
  'sqs:AddPermission',
  'sqs:SetQueueAttributes',
];

const plantManagement = (t: Template) => {
  policyOf(t, TENANT_ROLE_POLICY(t)).Statement.push({ Sid: 'PlantedManagement', Effect: 'Allow', Action: MANAGEMENT_ACTIONS, Resource: '*' });
};
const managementHits = (r: Awaited<ReturnType<typeof audited>>, t: string) =>
  failing(r.findings).filter((f) => f.logicalId === t && f.statementSid === 'PlantedManagement');

test('3. dataset actions: management actions on * (key policy, grants, deletion, bucket policy, ACLs, lifecycle, queue attributes and permissions) are each found', async () => {
  let policy = '';
  // The app refuses other tenants' sessions every S3 and SQS action in resource policies and the
  // jobs policy (defence in depth): plant their removal too (pool bucket, a silo bucket, a queue).
  const dropDenies = (type: string, prefix: string, sids: string[]) => (t: Template) => dropSids(policyOf(t, idOf(t, type, prefix)), sids);
  const r = await audited(
    (t) => {
      policy = TENANT_ROLE_POLICY(t);
      plantManagement(t);
      dropSids(policyOf(t, POOL_BUCKET_POLICY(t)), ['DenyTenantRoleBucketConfiguration', 'DenyTenantRoleOutsideOwnPrefix']);
      dropSids(policyOf(t, idOf(t, 'AWS::IAM::ManagedPolicy', 'JobsAccessPolicy')), ['DenyQueuesOfOtherTenants']);
    },
    {
      'Tenant-globex.template.json': dropDenies('AWS::S3::BucketPolicy', 'SiloStorageBucketPolicy', ['DenyOtherTenantSessions']),
      'Tenant-acme.template.json': dropDenies('AWS::SQS::QueuePolicy', 'JobsQueuePolicy', ['DenyOtherTenantSessions', 'DenyOtherTenantWorkers']),
    },
  );
  const hits = managementHits(r, policy);
  expect([...new Set(hits.map((f) => f.action))].sort()).toEqual(MANAGEMENT_ACTIONS);
  // On a tenant-owned store a tenant session reaches another tenant's; on a pooled one every tenant's at once.
  expect(hits.filter((f) => f.action === 'kms:PutKeyPolicy').map((f) => f.rule)).toContain('TI-UNSCOPED-GRANT');
  expect(hits.filter((f) => f.action === 's3:PutBucketPolicy').map((f) => `${f.rule} ${f.tenants?.victim}`)).toEqual(
    expect.arrayContaining(['TI-CROSS-TENANT-LISTING *', 'TI-UNSCOPED-GRANT globex']),
  );
  expect(hits.filter((f) => f.action === 's3:PutObjectAcl').map((f) => f.resource)).toContain(`arn:aws:s3:::${POOL_BUCKET_NAME}/tenants/acme/audit-probe`);
  expect(hits.filter((f) => f.action === 'sqs:AddPermission').map((f) => f.tenants?.victim)).toEqual(expect.arrayContaining(['acme']));
});

test('3b. dataset actions, as deployed: the resource policies refuse S3 and SQS management; the keys the tenant role may manage are named', async () => {
  let policy = '';
  const r = await audited((t) => {
    policy = TENANT_ROLE_POLICY(t);
    plantManagement(t);
  });
  expect([...new Set(managementHits(r, policy).map((f) => f.action))].sort()).toEqual(['kms:CreateGrant', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion']);
});

test('4. influenceable keys: tenants/* under ForAnyValue:StringEquals aws:CalledVia = athena.amazonaws.com is found (the probe goes through Athena)', async () => {
  let policy = '';
  const r = await audited((t) => {
    policy = TENANT_ROLE_POLICY(t);
    dropSids(policyOf(t, POOL_BUCKET_POLICY(t)), ['DenyTenantRoleOutsideOwnPrefix']);
    policyOf(t, policy).Statement.push({
      Sid: 'PlantedViaAthena',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${POOL_BUCKET_NAME}/tenants/*`,
      Condition: { 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } },
    });
  });
  const hits = at(r.findings, 'TI-CROSS-TENANT', policy).filter((f) => f.statementSid === 'PlantedViaAthena');
  expect(hits.map((f) => f.action)).toEqual(['s3:GetObject']);
  const leak = r.matrix.leaks.find((l) => l.allowedBy.some((s) => s.sid === 'PlantedViaAthena'))!;
  expect(leak.probe.request.context['aws:calledvia']).toEqual(['athena.amazonaws.com']);
});

test('5. role chains: TenantAccessRole allowed sts:AssumeRole into a platform role with s3:* is found at the assume statement', async () => {
  let policy = '';
  const r = await audited((t) => {
    policy = TENANT_ROLE_POLICY(t);
    t.Resources.PlantedOpsRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'tib-planted-ops',
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111111111111:root' } }] },
        Policies: [{ PolicyName: 'ops', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }],
      },
    };
    policyOf(t, policy).Statement.push({ Sid: 'PlantedChain', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::111111111111:role/tib-planted-ops' });
  });
  const hits = at(r.findings, 'TI-ROLE-CHAIN', policy).filter((f) => f.statementSid === 'PlantedChain');
  expect(hits.length).toBeGreaterThan(0);
  expect(hits.every((f) => f.principal === 'arn:aws:iam::111111111111:role/tenant-isolation/tib-TenantAccessRole' && f.action?.startsWith('s3:'))).toBe(true);
  expect(hits[0].why).toContain('tib-TenantAccessRole -> tib-planted-ops');
});

test('5b. role chains, transitively: a platform role that only assumes a second one, which has s3:*, counts for the tenant at the first hop', async () => {
  let policy = '';
  const role = (name: string, statement: Record<string, unknown>) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: name,
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111111111111:root' } }] },
      Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [statement] } }],
    },
  });
  const r = await audited((t) => {
    policy = TENANT_ROLE_POLICY(t);
    t.Resources.PlantedHopRole = role('tib-planted-hop', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::111111111111:role/tib-planted-data' });
    t.Resources.PlantedDataRole = role('tib-planted-data', { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    policyOf(t, policy).Statement.push({ Sid: 'PlantedFirstHop', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::111111111111:role/tib-planted-hop' });
  });
  const hits = at(r.findings, 'TI-ROLE-CHAIN', policy).filter((f) => f.statementSid === 'PlantedFirstHop');
  expect([...new Set(hits.map((f) => f.action))]).toEqual(['s3:GetObject']);
  expect(hits[0].why).toContain('tib-TenantAccessRole -> tib-planted-hop -> tib-planted-data');
});

test('5c. role chains reach the database master too: a platform role that reads every secret, assumable by the tenant role', async () => {
  let policy = '';
  const r = await audited((t) => {
    policy = TENANT_ROLE_POLICY(t);
    t.Resources.PlantedSecretsRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'tib-planted-secrets',
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111111111111:root' } }] },
        Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] } }],
      },
    };
    policyOf(t, policy).Statement.push({
      Sid: 'PlantedSecretsHop',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: 'arn:aws:iam::111111111111:role/tib-planted-secrets',
    });
  });
  const hits = at(r.findings, 'TI-ROLE-CHAIN', policy).filter((f) => f.statementSid === 'PlantedSecretsHop' && f.action === 'secretsmanager:GetSecretValue');
  expect(hits.map((f) => f.principal)).toContain('arn:aws:iam::111111111111:role/tenant-isolation/tib-TenantAccessRole');
  expect(hits.find((f) => /master credentials/.test(f.why))?.why).toContain('tib-TenantAccessRole -> tib-planted-secrets');
});

test('6. database master path: rds-data:* with the master secret, and rds-db:connect as the master user, on the untagged pool cluster', async () => {
  let policy = '';
  const r = await audited((t) => {
    policy = TENANT_ROLE_POLICY(t);
    policyOf(t, policy).Statement.push(
      { Sid: 'PlantedDataApi', Effect: 'Allow', Action: 'rds-data:*', Resource: '*' },
      { Sid: 'PlantedSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
      { Sid: 'PlantedIamAuth', Effect: 'Allow', Action: 'rds-db:connect', Resource: 'arn:aws:rds-db:*:*:dbuser:*/platform_admin' },
    );
  });
  const hits = at(r.findings, 'TI-ALL-TENANTS', policy).filter((f) => f.principal?.endsWith('/tib-TenantAccessRole'));
  expect(hits.map((f) => [f.action, f.statementSid]).sort()).toEqual([
    ['rds-data:ExecuteStatement', 'PlantedDataApi'],
    ['rds-db:connect', 'PlantedIamAuth'],
    ['secretsmanager:GetSecretValue', 'PlantedSecrets'],
  ]);
  expect(hits.find((f) => f.action === 'rds-data:ExecuteStatement')!.resource).toMatch(/:cluster:tib-platform-databasecluster/);
});
