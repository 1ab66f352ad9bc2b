/**
 * Support tooling, wired as one piece: SupportAccessRole (with its storage grants), the
 * break-glass role, the audit trail and the alert on every assumption of either role.
 * PlatformStack creates one; silo tenant stacks call SiloStorage.grantSupportRead with
 * SupportAccessRole.arnForName. See docs/support.md.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AuditTrail } from './audit-trail';
import { BreakGlassRole, PersonIdentity } from './break-glass';
import { PoolStorage } from '../storage/pool-storage';
import { SupportAccessAlert } from './support-alert';
import { SupportAccessRole } from './support-access';
import { BLUEPRINT_IAM_PATH } from '../identity/tenant-access-role';

export interface SupportToolingProps {
  readonly poolStorage: PoolStorage;
  readonly accessLogsBucket: s3.IBucket;
  readonly supportRoleName: string;
  readonly breakGlassRoleName: string;
  readonly trailName: string;
  readonly auditBucketName: string;
  /** @default one placeholder IAM user without credentials (`-c supportPrincipalArns=...` to deploy) */
  readonly supportPrincipals?: readonly PersonIdentity[];
  /** @default one placeholder IAM user without credentials (`-c breakGlassRequesterArns=...`) */
  readonly breakGlassRequesters?: readonly PersonIdentity[];
  /** @default one placeholder IAM user without credentials (`-c breakGlassApproverArns=...`) */
  readonly breakGlassApprovers?: readonly PersonIdentity[];
}

export class SupportTooling extends Construct {
  public readonly supportRole: SupportAccessRole;
  public readonly breakGlass: BreakGlassRole;
  public readonly trail: AuditTrail;
  public readonly alert: SupportAccessAlert;

  constructor(scope: Construct, id: string, props: SupportToolingProps) {
    super(scope, id);
    // Placeholders: IAM users with no password and no access key can do nothing until an
    // administrator gives them credentials; they make `cdk synth` and demos work.
    const placeholder = (name: string) => [new iam.User(this, name, { path: BLUEPRINT_IAM_PATH })];

    this.supportRole = new SupportAccessRole(this, 'SupportAccessRole', {
      roleName: props.supportRoleName,
      supportPrincipals: props.supportPrincipals ?? placeholder('DemoSupportEngineer'),
    });
    props.poolStorage.grantSupportRead(this.supportRole.role);

    this.breakGlass = new BreakGlassRole(this, 'BreakGlass', {
      roleName: props.breakGlassRoleName,
      requesters: props.breakGlassRequesters ?? placeholder('DemoBreakGlassRequester'),
      approvers: props.breakGlassApprovers ?? placeholder('DemoBreakGlassApprover'),
    });

    this.trail = new AuditTrail(this, 'AuditTrail', {
      trailName: props.trailName,
      bucketName: props.auditBucketName,
      accessLogsBucket: props.accessLogsBucket,
      tenantDataBucketArns: [props.poolStorage.bucket.bucketArn],
    });

    this.alert = new SupportAccessAlert(this, 'Alert', { roleNames: [props.supportRoleName, props.breakGlassRoleName] });
    // The rule sees CloudTrail events only while a trail logs.
    this.alert.rule.node.addDependency(this.trail.trail);
  }
}
