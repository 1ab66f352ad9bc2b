/**
 * The platform's network: a VPC whose data services (database, cache, search) sit in isolated
 * subnets (no route to the internet). Flow logs record every accepted and rejected connection.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface PlatformNetworkProps {
  /**
   * Use an existing VPC instead of creating one. Data services go into its isolated (or private) subnets.
   * @default a new VPC with two AZs of isolated and private-with-egress-free subnets
   */
  readonly vpc?: ec2.IVpc;
}

export class PlatformNetwork extends Construct {
  public readonly vpc: ec2.IVpc;
  /** Where data services (Aurora, ElastiCache, OpenSearch) are placed. */
  public readonly dataSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps = {}) {
    super(scope, id);
    if (props.vpc) {
      this.vpc = props.vpc;
      this.dataSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
      return;
    }
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: true,
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    this.vpc = vpc;
    this.dataSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  }
}
