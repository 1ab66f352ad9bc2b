/**
 * The audit used as a new user would, on two CDK apps written here in the shape of AWS's SaaS
 * guidance rather than the blueprint's style, synthesized in the test
 * (test/audit/fixtures/saas-pooled-app.ts, saas-silo-app.ts): the model and evidence text it
 * prints and its findings, for the right version and for planted defects.
 */
import { runAudit } from '../../lib/audit/audit';
import { AuditConfig, EMPTY_CONFIG, parseConfig } from '../../lib/audit/config';
import { Finding } from '../../lib/audit/findings';
import { renderText } from '../../lib/audit/report/text';
import { tmpDir } from './fixtures/assembly-builder';
import { POOLED_APP_SESSION_POLICY, PooledAppVariant, synthPooledApp } from './fixtures/saas-pooled-app';
import { SiloAppVariant, synthSiloApp } from './fixtures/saas-silo-app';

jest.setTimeout(120_000);

const failing = (fs: readonly Finding[]) => fs.filter((f) => f.severity !== 'note');
const ruleAt = (fs: readonly Finding[]) => fs.map((f) => `${f.severity} ${f.rule} @ ${f.constructPath ?? f.logicalId}`);
const config = (o: object) => parseConfig(JSON.stringify(o), 'tenant-isolation.json');
const pooled = (variant: PooledAppVariant, cfg: AuditConfig = EMPTY_CONFIG) => runAudit(synthPooledApp(tmpDir('saas-pooled'), variant), { config: cfg });
const silo = (variant: SiloAppVariant, cfg: AuditConfig = EMPTY_CONFIG) => runAudit(synthSiloApp(tmpDir('saas-silo'), variant), { config: cfg });

const SCOPED = 'OrdersService/TenantScopedAccessRole';
const DECLARED = config({ sessionPolicies: { [SCOPED]: POOLED_APP_SESSION_POLICY } });

describe('pooled app: API Gateway + Lambda + one DynamoDB table, vended credentials', () => {
  test('1. as synthesized, no config: the table is pooled by its key schema; the vended role is a warning naming the config key', async () => {
    const r = await pooled('right');
    expect(r.model.evidence.map((e) => `${e.part}: ${e.detail}`)).toEqual([
      'id grammar: blueprint (default: lib/core/tenant-id.ts; set tenantIdPattern to change it)',
      expect.stringMatching(/^pooled: Orders[0-9A-F]{8} \(AWS::DynamoDB::Table\): partitionKey \{\{tenant\}\} \(key schema: partition key "tenantId" names a tenant\)$/),
    ]);
    expect(ruleAt(failing(r.findings))).toEqual([`warning TI-VENDED-SESSION-POLICY @ ${SCOPED}/DefaultPolicy/Resource`]);
    const w = failing(r.findings)[0];
    expect(w.principal).toMatch(/^arn:aws:iam::111111111111:role\/OrdersService-TenantScopedAccessRole/);
    expect(w.why).toContain(`declare it as sessionPolicies["${SCOPED}"] (with {{tenant}}) so the audit can prove it`);
    // No noise from the function's AWS managed policy (evaluated from the dataset), no trust-tag warnings.
    expect(r.findings.some((f) => f.rule === 'TI-EXTERNAL-POLICY' || f.rule === 'TI-TRUST-TAG-VALUE')).toBe(false);
    // The text report opens with the model.
    expect(renderText(r)).toMatch(/pooled:\n\s+- Orders[0-9A-F]{8} \(AWS::DynamoDB::Table\): partitionKey \{\{tenant\}\}/);
  });

  test('2. with the session policy declared: the role acts as every tenant through it, clean, not vacuous', async () => {
    const r = await pooled('right', DECLARED);
    expect(failing(r.findings)).toEqual([]);
    expect(r.model.evidence.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^TenantScopedAccessRole[0-9A-F]{8}: session policy declared \(config sessionPolicies\["OrdersService\/TenantScopedAccessRole"\]\)$/),
        expect.stringMatching(
          /^Orders[0-9A-F]{8} \(AWS::DynamoDB::Table\): partitionKey \{\{tenant\}\} \(config sessionPolicies\["OrdersService\/TenantScopedAccessRole"\]: ForAllValues:StringEquals dynamodb:LeadingKeys \{\{tenant\}\}\)$/,
        ),
      ]),
    );
    const cov = r.matrix.coverage.find((c) => c.principal.source.constructPath === `${SCOPED}/Resource`)!;
    expect(cov.ownAllowed).toBeGreaterThan(0);
  });

  test('3. planted: the session policy the app builds forgot the LeadingKeys condition: TI-UNSCOPED-GRANT on another tenant', async () => {
    const [allow] = POOLED_APP_SESSION_POLICY.Statement;
    const r = await pooled('right', config({ sessionPolicies: { [SCOPED]: { Version: '2012-10-17', Statement: [{ ...allow, Condition: undefined }] } } }));
    const f = r.findings.find((x) => x.rule === 'TI-UNSCOPED-GRANT' && x.action === 'dynamodb:GetItem');
    expect(f).toMatchObject({ severity: 'error', resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/orders' });
    expect(f!.tenants!.actingAs).not.toBe(f!.tenants!.victim);
  });

  test('4. planted: the function role also reads the table directly: TI-ALL-TENANTS on the function role', async () => {
    const r = await pooled('direct-read', DECLARED);
    expect(ruleAt(failing(r.findings))).toEqual(['error TI-ALL-TENANTS @ OrdersService/OrdersFunction/ServiceRole/DefaultPolicy/Resource']);
    expect(failing(r.findings)[0].why).toMatch(
      /^OrdersService-OrdersFunctionServiceRole\w+ reaches every tenant's part of Orders[0-9A-F]{8} \(partitionKey \{\{tenant\}\}\) with dynamodb:\w+ on its own credentials; give it tenant sessions or declare platformPrincipals\["OrdersService\/OrdersFunction\/ServiceRole"\]/,
    );
  });
});

describe('silo app: a stack per tenant with its own bucket, a shared platform reporting role', () => {
  const REPORTING = { 'Platform/ReportingRole': 'monthly usage report across tenants; read-only, reviewed in SEC-7' };

  test("5. right version, the platform role declared: the model names each tenant's role and bucket; notes only", async () => {
    const r = await silo('right', config({ platformPrincipals: REPORTING }));
    expect(r.model.evidence.map((e) => `${e.part}: ${e.detail}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tenant sessions: TenantRole\w+ \(tenant-acme\) belongs to tenant "acme" \(TenantId tag on the role or its stack\)$/),
        expect.stringMatching(/^tenant sessions: TenantRole\w+ \(tenant-globex\) belongs to tenant "globex"/),
        expect.stringMatching(/^tenant-owned: Data\w+ \(AWS::S3::Bucket\): TenantId=acme tag/),
        expect.stringMatching(/^tenant-owned: Data\w+ \(AWS::S3::Bucket\): TenantId=globex tag/),
        expect.stringMatching(/^platform: ReportingRole\w+: platform principal \(config platformPrincipals\["Platform\/ReportingRole"\]: monthly usage report/),
      ]),
    );
    expect(failing(r.findings)).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'TI-PLATFORM-PRINCIPAL').map((f) => f.why)).toEqual([
      expect.stringMatching(
        /^reporting reaches the tenant-owned stores of 2 tenants with its own credentials \("acme": s3:GetObject on Tenant-acme\/Data\w+, "globex": s3:GetObject on Tenant-globex\/Data\w+\); declared platformPrincipals\["Platform\/ReportingRole"\]: monthly usage report/,
      ),
    ]);
    for (const id of ['acme', 'globex']) expect(r.matrix.coverage.find((c) => c.principal.name === `tenant-${id}`)!.ownAllowed).toBeGreaterThan(0);
  });

  test("6. the same app without the declaration: the shared role reaching both tenants' silos is TI-ALL-TENANTS", async () => {
    const r = await silo('right');
    expect(ruleAt(failing(r.findings))).toEqual(['error TI-ALL-TENANTS @ Platform/ReportingRole/DefaultPolicy/Resource']);
    expect(failing(r.findings)[0]).toMatchObject({ principal: 'arn:aws:iam::111111111111:role/reporting', statementSid: 'ReadEveryTenant' });
  });

  test("7. planted: acme's tenant role reads tenant-data-*: TI-CROSS-TENANT, acme acting on globex's bucket", async () => {
    const r = await silo('wide-tenant-role', config({ platformPrincipals: REPORTING }));
    expect(ruleAt(failing(r.findings))).toEqual(['error TI-CROSS-TENANT @ Tenant-acme/TenantRole/DefaultPolicy/Resource']);
    expect(failing(r.findings)[0]).toMatchObject({
      principal: 'arn:aws:iam::111111111111:role/tenant-acme',
      action: 's3:GetObject',
      tenants: { actingAs: 'acme', victim: 'globex' },
      statementSid: 'AllTenantData',
    });
    expect(failing(r.findings)[0].resource).toMatch(/^arn:aws:s3:::tenant-data-globex\//);
  });
});
