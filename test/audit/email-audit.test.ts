/**
 * The audit knows the email boundary: in the synthesized blueprint, every tenant's SES identity,
 * configuration set, template and SES tenant is classified tenant-owned (its stack's TenantId),
 * is probed with the SES actions, and no other tenant's session reaches it. Then attack: a copy of
 * the assembly with an unscoped `ses:SendEmail` on `*` planted in TenantAccessRole's policy.
 * With the email policy's Denies in place the plant is contained (defence in depth); with them
 * removed, as a careless rewrite would, the audit reports the leak on the victims' SES resources.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runAudit } from '../../lib/audit/audit';
import { tmpDir } from './fixtures/assembly-builder';
import { BLUEPRINT_CONFIG, prefixPairAndSiloRegistry, synthBlueprint } from './fixtures/synth-blueprint';

const REGISTRY = prefixPairAndSiloRegistry();
const CONFIG = BLUEPRINT_CONFIG;
const SES_TYPES = ['AWS::SES::ConfigurationSet', 'AWS::SES::EmailIdentity', 'AWS::SES::Template', 'AWS::SES::Tenant'];

type Json = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/** Copies the assembly and adds `statement` to TenantAccessRole's default (inline) policy. */
function plant(outdir: string, name: string, edit: (t: Json) => void): string {
  const copy = tmpDir(name);
  fs.cpSync(outdir, copy, { recursive: true });
  const file = path.join(copy, 'Platform.template.json');
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  edit(t);
  fs.writeFileSync(file, JSON.stringify(t));
  return copy;
}
const UNSCOPED_SEND = { Sid: 'PlantedNotifications', Effect: 'Allow', Action: ['ses:SendEmail', 'ses:SendRawEmail'], Resource: '*' };
function addToAccessRolePolicy(t: Json): void {
  const role = Object.keys(t.Resources).find((id) => t.Resources[id].Properties?.RoleName === 'tib-TenantAccessRole')!;
  const policy = Object.values(t.Resources).find((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${role}"`))!;
  (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement.push(UNSCOPED_SEND);
}
function dropEmailDenies(t: Json): void {
  const email = Object.entries(t.Resources).find(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && id.startsWith('EmailAccessPolicy'))![1];
  const doc = email.Properties.PolicyDocument as { Statement: Array<{ Effect: string }> };
  doc.Statement = doc.Statement.filter((st) => st.Effect !== 'Deny');
}

describe('the audit and the email boundary', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = synthBlueprint(REGISTRY, tmpDir('email-app'));
  });

  test('SES resources are tenant-owned, probed, and reached by no other tenant', async () => {
    const r = await runAudit(outdir, { config: CONFIG });
    const sesResources = r.inventory.resources.filter((x) => SES_TYPES.includes(x.type));
    const byType = (owner: string) =>
      sesResources
        .filter((x) => x.owner === owner)
        .map((x) => x.type)
        .sort();
    for (const owner of ['acme', 'acme-corp', 'globex']) expect(byType(owner)).toEqual(SES_TYPES);
    expect(sesResources.every((x) => x.classification === 'tenant-owned')).toBe(true);
    expect(sesResources.find((x) => x.type === 'AWS::SES::EmailIdentity' && x.owner === 'acme')!.arn).toMatch(/:ses:[^:]+:\d+:identity\/acme\.mail\.example\.com$/);
    expect(r.findings.filter((f) => f.severity !== 'note')).toEqual([]);
  });

  test('a planted unscoped send grant is contained by the email Denies', async () => {
    const r = await runAudit(plant(outdir, 'email-contained', addToAccessRolePolicy), { config: CONFIG });
    expect(r.findings.filter((f) => f.severity !== 'note')).toEqual([]);
  });

  test('attack: the planted grant without the Denies is reported on the other tenants’ SES resources', async () => {
    const r = await runAudit(
      plant(outdir, 'email-leak', (t) => {
        addToAccessRolePolicy(t);
        dropEmailDenies(t);
      }),
      { config: CONFIG },
    );
    const leaks = r.findings.filter((f) => f.severity !== 'note' && (f.resource ?? '').includes(':ses:'));
    expect(leaks.length).toBeGreaterThan(0);
    expect(new Set(leaks.map((f) => f.rule))).toEqual(new Set(['TI-UNSCOPED-GRANT']));
    expect(new Set(leaks.map((f) => f.action))).toEqual(new Set(['ses:SendEmail', 'ses:SendRawEmail']));
    expect(leaks.every((f) => f.principal?.endsWith('/tib-TenantAccessRole') && f.statementSid === 'PlantedNotifications')).toBe(true);
    // The adversarial pairs share leading letters: acme sends as acme-corp, acm as acme.
    const pairs = new Set(leaks.map((f) => `${f.tenants?.actingAs}->${f.tenants?.victim}:${f.resource?.split(':').pop()}`));
    expect(pairs).toContain('acme->acme-corp:identity/acme-corp.mail.example.com');
    expect(pairs).toContain('acm->acme:configuration-set/tib-tenant-acme-email');
    expect(pairs).toContain('acme->acme-corp:template/tib-tenant-acme-corp_notice');
  });
});
