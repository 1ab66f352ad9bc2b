/**
 * PlatformStack: the shared (pool) infrastructure and the tenant-facing roles. Thin: it wires
 * the boundary constructs of lib/boundaries together.
 */
import { CfnElement, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { allocateLogicalIdOnce } from '../boundaries/logical-ids';
import { TenantAnalytics } from '../boundaries/analytics/analytics';
import { TenantDatabase } from '../boundaries/database/database';
import { CacheTenant, TenantCache } from '../boundaries/cache/cache';
import { PlatformNetwork } from './network';
import { TenantJobsAccess } from '../boundaries/jobs/jobs-access';
import { TenantEmailAccess } from '../boundaries/email/email-access';
import { PoolStorage } from '../boundaries/storage/pool-storage';
import { RetiredTenantsDeny } from '../boundaries/identity/retired-tenants';
import { identityFromArn } from '../boundaries/support/break-glass';
import { SupportTooling } from '../boundaries/support/support-tooling';
import { TenantSearch } from '../boundaries/search/search';
import { TenantContentDistribution } from '../boundaries/cdn/tenant-content-distribution';
import { DEMO_CDN_SIGNING_PUBLIC_KEY } from './cdn-demo-key';
import * as fs from 'fs';
import { TenantPooledTable } from '../boundaries/dynamodb/pooled-table';
import { TenantSiloTable } from '../boundaries/dynamodb/silo-table';
import { TenantAccessRole } from '../boundaries/identity/tenant-access-role';
import { fenceBucketFromTenantSessions } from '../boundaries/identity/tenant-session-fence';
import { TenantEntry } from '../core/registry';
import { ITEMS_TABLE_INDEXES, names } from './names';

export interface PlatformStackProps extends StackProps {
  readonly qualifier: string;
  /** Every tenant of the registry (active and retired). */
  readonly tenants: readonly TenantEntry[];
  /**
   * The application role that assumes TenantAccessRole with a tenant session tag.
   * @default a placeholder `DemoBrokerRole` (for synth and demos; pass `-c brokerRoleArn=...` to deploy)
   */
  readonly broker?: iam.IPrincipal;
  /** IAM user/role ARNs of support engineers, break-glass requesters and approvers (docs/support.md). @default placeholder users */
  readonly support?: {
    readonly principalArns?: readonly string[];
    readonly breakGlassRequesterArns?: readonly string[];
    readonly breakGlassApproverArns?: readonly string[];
  };
  /** Parent domain of the tenants' sending domains (docs/email.md). @default 'mail.example.com' */
  readonly mailDomain?: string;
}

export class PlatformStack extends Stack {
  public readonly tenantAccessRole: TenantAccessRole;
  public readonly storage: PoolStorage;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly broker: iam.IPrincipal;
  public readonly network: PlatformNetwork;
  public readonly analytics: TenantAnalytics;
  public readonly database: TenantDatabase;
  public readonly support: SupportTooling;
  public readonly cache: TenantCache;
  public readonly jobsAccess: TenantJobsAccess;
  public readonly emailAccess: TenantEmailAccess;
  public readonly search: TenantSearch;
  public readonly items: TenantPooledTable;
  public readonly cdn: TenantContentDistribution;

  /** Each element's logical id is allocated once (lib/boundaries/logical-ids.ts: exact, and a second of synth at 1,000 tenants). */
  protected allocateLogicalId(element: CfnElement): string {
    return allocateLogicalIdOnce(element, () => super.allocateLogicalId(element));
  }

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const q = props.qualifier;

    this.broker =
      props.broker ??
      new iam.Role(this, 'DemoBrokerRole', {
        description: 'Placeholder for the application role that assumes TenantAccessRole. Replace with -c brokerRoleArn=...',
        assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('lambda.amazonaws.com'), new iam.ServicePrincipal('ecs-tasks.amazonaws.com')),
        maxSessionDuration: Duration.hours(1),
      });

    this.network = new PlatformNetwork(this, 'Network');

    // Database boundary: Aurora PostgreSQL with row level security (policies/rls/bootstrap.sql,
    // applied on deploy). docs/database.md.
    this.database = new TenantDatabase(this, 'Database', {
      vpc: this.network.vpc,
      vpcSubnets: this.network.dataSubnets,
    });

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      bucketName: names.accessLogsBucket(q),
      // S3 server access logs can only be delivered to SSE-S3 buckets (S3 User Guide, enable-server-access-logging).
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(90) }],
    });

    // Access logs name every tenant's object keys: no tenant session may read or reconfigure them.
    fenceBucketFromTenantSessions(this.accessLogsBucket);
    // Silo tenant buckets (in tenant stacks) log here too; CDK cannot add this grant from an
    // imported bucket, so the platform grants the log delivery service for their prefix.
    this.accessLogsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SiloTenantBucketsAccessLogs',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogsBucket.arnForObjects('silo-tenant-data/*')],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.tenantAccessRole = new TenantAccessRole(this, 'TenantAccessRole', {
      broker: this.broker,
      roleName: names.tenantAccessRole(q),
    });

    this.storage = new PoolStorage(this, 'PoolStorage', {
      bucketName: names.poolBucket(q),
      accessLogsBucket: this.accessLogsBucket,
    });
    this.storage.grantTenantAccess(this.tenantAccessRole.role);

    // DynamoDB boundary (docs/dynamodb.md): pooled items partitioned by `<tenant>#...`, confined
    // by dynamodb:LeadingKeys; silo tenants' own tables by exact name.
    this.items = new TenantPooledTable(this, 'PooledItems', {
      tableName: names.pooledItemsTable(q),
      globalSecondaryIndexes: ITEMS_TABLE_INDEXES,
    });
    this.items.grantTenantAccess(this.tenantAccessRole.role);
    TenantSiloTable.grantOwnSiloTable(this.tenantAccessRole.role, q);

    const offboarded = props.tenants.filter((t) => t.status !== 'active').map((t) => t.id);
    // Analytics (docs/analytics.md): tenant-partitioned events; tenants read only their partition;
    // offboarded tenants' records are refused by the transformation.
    this.analytics = new TenantAnalytics(this, 'Analytics', {
      qualifier: q,
      accessLogsBucket: this.accessLogsBucket,
      producer: this.broker,
      refusedTenants: offboarded,
    });
    this.analytics.grantTenantAccess(this.tenantAccessRole.role);

    if (offboarded.length > 0) {
      new RetiredTenantsDeny(this, 'RetiredTenants', { role: this.tenantAccessRole.role, tenants: offboarded });
    }
    // Support tooling: SupportAccessRole, break-glass, audit trail, alert (docs/support.md).
    const people = (id: string, arns?: readonly string[]) => (arns && arns.length > 0 ? arns.map((arn, i) => identityFromArn(this, `${id}${i}`, arn)) : undefined);
    this.support = new SupportTooling(this, 'Support', {
      poolStorage: this.storage,
      accessLogsBucket: this.accessLogsBucket,
      supportRoleName: names.supportAccessRole(q),
      breakGlassRoleName: names.breakGlassRole(q),
      trailName: names.auditTrail(q),
      auditBucketName: names.auditLogsBucket(q),
      supportPrincipals: people('SupportPrincipal', props.support?.principalArns),
      breakGlassRequesters: people('BreakGlassRequester', props.support?.breakGlassRequesterArns),
      breakGlassApprovers: people('BreakGlassApprover', props.support?.breakGlassApproverArns),
    });
    // Cache boundary (docs/cache.md): one ElastiCache user per tenant, cells of <= 99 tenants.
    // Raised ElastiCache quotas: -c elasticacheQuotas='{"users":2000,"userGroups":200}'.
    const cacheQuotas = this.node.tryGetContext('elasticacheQuotas');
    this.cache = new TenantCache(this, 'Cache', {
      qualifier: q,
      tenants: cacheTenants(props.tenants),
      vpc: this.network.vpc,
      vpcSubnets: this.network.dataSubnets,
      authentication: this.node.tryGetContext('cacheAuthentication') ?? 'password',
      quotas: typeof cacheQuotas === 'string' ? JSON.parse(cacheQuotas) : cacheQuotas,
    });
    this.cache.grantTenantAccess(this.tenantAccessRole.role);
    // Jobs (ABAC on the tenant stacks' queues) and search (index per tenant) boundaries.
    this.jobsAccess = new TenantJobsAccess(this, 'JobsAccess', { qualifier: q });
    this.jobsAccess.grantTenantAccess(this.tenantAccessRole.role);
    // Email (docs/email.md): sends only through the session's own SES tenant, identity and configuration set.
    this.emailAccess = new TenantEmailAccess(this, 'EmailAccess', { qualifier: q, mailDomain: props.mailDomain });
    this.emailAccess.grantTenantAccess(this.tenantAccessRole.role);
    this.search = new TenantSearch(this, 'Search', {
      domainName: `${q}-search`,
      vpc: this.network.vpc,
      vpcSubnets: this.network.dataSubnets,
      tenantCount: props.tenants.length,
    });
    this.search.grantTenantAccess(this.tenantAccessRole.role);
    // CDN (docs/cdn.md): one distribution over the pool bucket's tenants/<id>/ objects; the tenant
    // is the URL path, in every cache key; signed URLs of one tenant (-c cdnSigningPublicKeyFile=<pem>).
    const cdnKeyFile = this.node.tryGetContext('cdnSigningPublicKeyFile');
    this.cdn = new TenantContentDistribution(this, 'Cdn', {
      storage: this.storage,
      bucketName: names.poolBucket(q),
      signingPublicKeyPem: cdnKeyFile ? fs.readFileSync(String(cdnKeyFile), 'utf8') : DEMO_CDN_SIGNING_PUBLIC_KEY,
    });
  }
}

/** The registry's tenants as the cache construct takes them (placement from the registry). */
export function cacheTenants(entries: readonly TenantEntry[]): CacheTenant[] {
  return entries.map((t) => ({ id: t.id, tier: t.tier, cacheCell: t.placement?.cacheCell, retired: t.status !== 'active' }));
}
