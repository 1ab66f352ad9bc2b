/**
 * One Athena workgroup per tenant, in its TenantStack: the query layer of the analytics boundary.
 *
 * The workgroup ENFORCES its configuration (clients cannot override the result location or the
 * encryption), writes results to `tenants/<id>/athena-results/` of the analytics bucket, SSE-KMS
 * with the analytics key, and caps the bytes a query may scan. TenantAccessRole may use only the
 * workgroup whose name carries its session tag (`tenant-${aws:PrincipalTag/TenantId}-analytics`)
 * and may not change any workgroup (lib/boundaries/analytics/analytics.ts). Athena reads data and writes
 * results with the caller's own credentials (aws:CalledVia athena.amazonaws.com; Athena guide,
 * security-iam-athena-calledvia), so the S3 and key policies of the storage boundary decide what
 * a query can read: another tenant's partition is denied whatever the SQL says.
 *
 * Limit: 1,000 workgroups per account and Region (Athena guide, service-limits). A workgroup per
 * tenant therefore caps BI-enabled tenants per account; see docs/analytics.md.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { PropProblems, TenantIdInput } from '../validation';
import { analyticsBucketName, analyticsNames, analyticsWorkgroupName, queryResultsPrefix } from './analytics';

export interface TenantAnalyticsWorkgroupProps {
  /** The tenant whose workgroup this is (TenantId rules). */
  readonly tenant: TenantIdInput;
  readonly qualifier: string;
  /**
   * Largest number of bytes one query may scan (noisy-neighbour and cost guard).
   * @default 10 GiB
   */
  readonly bytesScannedCutoffPerQuery?: number;
}

export class TenantAnalyticsWorkgroup extends Construct {
  public readonly workgroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: TenantAnalyticsWorkgroupProps) {
    super(scope, id);
    const cutoff = props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3;
    const problems = new PropProblems(this);
    const tenant = problems.tenantId('tenant', props.tenant);
    // Athena's minimum cutoff is 10 MB (Athena API, WorkGroupConfiguration.BytesScannedCutoffPerQuery).
    problems.check(Number.isInteger(cutoff) && cutoff >= 10_000_000, 'bytesScannedCutoffPerQuery', cutoff, 'an integer of at least 10000000 bytes');
    problems.throwIfAny();
    const keyArn = ssm.StringParameter.valueForStringParameter(this, analyticsNames.keyArnParameter(props.qualifier));
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: analyticsWorkgroupName(tenant!),
      description: `Analytics queries of one tenant; results under ${queryResultsPrefix(tenant!)}`,
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff,
        resultConfiguration: {
          outputLocation: `s3://${analyticsBucketName(props.qualifier)}/${queryResultsPrefix(tenant!)}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: keyArn },
          // Results go only to a bucket this account owns (a same-named bucket elsewhere is refused).
          expectedBucketOwner: Aws.ACCOUNT_ID,
        },
      },
    });
    // Query history is metadata, but keep it with the tenant's other retained resources.
    this.workgroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
