/**
 * Fail-fast errors of the support constructs: they name the construct path, the prop and the value.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as path from 'path';
import { buildBlueprintFromContext } from '../../../lib/blueprint/app';
import { AuditTrail } from '../../../lib/boundaries/support/audit-trail';
import { identityFromArn } from '../../../lib/boundaries/support/break-glass';
import { SupportAccessRole } from '../../../lib/boundaries/support/support-access';
import { SupportAccessAlert } from '../../../lib/boundaries/support/support-alert';
import { newTestApp } from '../../helpers/app';

const stack = () => new Stack(newTestApp(), 'S');

describe('SupportAccessRole props', () => {
  test('no principal, the account root, a bad name and a bad MFA age are reported together', () => {
    const s = stack();
    expect(() => new SupportAccessRole(s, 'Support', { roleName: 'bad name', supportPrincipals: [], mfaMaxAge: Duration.seconds(5) })).toThrow(
      /^S\/Support: invalid props \(3\):\n {2}- roleName: "bad name" — must be a valid IAM role name.*\n {2}- supportPrincipals: \[\] — must be at least one support principal\n {2}- mfaMaxAge: "5s" — must be from 60s to 12h$/,
    );
    expect(() => new SupportAccessRole(stack(), 'Support', { roleName: 'ok', supportPrincipals: [new iam.AccountRootPrincipal()] })).toThrow(
      /S\/Support: invalid props \(1\):\n {2}- supportPrincipals\[0\]: AccountRootPrincipal: name people, not the whole account/,
    );
  });
});

describe('AuditTrail and alert props', () => {
  test('retention under a day and no tenant bucket are refused', () => {
    const s = stack();
    const logs = s3.Bucket.fromBucketName(s, 'Logs', 'logs');
    expect(
      () =>
        new AuditTrail(s, 'Trail', { trailName: 't', bucketName: 'b', accessLogsBucket: logs, tenantDataBucketArns: ['arn:aws:s3:::x'], retention: Duration.hours(1) }),
    ).toThrow(/S\/Trail: invalid props \(1\):\n {2}- retention: "1 hour" — must be at least a day/);
    expect(() => new AuditTrail(s, 'Trail2', { trailName: 't', bucketName: 'b', accessLogsBucket: logs, tenantDataBucketArns: [] })).toThrow(
      /S\/Trail2: invalid props \(1\):\n {2}- tenantDataBucketArns: \[\] — must be at least one bucket ARN/,
    );
    expect(() => new SupportAccessAlert(s, 'Alert', { roleNames: [] })).toThrow(/S\/Alert: invalid props \(1\):\n {2}- roleNames: \[\] — must be at least one role name/);
  });
  test('an ARN that is neither an IAM user nor a role is refused', () => {
    expect(() => identityFromArn(stack(), 'P', 'arn:aws:iam::123456789012:group/support')).toThrow(
      /S\/P: "arn:aws:iam::123456789012:group\/support" is not an IAM user or role ARN/,
    );
  });
});

describe('context', () => {
  test('-c supportPrincipalArns takes a comma-separated list; placeholders are not created then', () => {
    const app = newTestApp({ context: { supportPrincipalArns: 'arn:aws:iam::123456789012:user/a, arn:aws:iam::123456789012:role/b' } });
    const { platform } = buildBlueprintFromContext(app, path.join(__dirname, '..', '..', '..'));
    const trust = JSON.stringify(Stack.of(platform).resolve(platform.support.supportRole.role.assumeRolePolicy!.toJSON()));
    expect(trust).toContain('arn:aws:iam::123456789012:user/a');
    expect(trust).toContain('arn:aws:iam::123456789012:role/b');
    expect(platform.node.tryFindChild('Support')!.node.tryFindChild('DemoSupportEngineer')).toBeUndefined();
  });
});
