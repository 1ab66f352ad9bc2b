/**
 * TenantStack: one per registry entry. Holds what belongs to one tenant alone (silo storage,
 * per-tenant queues, ...). Stateful resources are retained when the stack is deleted.
 */
import { CfnElement, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { allocateLogicalIdOnce } from '../boundaries/logical-ids';
import { SupportAccessRole } from '../boundaries/support/support-access';
import { BLUEPRINT_IAM_PATH, TenantAccessRole } from '../boundaries/identity/tenant-access-role';
import { jobsWorkerRolePrefix } from '../core/queue-names';
import { TenantAnalyticsWorkgroup } from '../boundaries/analytics/analytics-workgroup';
import { SiloStorage } from '../boundaries/storage/silo-storage';
import { TenantQueues } from '../boundaries/jobs/tenant-queues';
import { TenantSiloTable } from '../boundaries/dynamodb/silo-table';
import { TenantEmail } from '../boundaries/email/tenant-email';
import { objectPrefix, TENANT_TAG_KEY } from '../core/namespace';
import { TenantEntry } from '../core/registry';
import { ITEMS_TABLE_INDEXES, names } from './names';

export interface TenantStackProps extends StackProps {
  readonly qualifier: string;
  readonly tenant: TenantEntry;
  /** Parent domain of the tenant's sending domain (docs/email.md). @default 'mail.example.com' */
  readonly mailDomain?: string;
}

export class TenantStack extends Stack {
  public readonly tenant: TenantEntry;
  public readonly siloStorage?: SiloStorage;
  public readonly siloTable?: TenantSiloTable;
  public readonly jobs: TenantQueues;
  public readonly email: TenantEmail;

  /** Each element's logical id is allocated once (lib/boundaries/logical-ids.ts: exact, and a second of synth at 1,000 tenants). */
  protected allocateLogicalId(element: CfnElement): string {
    return allocateLogicalIdOnce(element, () => super.allocateLogicalId(element));
  }

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    super(scope, id, props);
    const { tenant, qualifier: q } = props;
    this.tenant = tenant;
    Tags.of(this).add(TENANT_TAG_KEY, tenant.id.value);

    const tenantAccessRoleArn = TenantAccessRole.arnForName(this, names.tenantAccessRole(q));
    let bucketName: string | undefined;
    if (tenant.tier === 'silo') {
      this.siloStorage = new SiloStorage(this, 'SiloStorage', {
        tenant: tenant.id,
        tenantAccessRoleArn,
        accessLogsBucket: s3.Bucket.fromBucketName(this, 'AccessLogsBucket', names.accessLogsBucket(q)),
        bucketName: names.siloBucket(q, tenant.id),
        accessEnabled: tenant.status === 'active',
      });
      bucketName = this.siloStorage.bucket.bucketName;
      // Support sessions tagged with this tenant may read here (docs/support.md).
      this.siloStorage.grantSupportRead(SupportAccessRole.arnForName(this, names.supportAccessRole(q)));
      // The tenant's own items table (docs/dynamodb.md), same keys and indexes as the pool's.
      this.siloTable = new TenantSiloTable(this, 'SiloItems', {
        tenant: tenant.id,
        qualifier: q,
        tenantAccessRoleArn,
        globalSecondaryIndexes: ITEMS_TABLE_INDEXES,
        accessEnabled: tenant.status === 'active',
      });
    }

    // Analytics query layer (docs/analytics.md): the tenant's own Athena workgroup.
    new TenantAnalyticsWorkgroup(this, 'AnalyticsWorkgroup', { tenant: tenant.id, qualifier: q });

    // Jobs: the tenant's queue + DLQ, their key and its worker role (lib/boundaries/jobs/tenant-queues.ts).
    this.jobs = new TenantQueues(this, 'Jobs', {
      tenant: tenant.id,
      qualifier: q,
      tenantAccessRoleArn,
      accessEnabled: tenant.status === 'active',
    });

    // Email (docs/email.md): the tenant's SES tenant, identity, configuration set and events queue,
    // whose events the tenant's worker consumes.
    this.email = new TenantEmail(this, 'Email', {
      tenant: tenant.id,
      qualifier: q,
      mailDomain: props.mailDomain,
      sendingEnabled: tenant.status === 'active',
      templates: [{ name: 'notice', subject: '{{subject}}', text: '{{body}}' }],
      eventsConsumer: this.jobs.workerRole,
      otherConsumersPattern: `arn:${this.partition}:iam::${this.account}:role${BLUEPRINT_IAM_PATH}${jobsWorkerRolePrefix(q)}*`,
    });

    // Where this tenant's data lives, for application code and operators (no secrets).
    new ssm.StringParameter(this, 'TenantDescriptor', {
      parameterName: `/${q}/tenants/${tenant.id.value}`,
      description: 'Tenant placement and namespaces (tenant-isolation blueprint)',
      stringValue: JSON.stringify({
        tenantId: tenant.id.value,
        tier: tenant.tier,
        status: tenant.status,
        objectBucket: bucketName ?? names.poolBucket(q),
        objectPrefix: objectPrefix(tenant.id),
        itemsTable: this.siloTable?.tableName ?? names.pooledItemsTable(q),
        mailDomain: this.email.domain,
        sesTenant: this.email.sesTenantName,
        emailConfigurationSet: this.email.configurationSetName,
      }),
    });
  }
}
