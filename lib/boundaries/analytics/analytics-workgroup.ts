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
import { TenantId } from '../../core/tenant-id';
import { analyticsBucketName, analyticsNames, analyticsWorkgroupName, queryResultsPrefix } from './analytics';

export interface TenantAnalyticsWorkgroupProps {
  readonly tenant: TenantId;
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
    // Athena's minimum cutoff is 10 MB (Athena API, WorkGroupConfiguration.BytesScannedCutoffPerQuery).
    if (!Number.isInteger(cutoff) || cutoff < 10_000_000) {
      throw new Error(`${this.node.path}: bytesScannedCutoffPerQuery ${cutoff} must be an integer of at least 10000000 bytes`);
    }
    const keyArn = ssm.StringParameter.valueForStringParameter(this, analyticsNames.keyArnParameter(props.qualifier));
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: analyticsWorkgroupName(props.tenant),
      description: `Analytics queries of one tenant; results under ${queryResultsPrefix(props.tenant)}`,
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff,
        resultConfiguration: {
          outputLocation: `s3://${analyticsBucketName(props.qualifier)}/${queryResultsPrefix(props.tenant)}`,
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
