/**
 * `tenant-isolation-blueprint/jest` (lib/jest): the matcher on real apps synthesized in process.
 * A clean app passes, a leaky one fails with the findings (rule and principal named), `.not`
 * inverts only a real verdict, and every input the audit cannot judge (an app that does not
 * synthesize, cdk-nag errors included; a folder that is not an assembly; no tenant model; a bad
 * config) fails the assertion with or without `.not`, never a pass.
 */
import { Annotations, App, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TenantAccessRole } from '../../lib/boundaries/identity/tenant-access-role';
import { objectPrefix, PRINCIPAL_TENANT } from '../../lib/core/namespace';
import { auditTarget, tenantAccessSurface, TenantIsolationInputError } from '../../lib/jest';
import { TenantIsolationChecks } from '../../lib/nag/tenant-isolation-checks';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), `jest-matcher-${p}-`));

/** A tenant-facing ABAC role and a pool bucket; `leak` adds a grant on every tenant's objects. */
function tenantStack(scope: App | Stage, opts: { leak?: boolean } = {}): Stack {
  const stack = new Stack(scope, 'Docs');
  const bucket = new s3.Bucket(stack, 'Documents', { bucketName: 'docs-pool' });
  const broker = new iam.Role(stack, 'Broker', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const tenants = new TenantAccessRole(stack, 'TenantAccess', { broker, roleName: 'docs-TenantAccessRole' });
  tenants.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'OwnObjects', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${objectPrefix(PRINCIPAL_TENANT)}*`)] }),
  );
  if (opts.leak) tenants.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'EveryTenant', actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
  return stack;
}

function app(opts: { leak?: boolean } = {}): App {
  const a = new App({ outdir: tmp('app') });
  tenantStack(a, opts);
  return a;
}

/** A config file with nothing declared, so no tenant-isolation.json of this repository is picked up by accident. */
function emptyConfig(): string {
  const f = path.join(tmp('config'), 'tenant-isolation.json');
  fs.writeFileSync(f, '{}');
  return f;
}

describe('toHaveNoCrossTenantAccess', () => {
  const config = emptyConfig();

  test('1. a clean App passes; .not on it fails and says the audit found none', async () => {
    await expect(app()).toHaveNoCrossTenantAccess({ config });
    await expect(expect(app()).not.toHaveNoCrossTenantAccess({ config })).rejects.toThrow(/expected the audit to find cross-tenant access, but it found none/);
  });

  test('2. a leaky App fails with the findings: the rule, the principal, the tenants and the statement', async () => {
    const err = await expect(app({ leak: true }))
      .toHaveNoCrossTenantAccess({ config })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err).toBeDefined();
    const msg = err!.message;
    expect(msg).toMatch(/expected no cross-tenant access, but the audit found \d+ finding\(s\)/);
    expect(msg).toMatch(/ERROR {2}TI-UNSCOPED-GRANT {2}s3:GetObject {2}principal arn:aws:iam::111111111111:role\/tenant-isolation\/docs-TenantAccessRole/);
    expect(msg).toContain('statement EveryTenant');
    expect(msg).toMatch(/tenants "[a-z-]+" -> "[a-z-]+"/);
    // .not on a leaky app passes: the audit did find cross-tenant access.
    await expect(app({ leak: true })).not.toHaveNoCrossTenantAccess({ config });
  });

  test('3. a Stage, a cdk.out folder and a CloudAssembly are audited the same way', async () => {
    const root = new App({ outdir: tmp('stage') });
    const clean = new Stage(root, 'Clean');
    tenantStack(clean);
    const leaky = new Stage(root, 'Leaky');
    tenantStack(leaky, { leak: true });
    await expect(clean).toHaveNoCrossTenantAccess({ config });
    await expect(leaky).not.toHaveNoCrossTenantAccess({ config });
    const assembly = app().synth();
    await expect(assembly.directory).toHaveNoCrossTenantAccess({ config });
    await expect(assembly).toHaveNoCrossTenantAccess({ config });
    await expect(app({ leak: true }).synth().directory).not.toHaveNoCrossTenantAccess({ config });
  });

  test('4. an app that does not synthesize (cdk-nag error) fails the assertion, with and without .not', async () => {
    const nagged = () => {
      const a = app({ leak: true });
      Validations.of(a).addPlugins(new TenantIsolationChecks(a));
      return a;
    };
    await expect(expect(nagged()).toHaveNoCrossTenantAccess({ config })).rejects.toThrow(/the app does not synthesize[\s\S]*TI-IAM1/);
    await expect(expect(nagged()).not.toHaveNoCrossTenantAccess({ config })).rejects.toThrow(/the app does not synthesize/);
  });

  test('5. an error annotation (a cdk-nag Aspect, Annotations.addError) fails the assertion, with and without .not', async () => {
    const annotated = () => {
      const a = app();
      Annotations.of(a.node.findChild('Docs')).addError('planted synthesis error');
      return a;
    };
    await expect(expect(annotated()).toHaveNoCrossTenantAccess({ config })).rejects.toThrow(/synthesis reported 1 error\(s\)[\s\S]*Docs: planted synthesis error/);
    await expect(expect(annotated()).not.toHaveNoCrossTenantAccess({ config })).rejects.toThrow(TenantIsolationInputError);
  });

  test('6. a folder that is not a cloud assembly fails the assertion, with and without .not', async () => {
    const empty = tmp('not-an-assembly');
    await expect(expect(empty).toHaveNoCrossTenantAccess()).rejects.toThrow(/is not a cloud assembly folder \(no manifest\.json\)/);
    await expect(expect(empty).not.toHaveNoCrossTenantAccess()).rejects.toThrow(/is not a cloud assembly folder/);
    fs.writeFileSync(path.join(empty, 'manifest.json'), '{ not json');
    await expect(expect(empty).not.toHaveNoCrossTenantAccess()).rejects.toThrow(/the audit cannot judge .*manifest .* is not valid JSON/);
    await expect(expect(42).toHaveNoCrossTenantAccess()).rejects.toThrow(/expected a CDK App, a Stage, a CloudAssembly or a cloud assembly folder path, got number/);
  });

  test('7. an app with no tenant model fails the assertion, with and without .not', async () => {
    const plain = () => {
      const a = new App({ outdir: tmp('plain') });
      new s3.Bucket(new Stack(a, 'Plain'), 'Bucket');
      return a;
    };
    await expect(expect(plain()).toHaveNoCrossTenantAccess({ config })).rejects.toThrow(/the audit cannot judge the app: no tenant model found/);
    await expect(expect(plain()).not.toHaveNoCrossTenantAccess({ config })).rejects.toThrow(/no tenant model found/);
  });

  test('8. the config: a missing file fails; by default tenant-isolation.json next to the assembly folder is used', async () => {
    await expect(expect(app()).toHaveNoCrossTenantAccess({ config: '/nonexistent/tenant-isolation.json' })).rejects.toThrow(/config .* not found/);
    // A config next to the assembly folder is read (here a broken one, which fails the assertion).
    const parent = tmp('config-next-to');
    const a = new App({ outdir: path.join(parent, 'cdk.out') });
    tenantStack(a, { leak: true });
    fs.writeFileSync(path.join(parent, 'tenant-isolation.json'), '{ "tenantIdPattern": "not json" ');
    await expect(expect(a).toHaveNoCrossTenantAccess()).rejects.toThrow(/config .*tenant-isolation\.json is not valid JSON/);
    // An App synthesized into a temporary folder: tenant-isolation.json of the current directory (here the repository's).
    const r = await auditTarget(app());
    expect(r.model.configFile).toBe(path.resolve('tenant-isolation.json'));
    // A folder with no config beside it and none given: no config.
    expect((await auditTarget(app().synth().directory)).model.configFile).toBeUndefined();
  });

  test('8b. a tenant-isolation.json lying in the system temp folder is never picked up', async () => {
    // The system temp folder, as os.tmpdir() answers, is a private one for this test (jest's
    // process.env is its own, so TMPDIR cannot move it): a broken config in it, and the App's
    // assembly directly inside it, where aws-cdk-lib puts an App's assembly when it has no outdir.
    const privateTmp = tmp('private-tmpdir');
    fs.writeFileSync(path.join(privateTmp, 'tenant-isolation.json'), '{ "tenantIdPattern": "not json" ');
    // The core module object itself (an `import * as` namespace cannot be spied on).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tmpdir = jest.spyOn(require('os') as typeof os, 'tmpdir').mockReturnValue(privateTmp);
    try {
      const a = new App({ outdir: fs.mkdtempSync(path.join(privateTmp, 'cdk.out')) });
      tenantStack(a);
      // The App: the current directory's config (the repository's), not the broken one.
      expect((await auditTarget(a)).model.configFile).toBe(path.resolve('tenant-isolation.json'));
      // The folder: no config at all.
      expect((await auditTarget(a.synth().directory)).model.configFile).toBeUndefined();
      expect(tmpdir).toHaveBeenCalled();
    } finally {
      tmpdir.mockRestore();
    }
    // The control: the same layout outside the temp folder reads the broken config.
    const parent = tmp('not-the-tmpdir');
    fs.writeFileSync(path.join(parent, 'tenant-isolation.json'), '{ "tenantIdPattern": "not json" ');
    const b = new App({ outdir: fs.mkdtempSync(path.join(parent, 'cdk.out')) });
    tenantStack(b);
    await expect(auditTarget(b)).rejects.toThrow(/is not valid JSON/);
  });
});

describe('tenantAccessSurface', () => {
  const config = emptyConfig();

  test('the surface of an App as text, and the same for its cdk.out folder', async () => {
    const a = app();
    const text = await tenantAccessSurface(a, { config });
    expect(text).toContain('principal <Docs/TenantAccess/Role> (role docs-TenantAccessRole)');
    expect(text).toContain('      on <Docs/Documents>/tenants/{tenant}/*\n');
    expect(await tenantAccessSurface(a.synth().directory, { config })).toBe(text);
    expect(await tenantAccessSurface(app({ leak: true }), { config })).toContain('      on <Docs/Documents>/*\n');
  });

  test('bad input rejects', async () => {
    await expect(tenantAccessSurface(tmp('none'))).rejects.toThrow(/not a cloud assembly folder/);
  });
});
