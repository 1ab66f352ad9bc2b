/**
 * Defence in depth: ONE widened identity grant is not enough to leak. Each tenant session below
 * (TenantAccessRole tagged acme, acme's jobs worker, a SupportAccessRole session) gets an identity
 * policy of `Allow * on *` — the worst mistake a later change could make — and attacks every
 * platform resource that no tenant session needs, with data AND management actions. The
 * resource policy alone must refuse each request (ExplicitlyDenied). A control principal without
 * a TenantId tag and the same grant is allowed, so the denial is the fence's, not an accident of
 * the request.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { arnOf, Decision, evaluate, keyPolicyOf, PolicyDocument, resourcePolicyFor } from '../../helpers/iam-attack';
import { testBlueprint } from '../../helpers/app';
import { logicalIdsOfType, TemplateJson, TEST_ENV } from '../../helpers/template-resolver';

const { blueprint } = testBlueprint(['acme', 'acme-corp', 'globex:silo']);
const platform = Template.fromStack(blueprint.platform).toJSON() as TemplateJson;
const tenantTemplate = (id: string) => Template.fromStack(blueprint.tenants.find((t) => t.tenant.id.value === id)!).toJSON() as TemplateJson;
const acme = tenantTemplate('acme');
const globex = tenantTemplate('globex');

const WIDENED: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function only(template: TemplateJson, type: string, prefix: string): string {
  const ids = logicalIdsOfType(template, type).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${JSON.stringify(ids)}`);
  return ids[0];
}

const roleArn = (template: TemplateJson, prefix: string) => arnOf(template, only(template, 'AWS::IAM::Role', prefix));
const SESSIONS = [
  { name: 'TenantAccessRole session tagged acme', roleArn: roleArn(platform, 'TenantAccessRole'), tenant: 'acme' },
  { name: "acme's jobs worker (role tag TenantId=acme)", roleArn: roleArn(acme, 'JobsWorkerRole'), tenant: 'acme' },
  { name: 'SupportAccessRole session tagged acme', roleArn: roleArn(platform, 'SupportSupportAccessRole'), tenant: 'acme' },
];
const CONTROL = { name: 'operator role without a TenantId tag', roleArn: `arn:aws:iam::${TEST_ENV.account}:role/operator`, tenant: undefined };

interface Fenced {
  readonly name: string;
  readonly resourcePolicy: PolicyDocument;
  /** [action, resource] pairs: data and management actions. */
  readonly requests: ReadonlyArray<readonly [string, string]>;
  /** One request the control principal is allowed (the resource policy does not refuse everyone). */
  readonly control: readonly [string, string];
}

function fencedKey(name: string, prefix: string): Fenced {
  const id = only(platform, 'AWS::KMS::Key', prefix);
  const arn = arnOf(platform, id);
  const actions = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:CreateGrant', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey'];
  return { name, resourcePolicy: keyPolicyOf(platform, id), requests: actions.map((a) => [a, arn] as const), control: ['kms:DescribeKey', arn] };
}

function fencedBucket(name: string, prefix: string, controlAction = 's3:GetObject'): Fenced {
  const id = only(platform, 'AWS::S3::Bucket', prefix);
  const arn = arnOf(platform, id);
  const object = `${arn}/tenants/acme/x`;
  return {
    name,
    resourcePolicy: resourcePolicyFor(platform, 'AWS::S3::BucketPolicy', 'Bucket', id),
    requests: [
      ['s3:GetObject', object],
      ['s3:PutObject', object],
      ['s3:DeleteObject', object],
      ['s3:PutObjectAcl', object],
      ['s3:ListBucket', arn],
      ['s3:PutBucketPolicy', arn],
      ['s3:PutLifecycleConfiguration', arn],
      ['s3:DeleteBucket', arn],
    ],
    control: [controlAction, object],
  };
}

function fencedTopic(): Fenced {
  const id = only(platform, 'AWS::SNS::Topic', 'SupportAlertTopic');
  // The test resolver renders a topic's Ref as its logical id; give it the ARN shape SNS uses.
  const arn = `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:${id}`;
  const policy = JSON.parse(
    JSON.stringify(resourcePolicyFor(platform, 'AWS::SNS::TopicPolicy', 'Topics', id))
      .split(`"${id}"`)
      .join(`"${arn}"`),
  );
  return {
    name: 'support alert topic',
    resourcePolicy: policy,
    requests: ['sns:Publish', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:SetTopicAttributes', 'sns:DeleteTopic', 'sns:AddPermission'].map((a) => [a, arn] as const),
    control: ['sns:GetTopicAttributes', arn],
  };
}

const FENCED: Fenced[] = [
  fencedKey('database key', 'DatabaseKey'),
  fencedKey('cache key (shared cells)', 'CacheKey'),
  fencedKey("silo tenant globex's cache key", 'CacheSiloKeyglobex'),
  fencedKey('search domain key', 'SearchKey'),
  fencedKey('audit trail key', 'SupportAuditTrailKey'),
  fencedKey('support alert key', 'SupportAlertKey'),
  fencedBucket('access-log bucket', 'AccessLogsBucket'),
  fencedBucket('audit-log bucket', 'SupportAuditTrailBucket'),
  fencedTopic(),
];

const attack = (session: { roleArn: string; tenant?: string }, fenced: Fenced, action: string, resource: string): Promise<Decision> =>
  evaluate({ roleArn: session.roleArn, tenant: session.tenant, action, resource, identityPolicies: [WIDENED], resourcePolicy: fenced.resourcePolicy });

describe.each(FENCED.map((f) => [f.name, f] as const))('%s refuses every tenant session with a widened grant', (_name, fenced) => {
  test.each(SESSIONS.flatMap((s) => fenced.requests.map(([a, r]) => [s.name, a, s, r] as const)))('%s: %s → ExplicitlyDenied', async (_s, action, session, resource) => {
    expect(await attack(session, fenced, action, resource)).toBe('ExplicitlyDenied');
  });

  test(`control: ${CONTROL.name} with the same grant is allowed ${fenced.control[0]}`, async () => {
    expect(await attack(CONTROL, fenced, fenced.control[0], fenced.control[1])).toBe('Allowed');
  });
});

describe("jobs queue: another tenant's worker with a widened grant cannot reconfigure or share acme's queue", () => {
  const queueId = only(acme, 'AWS::SQS::Queue', 'JobsQueue');
  const queueArn = arnOf(acme, queueId);
  const queuePolicy = resourcePolicyFor(acme, 'AWS::SQS::QueuePolicy', 'Queues', queueId);
  const globexWorker = { roleArn: roleArn(globex, 'JobsWorkerRole'), tenant: 'globex' };
  const acmeWorker = { roleArn: roleArn(acme, 'JobsWorkerRole'), tenant: 'acme' };
  const request = (who: { roleArn: string; tenant: string }, action: string) =>
    evaluate({ roleArn: who.roleArn, tenant: who.tenant, action, resource: queueArn, identityPolicies: [WIDENED], resourcePolicy: queuePolicy });

  test.each(['sqs:SetQueueAttributes', 'sqs:AddPermission', 'sqs:RemovePermission', 'sqs:TagQueue', 'sqs:DeleteQueue', 'sqs:ReceiveMessage', 'sqs:PurgeQueue'])(
    "globex's worker: %s on acme's queue → ExplicitlyDenied",
    async (action) => {
      expect(await request(globexWorker, action)).toBe('ExplicitlyDenied');
    },
  );

  test("control: acme's own worker with the same grant may receive from its queue", async () => {
    expect(await request(acmeWorker, 'sqs:ReceiveMessage')).toBe('Allowed');
  });
});
