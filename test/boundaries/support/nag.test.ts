/**
 * cdk-nag AwsSolutions over the support tooling: no unacknowledged finding on any resource the
 * support tooling creates or changes (SupportAccessRole, break-glass, audit trail, alert, the
 * support grant on pool storage). Findings elsewhere in the app belong to the other boundaries
 * and are listed, not asserted, here. cdk-nag 3 registers packs with Validations (not Aspects)
 * and is tested with validateScope (AWS-FACTS.md, tooling facts).
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { testBlueprint } from '../../helpers/app';

const { app, blueprint } = testBlueprint(['acme', 'acme-corp', 'globex:silo']);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

const SUPPORT_PATHS = [/^Platform\/Support\//, /^Platform\/PoolStorage\/SupportStorageRead\//];

describe('AwsSolutions on the support tooling', () => {
  const violations = [blueprint.platform, ...blueprint.tenants].flatMap((stack) =>
    new AwsSolutionsChecks().validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' }))),
  );

  test('the support tooling has resources to check (the test is not vacuous)', () => {
    const paths = blueprint.platform.node.findAll().map((c) => c.node.path);
    for (const p of ['Platform/Support/SupportAccessRole/Role', 'Platform/Support/BreakGlass/Role', 'Platform/Support/AuditTrail/Trail', 'Platform/Support/Alert/Rule']) {
      expect(paths).toContain(p);
    }
  });

  test('no unacknowledged finding on a support resource', () => {
    const mine = violations.filter((v) => SUPPORT_PATHS.some((re) => re.test(v.path)));
    expect(mine).toEqual([]);
  });

  test('a support acknowledgement is exact: a new wildcard on the support role is still reported', () => {
    const { blueprint: b } = testBlueprint(['acme']);
    b.platform.support.supportRole.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::somewhere/*'] }));
    const found = new AwsSolutionsChecks().validateScope(b.platform).violations.map((v) => v.ruleName);
    expect(found).toContain('AwsSolutions-IAM5[Resource::arn:aws:s3:::somewhere/*]');
  });
});
