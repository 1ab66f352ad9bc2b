/**
 * The DynamoDB boundary for pool tenants: one table, one partition-key prefix per tenant.
 *
 * Tenant `<id>` owns every item whose partition key is `<id>` or `<id>#...`, and every global
 * secondary index entry whose INDEX partition key is `<id>` or `<id>#...` (lib/core/dynamodb-keys.ts).
 * TenantAccessRole's grant confines each request with `dynamodb:LeadingKeys` (the partition-key
 * values of the request; for a query on a GSI, the index's partition-key values — DynamoDB
 * Developer Guide, specifying-conditions
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 *
 * The empty-set trap: `dynamodb:LeadingKeys` is multivalued, and `ForAllValues:` "also returns
 * true if there are no context keys in the request" (IAM User Guide,
 * reference_policies_condition_examples-multi-valued-context-keys
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html).
 * A request without partition keys (Scan, a PartiQL statement that names none) would pass a bare
 * `ForAllValues:StringLike`. So the Allow pairs it with `Null: {dynamodb:LeadingKeys: false}`
 * (the key must be present), and three Denies repeat the confinement whatever else the role is
 * granted later: no leading keys, any foreign leading key, and every action other than the item
 * actions (Scan, PartiQL, streams, exports) on the table and everything under it.
 *
 * `ForAllValues:StringLike` with the patterns `<tag>` and `<tag>#*`: every leading key of the
 * request (a batch holds many) must be the tenant itself or start with `<tenant>#`. `#` is outside
 * the TenantId alphabet, so `acme#*` never matches `acme-corp#...`.
 *
 * Table: customer managed KMS key (rotation on), point-in-time recovery, deletion protection,
 * retained on stack deletion, on-demand capacity, tagged `tenant-isolation:partition` so the nag
 * rule TI-DDB1 and the audit know it as pooled.
 */
import { Aws, Duration, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TENANT_ITEM_ACTIONS, TENANT_TABLE_KMS_ACTIONS } from '../../core/dynamodb-actions';
import { LEADING_KEYS_CONDITION_KEY, leadingKeyPatterns, POOLED_TABLE_TAG_KEY, POOLED_TABLE_TAG_VALUE } from '../../core/dynamodb-keys';
import { PRINCIPAL_TENANT } from '../../core/namespace';
import { acknowledgeFinding, iam5ResourceFinding } from '../../nag/acknowledge';

/** A global secondary index whose partition key carries the tenant (`<id>` or `<id>#...`). */
export interface TenantIndexProps {
  /** Index name (3-255 of `[A-Za-z0-9_.-]`). */
  readonly indexName: string;
  /** Attribute holding the index partition key; a string whose value leads with the tenant. */
  readonly partitionKeyName: string;
  /**
   * Attribute holding the index sort key (a string).
   * @default no sort key
   */
  readonly sortKeyName?: string;
}

export interface TenantItemsTableProps {
  /**
   * Fixed table name: IAM statements name the table without a reference, and the audit and the
   * application find it by name. Carries no tenant names.
   */
  readonly tableName: string;
  /**
   * Partition key attribute (a string): `<tenant>` or `<tenant>#...`.
   * @default 'pk'
   */
  readonly partitionKeyName?: string;
  /**
   * Sort key attribute (a string).
   * @default 'sk'
   */
  readonly sortKeyName?: string;
  /**
   * Global secondary indexes; each partition key leads with the tenant too.
   * @default none
   */
  readonly globalSecondaryIndexes?: readonly TenantIndexProps[];
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;
const TABLE_OR_INDEX_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** Checks names once and reports every problem with the construct path. */
export function validateTableProps(scope: Construct, props: TenantItemsTableProps): void {
  const problems: string[] = [];
  const name = (what: string, value: string | undefined, rule: RegExp, hint: string) => {
    if (value !== undefined && !Token.isUnresolved(value) && !rule.test(value)) problems.push(`${what} ${JSON.stringify(value)} ${hint}`);
  };
  name('tableName', props.tableName, TABLE_OR_INDEX_NAME, 'is not a DynamoDB table name (3-255 of [A-Za-z0-9_.-])');
  name('partitionKeyName', props.partitionKeyName, ATTRIBUTE_NAME, 'is not an attribute name (1-255 of [A-Za-z0-9_.-])');
  name('sortKeyName', props.sortKeyName, ATTRIBUTE_NAME, 'is not an attribute name (1-255 of [A-Za-z0-9_.-])');
  const seen = new Set<string>();
  for (const [i, gsi] of (props.globalSecondaryIndexes ?? []).entries()) {
    name(`globalSecondaryIndexes[${i}].indexName`, gsi.indexName, TABLE_OR_INDEX_NAME, 'is not an index name (3-255 of [A-Za-z0-9_.-])');
    name(`globalSecondaryIndexes[${i}].partitionKeyName`, gsi.partitionKeyName, ATTRIBUTE_NAME, 'is not an attribute name');
    name(`globalSecondaryIndexes[${i}].sortKeyName`, gsi.sortKeyName, ATTRIBUTE_NAME, 'is not an attribute name');
    if (seen.has(gsi.indexName)) problems.push(`globalSecondaryIndexes[${i}].indexName ${JSON.stringify(gsi.indexName)} is used twice`);
    seen.add(gsi.indexName);
  }
  // DynamoDB quota: 20 global secondary indexes per table (DynamoDB Developer Guide, ServiceQuotas).
  if ((props.globalSecondaryIndexes ?? []).length > 20) problems.push('globalSecondaryIndexes: at most 20 per table');
  if (problems.length > 0) throw new Error(`${scope.node.path}: ${problems.join('; ')}`);
}

/** Table, key and indexes shared by the pooled table and the silo tables. */
export function createItemsTable(scope: Construct, props: TenantItemsTableProps, description: string): { table: dynamodb.Table; key: kms.Key } {
  validateTableProps(scope, props);
  const key = new kms.Key(scope, 'Key', {
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
    pendingWindow: Duration.days(30),
  });
  const table = new dynamodb.Table(scope, 'Table', {
    tableName: props.tableName,
    partitionKey: { name: props.partitionKeyName ?? 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: props.sortKeyName ?? 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const gsi of props.globalSecondaryIndexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: gsi.indexName,
      partitionKey: { name: gsi.partitionKeyName, type: dynamodb.AttributeType.STRING },
      sortKey: gsi.sortKeyName ? { name: gsi.sortKeyName, type: dynamodb.AttributeType.STRING } : undefined,
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
  return { table, key };
}

/** `arn:<p>:dynamodb:<region>:<account>:table/<name>` */
export function tableArnFor(tableName: string): string {
  return `arn:${Aws.PARTITION}:dynamodb:${Aws.REGION}:${Aws.ACCOUNT_ID}:table/${tableName}`;
}

export class TenantPooledTable extends Construct {
  public readonly table: dynamodb.Table;
  public readonly key: kms.Key;
  public readonly tableName: string;
  public readonly partitionKeyName: string;
  public readonly sortKeyName: string;
  public readonly indexes: readonly TenantIndexProps[];
  private readonly tableArn: string;

  constructor(scope: Construct, id: string, props: TenantItemsTableProps) {
    super(scope, id);
    const { table, key } = createItemsTable(this, props, 'Pooled tenant items (DynamoDB table encryption)');
    this.table = table;
    this.key = key;
    this.tableName = props.tableName;
    this.partitionKeyName = props.partitionKeyName ?? 'pk';
    this.sortKeyName = props.sortKeyName ?? 'sk';
    this.indexes = [...(props.globalSecondaryIndexes ?? [])];
    this.tableArn = tableArnFor(props.tableName);
    Tags.of(this.table).add(POOLED_TABLE_TAG_KEY, POOLED_TABLE_TAG_VALUE);
  }

  /** `.../table/<name>/index/*`: every index of the table. */
  public get indexesArn(): string {
    return `${this.tableArn}/index/*`;
  }

  /**
   * Grants `grantee` (TenantAccessRole) the item actions on its own partitions of the table and
   * its indexes, through `dynamodb:LeadingKeys` on `${aws:PrincipalTag/TenantId}`, adds the
   * Denies that keep it there, and lets it use the table key through DynamoDB only.
   * The grantee must be a principal with an identity policy (a role in this app).
   */
  public grantTenantAccess(grantee: iam.IGrantable): iam.Grant {
    const leading = leadingKeyPatterns(PRINCIPAL_TENANT);
    const resources = [this.tableArn, this.indexesArn];
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...TENANT_ITEM_ACTIONS],
      resourceArns: resources,
      conditions: {
        // Every leading key of the request is the caller's tenant or starts with `<tenant>#` ...
        'ForAllValues:StringLike': { [LEADING_KEYS_CONDITION_KEY]: leading },
        // ... and there is at least one: ForAllValues alone is true for the empty set.
        Null: { [LEADING_KEYS_CONDITION_KEY]: 'false' },
      },
    });
    grant.assertSuccess();
    grant.principalStatements.forEach((st) => (st.sid = 'PooledItemsOwnPartitions'));
    const principal = grantee.grantPrincipal;
    const deny = (sid: string, statement: Omit<iam.PolicyStatementProps, 'sid' | 'effect'>) =>
      principal.addToPrincipalPolicy(new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, ...statement }));
    deny('DenyPooledItemsWithoutLeadingKeys', {
      actions: [...TENANT_ITEM_ACTIONS],
      resources,
      conditions: { Null: { [LEADING_KEYS_CONDITION_KEY]: 'true' } },
    });
    deny('DenyPooledItemsOfOtherTenants', {
      actions: [...TENANT_ITEM_ACTIONS],
      resources,
      // True when ANY leading key matches neither pattern. With the tenant tag absent the
      // patterns resolve to nothing and match no key: denied (and the role denies all anyway).
      conditions: { 'ForAnyValue:StringNotLike': { [LEADING_KEYS_CONDITION_KEY]: leading } },
    });
    deny('DenyPooledTableUnconfined', {
      // Scan, PartiQL, streams, exports, backups, table administration: nothing but item actions.
      notActions: [...TENANT_ITEM_ACTIONS],
      resources: [this.tableArn, `${this.tableArn}/*`],
    });

    // DynamoDB uses a customer managed table key on the caller's behalf through kms:ViaService
    // (the policy AWS gives the aws/dynamodb managed key allows account principals via DynamoDB;
    // no AWS page found for the exact customer-key requirement: unverified). The encryption
    // context names the table (aws:dynamodb:tableName), never a tenant.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TenantSessionsUseKeyViaDynamoDB',
        principals: [principal],
        actions: [...TENANT_TABLE_KMS_ACTIONS],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com`,
            'kms:EncryptionContext:aws:dynamodb:tableName': this.tableName,
          },
        },
      }),
    );
    acknowledgeFinding(
      this.key.node.defaultChild!,
      'TI-IAM1[TenantSessionsUseKeyViaDynamoDB]',
      'DynamoDB table encryption is table-wide: its KMS encryption context names the table, not the tenant, and the key is usable only through DynamoDB for this table. ' +
        'Tenant confinement is dynamodb:LeadingKeys on the table grant (TI-DDB1 checks it).',
    );
    const policy = principal instanceof iam.Role ? principal.node.tryFindChild('DefaultPolicy') : undefined;
    if (policy) {
      acknowledgeFinding(
        (policy as iam.Policy).node.defaultChild!,
        iam5ResourceFinding(this, this.indexesArn),
        "The index wildcard is confined like the table: every index query's dynamodb:LeadingKeys (the index partition keys) must be the caller's tenant or start with '<tenant>#' (TI-DDB1).",
      );
    }
    return grant;
  }
}
