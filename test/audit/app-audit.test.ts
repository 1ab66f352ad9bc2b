/**
 * The project's own app audits clean: synthesize it with buildBlueprint to a temp folder and run
 * the audit on that folder, as CI would on cdk.out. Then attack: the same assembly with one
 * policy loosened must fail, which shows the clean result is not vacuous.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runAudit } from '../../lib/audit/audit';
import { loadConfig } from '../../lib/audit/config';
import { sessionContextFromTrust, trustAllows } from '../../lib/audit/session-context';
import { placedRegistry } from '../helpers/app';
import { tmpDir } from './fixtures/assembly-builder';
import { synthBlueprint } from './fixtures/synth-blueprint';

/** Placed in cache cells as the onboard CLI would. */
const REGISTRY = placedRegistry([
  { id: 'acme', tier: 'pool' },
  { id: 'acme-corp', tier: 'pool' },
  { id: 'globex', tier: 'silo' },
  { id: 'globex-eu', tier: 'silo' },
  { id: 'initech', tier: 'silo', status: 'retired' },
]);

/** The blueprint's own config (repo root, next to cdk.out): its reviewed platform principals. */
const CONFIG = loadConfig(path.join(__dirname, '..', '..', 'cdk.out'));

function synth(): string {
  return synthBlueprint(REGISTRY, tmpDir('app'));
}

describe('the blueprint app audits clean', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = synth();
  });

  test('no finding, and the matrix actually ran over the tenant resources', async () => {
    const r = await runAudit(outdir, { config: CONFIG });
    expect(r.findings.filter((f) => f.severity !== 'note')).toEqual([]);
    const scoped = r.inventory.principals.filter((p) => p.abac);
    expect(scoped.map((p) => p.name).sort()).toEqual(['tib-SupportAccessRole', 'tib-TenantAccessRole']);
    // Principals that reach every tenant by design are named, with the reason the config gives.
    // Break-glass is not among them as deployed: its permissions boundary is `Deny *` until an
    // approver writes a time-bounded version (docs/support.md), so it reaches nothing here.
    const platform = r.findings.filter((f) => f.rule === 'TI-PLATFORM-PRINCIPAL').map((f) => `${f.constructPath} ${f.action}`);
    expect(platform.sort()).toEqual([
      'Platform/Analytics/DeliveryRole/DefaultPolicy/Resource s3:ListBucket',
      // The master path: the secret itself, and the Data API with it (lib/audit/probes/database-master.ts).
      'Platform/Database/RlsBootstrap/Role/DefaultPolicy/Resource rds-data:ExecuteStatement',
      'Platform/Database/RlsBootstrap/Role/DefaultPolicy/Resource secretsmanager:GetSecretValue',
    ]);
    // Every role acting as a tenant is allowed some of its own tenant's requests: the proof is not vacuous.
    for (const c of r.matrix.coverage.filter((x) => x.principal.identity.some((st) => st.effect === 'Allow'))) expect(c.ownAllowed).toBeGreaterThan(0);
    // ... and not by accident: the support session the probes act as passes the role's trust (ticket
    // tag, source identity, MFA) and gets past its guard Denies, and reads its own tenant's objects.
    // (A probe session the trust would refuse would count a proof about no real session.)
    const support = r.inventory.principals.find((p) => p.name === 'tib-SupportAccessRole')!;
    expect(trustAllows(support, ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'])).toBe(true);
    expect(Object.keys(sessionContextFromTrust(support)).sort()).toEqual([
      'aws:MultiFactorAuthAge',
      'aws:MultiFactorAuthPresent',
      'aws:PrincipalTag/SupportTicket',
      'aws:SourceIdentity',
    ]);
    const ownReads = r.matrix.coverage.find((c) => c.principal === support)!;
    expect(ownReads.ownAllowed).toBeGreaterThan(0);
    // Pool bucket + pool key + the silo buckets and keys + tenant descriptors were evaluated.
    const owners = new Set(r.inventory.resources.map((x) => x.owner ?? 'pool'));
    expect(owners).toEqual(new Set(['pool', 'acme', 'acme-corp', 'globex', 'globex-eu', 'initech']));
    expect(r.matrix.requests).toBeGreaterThan(1000);
    // Adversarial ids were used: prefixes and extensions of the literal ids.
    for (const id of ['globex', 'globex-q', 'globe', 'acme', 'acme-q', 'zz-unrelated']) expect(r.matrix.actingIds).toContain(id);
    // Nothing in the app's policies was left unresolved.
    expect(r.findings.filter((f) => f.rule === 'TI-UNRESOLVED')).toEqual([]);
  });

  test('attack: the same assembly with the pool grant missing its delimiter fails', async () => {
    const copy = tmpDir('app-leak');
    fs.cpSync(outdir, copy, { recursive: true });
    const file = path.join(copy, 'Platform.template.json');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('/tenants/${aws:PrincipalTag/TenantId}/*');
    // Loosen both the identity grant and the bucket policy's confinement, as a careless edit would.
    fs.writeFileSync(file, text.split('/tenants/${aws:PrincipalTag/TenantId}/*').join('/tenants/${aws:PrincipalTag/TenantId}*'));
    const r = await runAudit(copy, { config: CONFIG });
    const leaks = r.findings.filter((f) => f.rule === 'TI-MISSING-DELIMITER' && f.action === 's3:GetObject');
    expect(leaks.map((f) => f.constructPath)).toContain('Platform/PoolStorage/TenantStorageAccess/Resource');
    // A tenant reaches the objects of a tenant whose id extends its own (the acting ids are derived
    // from the literal ids in the policies: here the retired tenant's id in RetiredTenantsDeny).
    expect(
      r.matrix.leaks.some(
        (l) =>
          l.probe.action === 's3:GetObject' && l.probe.actingAs !== null && l.probe.victim !== l.probe.actingAs && (l.probe.victim ?? '').startsWith(l.probe.actingAs),
      ),
    ).toBe(true);
  });

  test('attack: a silo bucket policy without its tenant condition fails for the other tenants', async () => {
    const copy = tmpDir('app-silo-leak');
    fs.cpSync(outdir, copy, { recursive: true });
    const file = path.join(copy, 'Tenant-globex.template.json');
    const t = JSON.parse(fs.readFileSync(file, 'utf8'));
    const policyId = Object.keys(t.Resources).find((k) => t.Resources[k].Type === 'AWS::S3::BucketPolicy')!;
    for (const st of t.Resources[policyId].Properties.PolicyDocument.Statement) {
      if (st.Sid === 'DenyOtherTenantSessions') st.Effect = 'Allow';
      if (st.Sid === 'TenantObjects') delete st.Condition;
    }
    t.Resources[policyId].Properties.PolicyDocument.Statement = t.Resources[policyId].Properties.PolicyDocument.Statement.filter(
      (st: { Sid?: string }) => st.Sid !== 'DenyOtherTenantSessions',
    );
    fs.writeFileSync(file, JSON.stringify(t));
    const r = await runAudit(copy, { config: CONFIG });
    const leaks = r.findings.filter((f) => f.rule === 'TI-WIDE-RESOURCE-POLICY' && f.logicalId === policyId);
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.every((f) => f.tenants?.victim === 'globex' && f.tenants.actingAs !== 'globex')).toBe(true);
  });
});
