/**
 * DynamoDB action lists for tenant grants on a pooled table, named once so the construct, the
 * nag rule (TI-DDB1), the audit and the tests agree.
 *
 * Facts (Service Authorization Reference, "Actions, resources, and condition keys for Amazon
 * DynamoDB" https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html;
 * Developer Guide "Using IAM with DynamoDB transactions"
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html):
 * - every action below supports `dynamodb:LeadingKeys`; `Scan` does not (a Scan has no partition key);
 * - there is no IAM action for TransactGetItems / TransactWriteItems: each Get, Put, Update,
 *   Delete and ConditionCheck inside a transaction is authorized as GetItem, PutItem, UpdateItem,
 *   DeleteItem and ConditionCheckItem, so confining those confines transactions;
 * - BatchGetItem / BatchWriteItem are their own actions, and their `dynamodb:LeadingKeys` holds
 *   the partition keys of every request in the batch;
 * - the PartiQL APIs (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) are authorized
 *   as PartiQLSelect / PartiQLInsert / PartiQLUpdate / PartiQLDelete
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html).
 */

/** Reads of the caller's own partitions (transactions included: TransactGetItems is authorized as GetItem). */
export const TENANT_ITEM_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'] as const;

/** Writes to the caller's own partitions (TransactWriteItems is authorized as these). */
export const TENANT_ITEM_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;

/** Everything a tenant session may do on a pooled table, each request confined by `dynamodb:LeadingKeys`. */
export const TENANT_ITEM_ACTIONS = [...TENANT_ITEM_READ_ACTIONS, ...TENANT_ITEM_WRITE_ACTIONS] as const;

/** On an index only Query is granted (its LeadingKeys are the index's partition-key values). */
export const TENANT_INDEX_ACTIONS = ['dynamodb:Query'] as const;

/**
 * Actions that read or write across partitions and that no LeadingKeys condition confines on a
 * pooled table. Scan carries no leading keys at all. The PartiQL actions do list
 * `dynamodb:LeadingKeys`, but a SELECT without an equality on the partition key is a full table
 * scan (hence `dynamodb:FullTableScan`), and AWS does not document how the key is filled for
 * statements that name no partition key; the blueprint's helper does not use PartiQL, so they are
 * denied rather than trusted. Streams, exports and vector search read every tenant's items.
 */
export const POOLED_TABLE_UNCONFINED_ACTIONS = [
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ExportTableToPointInTime',
  'dynamodb:SearchVectors',
] as const;

/**
 * What a table user may ask KMS for through DynamoDB when the table has a customer managed key:
 * the actions the aws/dynamodb managed key's policy allows account principals through
 * `kms:ViaService` dynamodb (as aws-cdk-lib's table grants also give; unverified against an AWS
 * page for customer keys). The encryption context names the table, not the tenant, so the KMS
 * grant is table-wide; the tenant confinement is `dynamodb:LeadingKeys`.
 */
export const TENANT_TABLE_KMS_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:DescribeKey'] as const;
