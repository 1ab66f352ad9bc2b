/**
 * The matrix evaluated once per shape (lib/audit/shapes.ts) gives exactly the result of the
 * pair-by-pair loop (`exhaustive: true`): same findings, request count, coverage, cells and
 * tenant ids, on the demo app and on a generated 30-tenant app with violations planted in ONE
 * tenant stack each (a statement change, a condition change, a resource policy change, a
 * pattern that cuts through ids, an ABAC role let into one tenant's key). Each
 * planted violation is found, naming the stack and principal it was planted in.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AuditResult, runAudit } from '../../lib/audit/audit';
import { loadConfig } from '../../lib/audit/config';
import { generatedRegistry } from '../../lib/core/generated-registry';
import { loadRegistry } from '../../lib/core/registry';
import { tmpDir } from './fixtures/assembly-builder';
import { synthBlueprint } from './fixtures/synth-blueprint';

jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..', '..');
const CONFIG = loadConfig(path.join(ROOT, 'cdk.out'));

/** Everything the two iteration strategies must agree on. */
function observable(r: AuditResult) {
  return {
    findings: r.findings,
    requests: r.matrix.requests,
    coverage: r.matrix.coverage.map((c) => [c.principal.arn, c.ownProbes, c.ownAllowed]),
    cells: [...r.matrix.cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    actingIds: [...r.matrix.actingIds].sort(),
    hostile: r.matrix.acceptedHostileTags.map((h) => [h.principal.arn, h.value]),
    unsupported: [...r.matrix.unsupportedOperators].sort(),
  };
}

async function both(dir: string): Promise<{ shapes: AuditResult; pairs: AuditResult }> {
  const shapes = await runAudit(dir, { config: CONFIG });
  const pairs = await runAudit(dir, { config: CONFIG, exhaustive: true });
  return { shapes, pairs };
}

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

function editTemplate(dir: string, stack: string, edit: (t: Template) => void): void {
  const file = path.join(dir, `${stack}.template.json`);
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
  edit(t);
  fs.writeFileSync(file, JSON.stringify(t));
}

function resourceOfType(t: Template, type: string, idPrefix: string): { Properties: Record<string, unknown> } {
  const id = Object.keys(t.Resources).find((k) => t.Resources[k].Type === type && k.startsWith(idPrefix));
  if (!id) throw new Error(`no ${type} ${idPrefix}* in the template`);
  return t.Resources[id];
}

type Doc = { Statement: Array<Record<string, unknown>> };
const workerPolicy = (t: Template) => resourceOfType(t, 'AWS::IAM::Policy', 'JobsWorkerRoleDefaultPolicy').Properties.PolicyDocument as Doc;

describe('shapes give the pair-by-pair result', () => {
  test('1. the demo app (tenants.json): identical findings, counts, coverage and cells', async () => {
    const dir = synthBlueprint(loadRegistry(path.join(ROOT, 'tenants.json')), tmpDir('shapes-demo'));
    const { shapes, pairs } = await both(dir);
    expect(observable(shapes)).toEqual(observable(pairs));
    expect(shapes.matrix.requests).toBeGreaterThan(1000);
  });

  describe('a generated 30-tenant app with one violation planted in one tenant stack each', () => {
    let planted: { shapes: AuditResult; pairs: AuditResult };
    let clean: { shapes: AuditResult; pairs: AuditResult };
    beforeAll(async () => {
      const dir = synthBlueprint(generatedRegistry(30), tmpDir('shapes-30'));
      clean = await both(dir);
      // Statement change: t0007's worker may read every SSM parameter.
      editTemplate(dir, 'Tenant-t0007', (t) => {
        workerPolicy(t).Statement.push({ Sid: 'PlantedReadAllParameters', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' });
      });
      // Condition change: t0013's worker reads parameters tagged with its own id ... turned into "any other id".
      editTemplate(dir, 'Tenant-t0013', (t) => {
        workerPolicy(t).Statement.push({
          Sid: 'PlantedNotOwnParameters',
          Effect: 'Allow',
          Action: 'ssm:GetParameter',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:ResourceTag/TenantId': 't0013' } },
        });
      });
      // Resource policy change: t0019's queue policy lets any principal receive its jobs.
      editTemplate(dir, 'Tenant-t0019', (t) => {
        const doc = resourceOfType(t, 'AWS::SQS::QueuePolicy', 'JobsQueuePolicy').Properties.PolicyDocument as Doc;
        const i = doc.Statement.findIndex((s) => s.Sid === 'DenyOtherTenantWorkers');
        doc.Statement[i] = { Sid: 'PlantedAnyoneReceives', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sqs:ReceiveMessage', Resource: doc.Statement[i].Resource };
      });
      // A pattern that cuts through ids: t0021's worker reads the descriptors of t0010..t0019.
      editTemplate(dir, 'Tenant-t0021', (t) => {
        workerPolicy(t).Statement.push({
          Sid: 'PlantedPrefixWithoutDelimiter',
          Effect: 'Allow',
          Action: 'ssm:GetParameter',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*:*:parameter/tib/tenants/t001*']] },
        });
      });
      // An ABAC role on ONE tenant's resource: t0025's jobs key policy lets TenantAccessRole sessions of any tenant decrypt
      // (its Deny for other tenants' sessions replaced; the role's identity policy has no KMS Deny, so the key policy alone decides).
      // The same change in t0026 and t0027 under another Sid makes a shape of two keys whose representative is not clean:
      // both are evaluated pair by pair and found (the fallback; t0025's key, alone in its shape, is pair by pair anyway).
      const anyTenantSession = (stack: string, sid: string) =>
        editTemplate(dir, stack, (t) => {
          const doc = resourceOfType(t, 'AWS::KMS::Key', 'JobsKey').Properties.KeyPolicy as Doc;
          const i = doc.Statement.findIndex((s) => s.Sid === 'DenyOtherTenantSessions');
          doc.Statement[i] = {
            Sid: sid,
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111111111111:role/tenant-isolation/tib-TenantAccessRole' },
            Action: 'kms:Decrypt',
            Resource: '*',
          };
        });
      anyTenantSession('Tenant-t0025', 'PlantedAnyTenantSession');
      anyTenantSession('Tenant-t0026', 'PlantedAnyTenantSessionTwice');
      anyTenantSession('Tenant-t0027', 'PlantedAnyTenantSessionTwice');
      planted = await both(dir);
    });

    test('2. the clean app: identical, and no failing finding', () => {
      expect(observable(clean.shapes)).toEqual(observable(clean.pairs));
      expect(clean.shapes.findings.filter((f) => f.severity !== 'note')).toEqual([]);
    });

    test('3. the planted app: identical findings, counts, coverage and cells', () => {
      expect(observable(planted.shapes)).toEqual(observable(planted.pairs));
      // The planted statements add probe variants of their own (probes/), so only the two modes are compared.
      expect(planted.shapes.matrix.requests).toBe(planted.pairs.matrix.requests);
    });

    const others = (own: string) => Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(4, '0')}`).filter((t) => t !== own);
    /**
     * Every other tenant of the registry is a victim, the acting tenant never is; the audit may add
     * ids it derives from the policies' literals (a `t000` next to the planted `t001*`), which are
     * tenants that could exist.
     */
    const expectVictimsOf = (victims: Set<string | undefined>, own: string) => {
      for (const t of others(own)) expect(victims).toContain(t);
      expect(victims).not.toContain(own);
      for (const v of victims) expect(v).toMatch(/^t[0-9]{3,4}$/);
    };

    test('4. the statement change is found against every other tenant, naming Tenant-t0007 and its worker', () => {
      const f = planted.shapes.findings.filter((x) => x.statementSid === 'PlantedReadAllParameters');
      expect(new Set(f.map((x) => [x.templateFile, x.stack].join(' ')))).toEqual(new Set(['Tenant-t0007.template.json tib-tenant-t0007']));
      expect(new Set(f.map((x) => x.principal))).toEqual(new Set(['arn:aws:iam::111111111111:role/tenant-isolation/tib-jobs-worker-t0007']));
      expectVictimsOf(new Set(f.map((x) => x.tenants?.victim)), 't0007');
      expect(new Set(f.map((x) => x.action))).toEqual(new Set(['ssm:GetParameter']));
    });

    test('5. the condition change is found against every other tenant, naming Tenant-t0013 and its worker', () => {
      const f = planted.shapes.findings.filter((x) => x.statementSid === 'PlantedNotOwnParameters');
      expect(new Set(f.map((x) => [x.templateFile, x.stack].join(' ')))).toEqual(new Set(['Tenant-t0013.template.json tib-tenant-t0013']));
      expect(new Set(f.map((x) => x.principal))).toEqual(new Set(['arn:aws:iam::111111111111:role/tenant-isolation/tib-jobs-worker-t0013']));
      expectVictimsOf(new Set(f.map((x) => x.tenants?.victim)), 't0013');
    });

    test("6. the resource policy change is found for every other tenant's worker, naming Tenant-t0019's queue policy", () => {
      const f = planted.shapes.findings.filter((x) => x.statementSid === 'PlantedAnyoneReceives');
      expect(new Set(f.map((x) => [x.templateFile, x.stack].join(' ')))).toEqual(new Set(['Tenant-t0019.template.json tib-tenant-t0019']));
      expect(new Set(f.map((x) => x.action))).toEqual(new Set(['sqs:ReceiveMessage']));
      expect(new Set(f.map((x) => x.tenants?.victim))).toEqual(new Set(['t0019']));
      expect(new Set(f.map((x) => x.principal))).toEqual(new Set(others('t0019').map((t) => `arn:aws:iam::111111111111:role/tenant-isolation/tib-jobs-worker-${t}`)));
    });

    test('7. a pattern cutting through ids (t001*) is found for exactly the ids it matches, naming Tenant-t0021', () => {
      const f = planted.shapes.findings.filter((x) => x.statementSid === 'PlantedPrefixWithoutDelimiter');
      expect(new Set(f.map((x) => [x.templateFile, x.stack].join(' ')))).toEqual(new Set(['Tenant-t0021.template.json tib-tenant-t0021']));
      expect(new Set(f.map((x) => x.principal))).toEqual(new Set(['arn:aws:iam::111111111111:role/tenant-isolation/tib-jobs-worker-t0021']));
      expect(new Set(f.map((x) => x.tenants?.victim))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `t001${i}`)));
    });

    test("9. an ABAC role let into ONE tenant's key is found naming exactly Tenant-t0025, TenantAccessRole and victim t0025", () => {
      const f = planted.shapes.findings.filter((x) => x.statementSid === 'PlantedAnyTenantSession');
      expect(f.length).toBeGreaterThan(0);
      expect(new Set(f.map((x) => [x.templateFile, x.stack].join(' ')))).toEqual(new Set(['Tenant-t0025.template.json tib-tenant-t0025']));
      expect(new Set(f.map((x) => x.principal))).toEqual(new Set(['arn:aws:iam::111111111111:role/tenant-isolation/tib-TenantAccessRole']));
      expect(new Set(f.map((x) => x.action))).toEqual(new Set(['kms:Decrypt']));
      expect(new Set(f.map((x) => x.tenants?.victim))).toEqual(new Set(['t0025']));
      // Sessions of other tenants (not only the untagged one) are let in.
      expect(f.some((x) => typeof x.tenants?.actingAs === 'string' && x.tenants.actingAs !== 't0025')).toBe(true);
      // The other tenants' keys keep their Deny: no finding names them.
      const stacks = new Set(['tib-tenant-t0025', 'tib-tenant-t0026', 'tib-tenant-t0027']);
      expect(
        planted.shapes.findings.filter((x) => x.principal?.endsWith('/tib-TenantAccessRole') === true && x.severity !== 'note' && !stacks.has(x.stack ?? '')),
      ).toEqual([]);
    });

    test('10. the same ABAC grant in two stacks (one shape, representative not clean) is found in both, each naming its own stack', () => {
      const f = planted.shapes.findings.filter((x) => x.statementSid === 'PlantedAnyTenantSessionTwice');
      expect(new Set(f.map((x) => [x.templateFile, x.stack, x.tenants?.victim].join(' ')))).toEqual(
        new Set(['Tenant-t0026.template.json tib-tenant-t0026 t0026', 'Tenant-t0027.template.json tib-tenant-t0027 t0027']),
      );
      expect(new Set(f.map((x) => x.principal))).toEqual(new Set(['arn:aws:iam::111111111111:role/tenant-isolation/tib-TenantAccessRole']));
    });

    test('8. the shapes evaluated far fewer requests than they proved', async () => {
      let evaluated = 0;
      const { evaluate } = await import('../../lib/audit/engine/builtin-engine');
      const r = await runAudit(planted.shapes.assemblyDir, {
        config: CONFIG,
        engine: {
          name: 'builtin',
          evaluateBatch: async (items) => {
            evaluated += items.length;
            return items.map((i) => evaluate(i.request, i.policies));
          },
        },
      });
      expect(r.matrix.requests).toBe(planted.shapes.matrix.requests);
      expect(evaluated).toBeLessThan(r.matrix.requests / 2);
    });
  });
});
