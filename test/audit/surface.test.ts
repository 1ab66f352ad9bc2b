/**
 * Snapshots of the tenant access surface (lib/audit/surface.ts): the demo app, a pool-only and a
 * silo-heavy registry, each synthesized as `npx cdk synth` would. A pull request that widens a
 * grant changes one of these snapshots, and the reviewer reads the diff: the changed line names
 * the principal, the resource kind, the actions and the scope. Each snapshot is taken from an
 * assembly the audit also proves clean, so a snapshot never records a leak as "expected".
 * docs/audit.md ("The tenant access surface") says why the size is right.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AuditResult, hasFailingFindings, runAudit } from '../../lib/audit/audit';
import { loadConfig } from '../../lib/audit/config';
import { renderSurface } from '../../lib/audit/report/surface';
import { accessSurface } from '../../lib/audit/surface';
import { parseRegistry, Registry } from '../../lib/core/registry';
import { placedRegistry } from '../helpers/app';
import { tmpDir } from './fixtures/assembly-builder';
import { synthBlueprint } from './fixtures/synth-blueprint';

const ROOT = path.join(__dirname, '..', '..');
/** The blueprint's config (its reviewed platform principals), as the CLI finds it next to cdk.out. */
const CONFIG = loadConfig(path.join(ROOT, 'cdk.out'));

function registry(tenants: Array<{ id: string; tier: 'pool' | 'silo'; status?: 'retired' }>): Registry {
  return placedRegistry(tenants);
}

const DEMO = parseRegistry(fs.readFileSync(path.join(ROOT, 'tenants.json'), 'utf8'), 'tenants.json');
const POOL_ONLY = registry([
  { id: 'acme', tier: 'pool' },
  { id: 'acme-corp', tier: 'pool' },
  { id: 'initech', tier: 'pool' },
]);
const SILO_HEAVY = registry([
  { id: 'acme', tier: 'pool' },
  { id: 'globex', tier: 'silo' },
  { id: 'globex-eu', tier: 'silo' },
  { id: 'hooli', tier: 'silo' },
  { id: 'umbrella', tier: 'silo' },
]);

/** Lines of `after` not in `before` and the reverse, as multisets (what a reviewer's diff shows). */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const count = (text: string) => {
    const m = new Map<string, number>();
    for (const l of text.split('\n')) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const b = count(before);
  const a = count(after);
  const minus = (x: Map<string, number>, y: Map<string, number>) => [...x].flatMap(([l, n]) => Array<string>(Math.max(0, n - (y.get(l) ?? 0))).fill(l));
  return { removed: minus(b, a), added: minus(a, b) };
}

async function auditClean(dir: string): Promise<AuditResult> {
  const r = await runAudit(dir, { config: CONFIG });
  // The same assembly has no cross-tenant access: no error or warning, and the matrix ran.
  expect(r.findings.filter((f) => f.severity !== 'note')).toEqual([]);
  expect(hasFailingFindings(r)).toBe(false);
  expect(r.matrix.requests).toBeGreaterThan(1000);
  return r;
}

describe('the tenant access surface of the demo app', () => {
  let dir: string;
  let result: AuditResult;
  let surface: string;
  beforeAll(async () => {
    dir = synthBlueprint(DEMO, tmpDir('surface-demo'));
    result = await auditClean(dir);
    surface = renderSurface(result);
  });

  test('snapshot (the audit finds no cross-tenant access on the same assembly)', () => {
    expect(surface).toMatchSnapshot();
  });

  test('stable: a second synth into another folder gives the same text, with no account, Region or hash', async () => {
    const again = synthBlueprint(DEMO, tmpDir('surface-demo-again'));
    expect(renderSurface(await runAudit(again, { config: CONFIG }))).toBe(surface);
    expect(surface).not.toMatch(/111111111111|us-east-1|[0-9A-F]{8}\b|[0-9a-f]{10}|tmp|audit-surface/);
    // Every tenant-facing principal is there, the pool grant is written with the session's tenant.
    expect(surface).toContain('principal <Platform/TenantAccessRole/Role> (role tib-TenantAccessRole)');
    expect(surface).toContain('principal <Platform/Support/SupportAccessRole/Role> (role tib-SupportAccessRole)');
    expect(surface).toContain('      on <Platform/PoolStorage/Bucket>/tenants/{tenant}/*\n');
  });

  test('per-tenant roles of the same shape collapse into one entry that lists the tenants', () => {
    const s = accessSurface(result.inventory, result.model.grammar);
    const workers = s.principals.filter((p) => p.name === '<Tenant-{tenant}/Jobs/WorkerRole>');
    expect(workers).toHaveLength(1);
    expect(workers[0].tenants).toEqual(['acme', 'acme-corp', 'globex']);
    expect(s.principals.map((p) => p.name)).toEqual([...s.principals.map((p) => p.name)].sort());
  });

  test('one widened grant in a copy of the assembly: the surface diff is exactly that grant (which the fences still hold)', async () => {
    const copy = tmpDir('surface-demo-widened');
    fs.cpSync(dir, copy, { recursive: true });
    const file = path.join(copy, 'Platform.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    // The pool storage grant of TenantAccessRole (construct Platform/PoolStorage/TenantStorageAccess).
    const resources = template.Resources as Record<string, { Type: string; Properties: { PolicyDocument: { Statement: unknown[] } } }>;
    const ids = Object.keys(resources).filter((id) => id.startsWith('PoolStorageTenantStorageAccess') && resources[id].Type.startsWith('AWS::IAM::'));
    expect(ids).toHaveLength(1);
    const policy = resources[ids[0]];
    const statement = policy.Properties.PolicyDocument.Statement[0] as { Sid: string; Resource: { 'Fn::Join': [string, unknown[]] } };
    expect(statement.Sid).toBe('TenantObjects');
    const parts = statement.Resource['Fn::Join'][1];
    expect(parts[parts.length - 1]).toBe('/tenants/${aws:PrincipalTag/TenantId}/*');
    parts[parts.length - 1] = '/tenants/*'; // the careless edit: every tenant's objects
    fs.writeFileSync(file, JSON.stringify(template, null, 1));

    const widened = await runAudit(copy, { config: CONFIG });
    expect(lineDiff(surface, renderSurface(widened))).toEqual({
      removed: ['      on <Platform/PoolStorage/Bucket>/tenants/{tenant}/*'],
      added: ['      on <Platform/PoolStorage/Bucket>/tenants/{any-tenant}*'],
    });
    // Why the surface matters: the pool bucket's own policy still refuses other prefixes (its
    // fence, docs/defence-in-depth.md), so the audit stays clean and only the surface diff shows
    // that one layer of the defence was removed.
    expect(widened.findings.filter((f) => f.severity !== 'note')).toEqual([]);
  });
});

test('the tenant access surface of a pool-only registry (snapshot; the audit finds no cross-tenant access)', async () => {
  const r = await auditClean(synthBlueprint(POOL_ONLY, tmpDir('surface-pool')));
  const surface = renderSurface(r);
  expect(surface).not.toContain('SiloStorage');
  expect(surface).toMatchSnapshot();
});

test('the tenant access surface of a silo-heavy registry (snapshot; the audit finds no cross-tenant access)', async () => {
  const r = await auditClean(synthBlueprint(SILO_HEAVY, tmpDir('surface-silo')));
  const s = accessSurface(r.inventory, r.model.grammar);
  // Four silo tenants of one shape: one fence entry listing them, not four.
  const silo = s.fences.filter((f) => f.store === '<Tenant-{owner}/SiloStorage/Bucket>');
  expect(silo.map((f) => f.tenants)).toEqual([['globex', 'globex-eu', 'hooli', 'umbrella']]);
  const worker = s.principals.find((p) => p.name === '<Tenant-{tenant}/Jobs/WorkerRole>');
  expect(worker?.tenants).toEqual(['acme', 'globex', 'globex-eu', 'hooli', 'umbrella']);
  expect(renderSurface(r)).toMatchSnapshot();
});
