/**
 * What the audit knows about CloudFormation resource types, as data: how a resource's physical
 * name, `Ref` and ARN look (symbolic names keep the logical id, so findings point at it), which
 * property holds its resource policy, and which requests a tenant could make against it.
 *
 * A type missing here is still audited generically when it carries a `TenantId` tag: its ARN
 * is `arn:<p>:<service>:<region>:<account>:<type>/<logicalId>` and it is probed with
 * `<service>:AuditProbe`, which any wildcard grant over the service (`svc:*`, `*`) matches.
 * Adding a service means adding a row, not code.
 */

export interface Env {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
}

export interface NamingInput {
  readonly logicalId: string;
  /** Resolved properties (may contain unresolved placeholders). */
  readonly props: Record<string, unknown>;
  readonly env: Env;
}

/** One request a principal acting as some tenant could send. */
export interface ProbeTemplate {
  readonly action: string;
  /** `{arn}` = resource ARN, `{ns}` = the tenant's namespace path for this resource type. */
  readonly resource: string;
  /** Extra context; `{ns}`, `{own}`, `{arn}`, `{keyArn}` and `{index}` are substituted; `\u0000` separates the values of a multi-valued key. */
  readonly context?: Readonly<Record<string, string>>;
}

export interface ResourceKind {
  readonly service: string;
  /** Physical name (from a property, or symbolic from stack name + logical id). */
  readonly name: (i: NamingInput) => string;
  readonly ref: 'name' | 'arn' | 'logicalId' | 'url';
  readonly arn: (name: string, i: NamingInput) => string;
  /** Attributes other than Arn that return the name or the ARN. */
  readonly attrs?: Readonly<Record<string, 'name' | 'arn'>>;
  /**
   * Requests against a resource owned by one tenant (silo, tagged). `{ns}` is the tenant's own
   * namespace within it (`tenants/<id>/` for buckets); a leak is any of these Allowed for
   * another tenant's session.
   */
  readonly ownedProbes?: readonly ProbeTemplate[];
  /**
   * Requests against a shared (pool) resource, per tenant namespace: `{ns}` becomes tenant
   * u's namespace. Used only for resource types with a namespace contract.
   */
  readonly namespace?: 'object' | 'index' | 'partitionKey';
  readonly pooledProbes?: readonly ProbeTemplate[];
  /** Requests that reach every tenant's data in a pooled resource at once (root listing, `_all`). */
  readonly crossTenantProbes?: readonly ProbeTemplate[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const symbolic = (i: NamingInput, lower = false) => {
  const n = `${i.env.stackName}-${i.logicalId}`;
  return lower ? n.toLowerCase() : n;
};
const regional = (svc: string, i: NamingInput) => `arn:${i.env.partition}:${svc}:${i.env.region}:${i.env.account}`;

const S3_SECURE = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };
/** Attacker-shaped uploads carry the headers a bucket policy may require. */
const S3_PUT = { ...S3_SECURE, 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': '{keyArn}' };
const S3_OBJECT_PROBES: ProbeTemplate[] = [
  { action: 's3:GetObject', resource: '{arn}/{ns}audit-probe', context: S3_SECURE },
  { action: 's3:GetObjectVersion', resource: '{arn}/{ns}audit-probe', context: S3_SECURE },
  { action: 's3:PutObject', resource: '{arn}/{ns}audit-probe', context: S3_PUT },
  { action: 's3:DeleteObject', resource: '{arn}/{ns}audit-probe', context: S3_SECURE },
  { action: 's3:DeleteObjectVersion', resource: '{arn}/{ns}audit-probe', context: S3_SECURE },
  { action: 's3:ListBucket', resource: '{arn}', context: { ...S3_SECURE, 's3:prefix': '{ns}' } },
];
const ES_INDEX_PROBES: ProbeTemplate[] = ['ESHttpGet', 'ESHttpPost', 'ESHttpPut', 'ESHttpDelete'].flatMap((a) => [
  { action: `es:${a}`, resource: '{arn}/{ns}audit/_search' },
  { action: `es:${a}`, resource: '{arn}/{ns}audit/_doc/1' },
  { action: `es:${a}`, resource: '{arn}/{ns}audit' },
]);

const OPENSEARCH_DOMAIN: ResourceKind = {
  service: 'es',
  name: (i) => str(i.props.DomainName) ?? symbolic(i, true).slice(0, 28),
  ref: 'name',
  arn: (n, i) => `${regional('es', i)}:domain/${n}`,
  attrs: { DomainArn: 'arn' },
  namespace: 'index',
  ownedProbes: ES_INDEX_PROBES,
  pooledProbes: ES_INDEX_PROBES,
  crossTenantProbes: ['ESHttpGet', 'ESHttpPost'].flatMap((a) =>
    ['_all/_search', '*/_search', '_search', '_msearch', '_mget', 'tenant-*/_search'].map((p) => ({ action: `es:${a}`, resource: `{arn}/${p}` })),
  ),
};

/**
 * DynamoDB items are partitioned by their partition key; `dynamodb:LeadingKeys` carries the
 * partition key values of a request (DynamoDB Developer Guide, specifying-conditions). Probes
 * against a pooled table put the victim's partition value there (`{ns}`); a batch mixes the
 * attacker's own value with the victim's (`{own}`), which `ForAnyValue:` lets through. Scan and
 * PartiQL without a key condition carry no LeadingKeys at all: the ForAllValues empty-set trap
 * (IAM User Guide, reference_policies_condition-single-vs-multi-valued-context-keys).
 */
const LEADING = 'dynamodb:LeadingKeys';
const DYNAMODB_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PartiQLSelect',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];
const DYNAMODB_TABLE: ResourceKind = {
  service: 'dynamodb',
  name: (i) => str(i.props.TableName) ?? symbolic(i),
  ref: 'name',
  arn: (n, i) => `${regional('dynamodb', i)}:table/${n}`,
  attrs: { StreamArn: 'arn' },
  namespace: 'partitionKey',
  ownedProbes: [...DYNAMODB_ITEM_ACTIONS, 'dynamodb:Scan', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'].map((action) => ({ action, resource: '{arn}' })),
  pooledProbes: [
    ...DYNAMODB_ITEM_ACTIONS.map((action) => ({ action, resource: '{arn}', context: { [LEADING]: '{ns}' } })),
    ...['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:TransactGetItems', 'dynamodb:TransactWriteItems'].map((action) => ({
      action,
      resource: '{arn}',
      context: { [LEADING]: '{own}\u0000{ns}' },
    })),
    { action: 'dynamodb:Query', resource: '{arn}/index/{index}', context: { [LEADING]: '{ns}' } },
  ],
  crossTenantProbes: [
    { action: 'dynamodb:Scan', resource: '{arn}' },
    { action: 'dynamodb:Scan', resource: '{arn}/index/{index}' },
    { action: 'dynamodb:PartiQLSelect', resource: '{arn}' },
    { action: 'dynamodb:ExportTableToPointInTime', resource: '{arn}' },
  ],
};

/** A CloudFront resource (global: no Region in its ARN), probed with the actions that change what it serves. */
function cloudFrontKind(type: string, actions: readonly string[]): ResourceKind {
  return {
    service: 'cloudfront',
    name: (i) => symbolic(i),
    ref: 'name',
    arn: (n, i) => `arn:${i.env.partition}:cloudfront::${i.env.account}:${type}/${n}`,
    attrs: { Id: 'name' },
    ownedProbes: actions.map((action) => ({ action, resource: '{arn}' })),
  };
}
/**
 * Amazon SES (email boundary, docs/email.md). SES checks a send against every resource it names:
 * the sending identity, the configuration set and the template (Service Authorization Reference,
 * list_amazonsimpleemailservicev2), and the suppression-list actions against the SES tenant
 * (`tenant/<TenantName>/<TenantId>`, the id generated by SES: a stand-in here). An identity,
 * configuration set, template or SES tenant in a tenant's stack (TenantId tag) is tenant-owned;
 * another tenant's session reaching any of these probes is a leak (sending as the victim, through
 * its reputation, changing its suppression list, templates or sending status). The probes carry no
 * ses:FromAddress / ses:TenantName: a grant conditioned on those keys is not reached by them
 * (the matrix has no substitution for the victim's address); the nag rule TI-SES1 judges them.
 */
const SES_SEND_PROBES: ProbeTemplate[] = ['ses:SendEmail', 'ses:SendRawEmail', 'ses:SendTemplatedEmail', 'ses:SendBulkEmail'].map((action) => ({
  action,
  resource: '{arn}',
}));
const SES_KINDS: Readonly<Record<string, ResourceKind>> = {
  'AWS::SES::EmailIdentity': {
    service: 'ses',
    name: (i) => str(i.props.EmailIdentity) ?? symbolic(i, true),
    ref: 'name',
    arn: (n, i) => `${regional('ses', i)}:identity/${n}`,
    ownedProbes: [...SES_SEND_PROBES, { action: 'ses:PutEmailIdentityFeedbackAttributes', resource: '{arn}' }, { action: 'ses:DeleteEmailIdentity', resource: '{arn}' }],
  },
  'AWS::SES::ConfigurationSet': {
    service: 'ses',
    name: (i) => str(i.props.Name) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('ses', i)}:configuration-set/${n}`,
    ownedProbes: [
      ...SES_SEND_PROBES,
      { action: 'ses:PutConfigurationSetSendingOptions', resource: '{arn}' },
      { action: 'ses:PutConfigurationSetSuppressionOptions', resource: '{arn}' },
      { action: 'ses:UpdateConfigurationSetEventDestination', resource: '{arn}' },
    ],
  },
  'AWS::SES::Template': {
    service: 'ses',
    name: (i) => str((i.props.Template as Record<string, unknown> | undefined)?.TemplateName) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('ses', i)}:template/${n}`,
    ownedProbes: [
      { action: 'ses:SendEmail', resource: '{arn}' },
      { action: 'ses:GetEmailTemplate', resource: '{arn}' },
      { action: 'ses:UpdateEmailTemplate', resource: '{arn}' },
      { action: 'ses:DeleteEmailTemplate', resource: '{arn}' },
    ],
  },
  'AWS::SES::Tenant': {
    service: 'ses',
    name: (i) => str(i.props.TenantName) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('ses', i)}:tenant/${n}/AUDIT0`,
    ownedProbes: [
      'ses:GetSuppressedDestination',
      'ses:PutSuppressedDestination',
      'ses:DeleteSuppressedDestination',
      'ses:ListSuppressedDestinations',
      'ses:GetTenant',
    ].map((action) => ({ action, resource: '{arn}' })),
  },
};

export const RESOURCE_KINDS: Readonly<Record<string, ResourceKind>> = {
  'AWS::S3::Bucket': {
    service: 's3',
    name: (i) => str(i.props.BucketName) ?? symbolic(i, true),
    ref: 'name',
    arn: (n, i) => `arn:${i.env.partition}:s3:::${n}`,
    namespace: 'object',
    ownedProbes: [...S3_OBJECT_PROBES, { action: 's3:ListBucket', resource: '{arn}', context: S3_SECURE }],
    pooledProbes: S3_OBJECT_PROBES,
    crossTenantProbes: [
      { action: 's3:ListBucket', resource: '{arn}', context: S3_SECURE },
      { action: 's3:ListBucket', resource: '{arn}', context: { ...S3_SECURE, 's3:prefix': 'tenants/' } },
      { action: 's3:ListBucketVersions', resource: '{arn}', context: S3_SECURE },
    ],
  },
  'AWS::KMS::Key': {
    service: 'kms',
    // A key id is a UUID minted at deploy; the stack name keeps the stand-in unique across
    // tenant stacks whose keys share a logical id (every tenant stack has a JobsKey).
    name: (i) => symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('kms', i)}:key/${n}`,
    attrs: { KeyId: 'name' },
    // Key probes are built from the bucket that uses the key (see inventory.ts): the encryption
    // context S3 sends names the object (S3 User Guide, UsingKMSEncryption).
    ownedProbes: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:ReEncryptFrom'].map((action) => ({ action, resource: '{arn}' })),
  },
  'AWS::IAM::Role': {
    service: 'iam',
    name: (i) => str(i.props.RoleName) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `arn:${i.env.partition}:iam::${i.env.account}:role${str(i.props.Path) ?? '/'}${n}`,
    attrs: { RoleId: 'name' },
  },
  'AWS::IAM::User': {
    service: 'iam',
    name: (i) => str(i.props.UserName) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `arn:${i.env.partition}:iam::${i.env.account}:user${str(i.props.Path) ?? '/'}${n}`,
  },
  'AWS::IAM::ManagedPolicy': {
    service: 'iam',
    name: (i) => str(i.props.ManagedPolicyName) ?? symbolic(i),
    ref: 'arn',
    arn: (n, i) => `arn:${i.env.partition}:iam::${i.env.account}:policy${str(i.props.Path) ?? '/'}${n}`,
    attrs: { PolicyArn: 'arn' },
  },
  'AWS::SQS::Queue': {
    service: 'sqs',
    name: (i) => str(i.props.QueueName) ?? symbolic(i),
    ref: 'url',
    arn: (n, i) => `${regional('sqs', i)}:${n}`,
    attrs: { QueueName: 'name', QueueUrl: 'name' },
    ownedProbes: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:PurgeQueue', 'sqs:ChangeMessageVisibility'].map((action) => ({
      action,
      resource: '{arn}',
      context: { 'aws:SecureTransport': 'true' },
    })),
  },
  'AWS::SecretsManager::Secret': {
    service: 'secretsmanager',
    name: (i) => str(i.props.Name) ?? symbolic(i),
    ref: 'arn',
    arn: (n, i) => `${regional('secretsmanager', i)}:secret:${n}-AUDIT0`,
    attrs: { Id: 'arn' },
    ownedProbes: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'].map((action) => ({
      action,
      resource: '{arn}',
    })),
  },
  // `Ref` of an attachment returns the secret's ARN (CloudFormation reference,
  // aws-resource-secretsmanager-secrettargetattachment): a grant on it is a grant on the secret.
  'AWS::SecretsManager::SecretTargetAttachment': {
    service: 'secretsmanager',
    name: (i) => str(i.props.SecretId) ?? symbolic(i),
    ref: 'name',
    arn: (n) => n,
  },
  'AWS::SNS::Topic': {
    service: 'sns',
    name: (i) => str(i.props.TopicName) ?? symbolic(i),
    ref: 'arn',
    arn: (n, i) => `${regional('sns', i)}:${n}`,
    attrs: { TopicArn: 'arn', TopicName: 'name' },
    ownedProbes: ['sns:Publish', 'sns:Subscribe'].map((action) => ({ action, resource: '{arn}' })),
  },
  'AWS::DynamoDB::Table': DYNAMODB_TABLE,
  'AWS::DynamoDB::GlobalTable': DYNAMODB_TABLE,
  'AWS::Kinesis::Stream': {
    service: 'kinesis',
    name: (i) => str(i.props.Name) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('kinesis', i)}:stream/${n}`,
    ownedProbes: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:SubscribeToShard'].map((action) => ({
      action,
      resource: '{arn}',
    })),
  },
  'AWS::KinesisFirehose::DeliveryStream': {
    service: 'firehose',
    name: (i) => str(i.props.DeliveryStreamName) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('firehose', i)}:deliverystream/${n}`,
    ownedProbes: ['firehose:PutRecord', 'firehose:PutRecordBatch'].map((action) => ({ action, resource: '{arn}' })),
  },
  'AWS::ElastiCache::ReplicationGroup': {
    service: 'elasticache',
    name: (i) => (str(i.props.ReplicationGroupId) ?? symbolic(i, true)).toLowerCase(),
    ref: 'name',
    arn: (n, i) => `${regional('elasticache', i)}:replicationgroup:${n}`,
    ownedProbes: [{ action: 'elasticache:Connect', resource: '{arn}' }],
  },
  'AWS::RDS::DBInstance': {
    service: 'rds',
    name: (i) => (str(i.props.DBInstanceIdentifier) ?? symbolic(i, true)).toLowerCase(),
    ref: 'name',
    arn: (n, i) => `${regional('rds', i)}:db:${n}`,
    attrs: { DBInstanceArn: 'arn' },
    ownedProbes: [{ action: 'rds-db:connect', resource: '{dbuserArn}' }],
  },

  'AWS::RDS::DBCluster': {
    service: 'rds',
    name: (i) => (str(i.props.DBClusterIdentifier) ?? symbolic(i, true)).toLowerCase(),
    ref: 'name',
    arn: (n, i) => `${regional('rds', i)}:cluster:${n}`,
    attrs: { DBClusterArn: 'arn' },
    ownedProbes: [
      { action: 'rds-data:ExecuteStatement', resource: '{arn}' },
      { action: 'rds-data:BatchExecuteStatement', resource: '{arn}' },
      // IAM database authentication: rds-db:connect names the cluster's resource id, which the
      // templates do not show (RDS User Guide, UsingWithRDS.IAMDBAuth.IAMPolicy).
      { action: 'rds-db:connect', resource: '{dbuserArn}' },
    ],
  },
  'AWS::OpenSearchService::Domain': OPENSEARCH_DOMAIN,
  // The legacy Elasticsearch type has the same shape.
  'AWS::Elasticsearch::Domain': OPENSEARCH_DOMAIN,
  'AWS::ElastiCache::User': {
    service: 'elasticache',
    name: (i) => str(i.props.UserId) ?? symbolic(i, true),
    ref: 'name',
    arn: (n, i) => `${regional('elasticache', i)}:user:${n}`,
    ownedProbes: [{ action: 'elasticache:Connect', resource: '{arn}' }],
  },
  'AWS::ElastiCache::UserGroup': {
    service: 'elasticache',
    name: (i) => str(i.props.UserGroupId) ?? symbolic(i, true),
    ref: 'name',
    arn: (n, i) => `${regional('elasticache', i)}:usergroup:${n}`,
  },
  'AWS::ElastiCache::ServerlessCache': {
    service: 'elasticache',
    name: (i) => str(i.props.ServerlessCacheName) ?? symbolic(i, true),
    ref: 'name',
    arn: (n, i) => `${regional('elasticache', i)}:serverlesscache:${n}`,
    ownedProbes: [{ action: 'elasticache:Connect', resource: '{arn}' }],
  },
  'AWS::SSM::Parameter': {
    service: 'ssm',
    name: (i) => str(i.props.Name) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('ssm', i)}:parameter/${n.replace(/^\//, '')}`,
    ownedProbes: [
      { action: 'ssm:GetParameter', resource: '{arn}' },
      { action: 'ssm:PutParameter', resource: '{arn}' },
    ],
  },
  'AWS::Logs::LogGroup': {
    service: 'logs',
    name: (i) => str(i.props.LogGroupName) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('logs', i)}:log-group:${n}:*`,
  },
  // CloudFront (docs/cdn.md). Global resources: `arn:<p>:cloudfront::<account>:<type>/<id>`, the id
  // being what `Ref` returns (CloudFormation reference: aws-resource-cloudfront-*). They hold no
  // tenant data themselves but decide whose content is served to whom, so a tenant session that
  // may change them reaches every tenant on the distribution: probed with their write actions.
  // A distribution tenant in a tenant stack is tenant-owned; the rest is platform unless reached.
  'AWS::CloudFront::Distribution': cloudFrontKind('distribution', ['cloudfront:UpdateDistribution', 'cloudfront:CreateInvalidation', 'cloudfront:GetDistributionConfig']),
  'AWS::CloudFront::DistributionTenant': cloudFrontKind('distribution-tenant', [
    'cloudfront:UpdateDistributionTenant',
    'cloudfront:CreateInvalidationForDistributionTenant',
  ]),
  'AWS::CloudFront::CachePolicy': cloudFrontKind('cache-policy', ['cloudfront:UpdateCachePolicy', 'cloudfront:DeleteCachePolicy']),
  'AWS::CloudFront::OriginRequestPolicy': cloudFrontKind('origin-request-policy', ['cloudfront:UpdateOriginRequestPolicy', 'cloudfront:DeleteOriginRequestPolicy']),
  'AWS::CloudFront::Function': cloudFrontKind('function', ['cloudfront:UpdateFunction', 'cloudfront:PublishFunction']),
  // Key groups and public keys: the ARN form follows the other CloudFront types (unverified:
  // the Service Authorization Reference may list no resource type for them, in which case only a
  // grant on `*` reaches them, which these probes also match).
  'AWS::CloudFront::KeyGroup': cloudFrontKind('key-group', ['cloudfront:UpdateKeyGroup', 'cloudfront:DeleteKeyGroup']),
  'AWS::CloudFront::PublicKey': cloudFrontKind('public-key', ['cloudfront:UpdatePublicKey', 'cloudfront:CreatePublicKey']),
  'AWS::Lambda::Function': {
    service: 'lambda',
    name: (i) => str(i.props.FunctionName) ?? symbolic(i),
    ref: 'name',
    arn: (n, i) => `${regional('lambda', i)}:function:${n}`,
  },
  ...SES_KINDS,
};
/** The generic kind for a type the table does not list. */
export function genericKind(type: string): ResourceKind {
  const m = /^AWS::([^:]+)::(.+)$/.exec(type);
  const service = (m ? m[1] : 'unknown').toLowerCase();
  const resType = (m ? m[2] : type).toLowerCase();
  return {
    service,
    name: (i) => symbolic(i),
    ref: 'logicalId',
    arn: (n, i) => `${regional(service, i)}:${resType}/${n}`,
    ownedProbes: [{ action: `${service}:AuditProbe`, resource: '{arn}' }],
  };
}

export function kindOf(type: string): ResourceKind {
  return RESOURCE_KINDS[type] ?? genericKind(type);
}

/**
 * Resource policies: which resource type holds a policy for which other resource, as data.
 * `target` is the property naming the protected resource(s); `inline` policies sit on the
 * resource itself.
 */
export interface ResourcePolicyKind {
  readonly document: string;
  /** Property with the protected resource reference(s); absent = the resource itself. */
  readonly target?: string;
}

export const RESOURCE_POLICY_KINDS: Readonly<Record<string, ResourcePolicyKind>> = {
  'AWS::S3::BucketPolicy': { document: 'PolicyDocument', target: 'Bucket' },
  'AWS::SQS::QueuePolicy': { document: 'PolicyDocument', target: 'Queues' },
  'AWS::SNS::TopicPolicy': { document: 'PolicyDocument', target: 'Topics' },
  'AWS::SecretsManager::ResourcePolicy': { document: 'ResourcePolicy', target: 'SecretId' },
  'AWS::KMS::Key': { document: 'KeyPolicy' },
  'AWS::OpenSearchService::Domain': { document: 'AccessPolicies' },
  'AWS::Elasticsearch::Domain': { document: 'AccessPolicies' },
  'AWS::DynamoDB::Table': { document: 'ResourcePolicy.PolicyDocument' },
};
