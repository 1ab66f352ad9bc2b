/**
 * Every IAM policy document a resource carries, as normalized statements.
 *
 * - identity: AWS::IAM::Policy, ::ManagedPolicy, and the inline `Policies` of ::Role/::User/::Group;
 * - resource: S3 bucket policies, SQS queue policies, KMS key policies, OpenSearch/Elasticsearch
 *   domain access policies, Secrets Manager resource policies;
 * - trust: the AssumeRolePolicyDocument of a role.
 * Values are flattened (core/values.ts); an unknown value throws, so the rule reports an error.
 */
import { CfnResource } from 'aws-cdk-lib';
import { asList, flattener, Flattener, requireData, UnresolvableValueError } from './values';
import { render, RenderedResource } from './template';
import { memoized } from './memo';

export type PolicyKind = 'identity' | 'resource' | 'trust';

/** condition operator -> condition key -> values */
export type Conditions = Record<string, Record<string, string[]>>;

export interface Statement {
  /** `Sid`, or `#<index>` when the statement has none; prefixed by the policy name for inline policies. */
  readonly label: string;
  readonly kind: PolicyKind;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  /** Flattened principals by type (`AWS`, `Service`, `Federated`, `*`). Empty for identity policies. */
  readonly principals: Record<string, string[]>;
  readonly conditions: Conditions;
}

interface RawDocument {
  readonly kind: PolicyKind;
  readonly prefix: string;
  readonly document: unknown;
}

const RESOURCE_POLICY_PROPERTY: Record<string, string> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::OpenSearchService::Domain': 'AccessPolicies',
  'AWS::Elasticsearch::Domain': 'AccessPolicies',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
};

function rawDocuments(node: CfnResource, r: RenderedResource): RawDocument[] {
  const p = r.properties;
  const docs: RawDocument[] = [];
  switch (r.type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      docs.push({ kind: 'identity', prefix: '', document: p.PolicyDocument });
      break;
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      if (r.type === 'AWS::IAM::Role') docs.push({ kind: 'trust', prefix: '', document: p.AssumeRolePolicyDocument });
      for (const inline of asList(requireData(node, p.Policies, 'Policies') as unknown[])) {
        const { PolicyName, PolicyDocument } = requireData(node, inline, 'Policies[]') as Record<string, unknown>;
        docs.push({ kind: 'identity', prefix: `${String(PolicyName)}/`, document: PolicyDocument });
      }
      break;
    default: {
      const prop = RESOURCE_POLICY_PROPERTY[r.type];
      if (prop && p[prop] !== undefined) docs.push({ kind: 'resource', prefix: '', document: p[prop] });
    }
  }
  return docs;
}

function strings(flat: Flattener, value: unknown, where: string): string[] {
  return asList(value as unknown).map((v, i) => flat(v, `${where}[${i}]`));
}

function principalsOf(node: CfnResource, flat: Flattener, value: unknown, where: string): Record<string, string[]> {
  if (value === undefined) return {};
  if (value === '*') return { '*': ['*'] };
  const o = requireData(node, value, where) as Record<string, unknown>;
  const out: Record<string, string[]> = {};
  for (const [type, v] of Object.entries(o)) out[type] = strings(flat, v, `${where}.${type}`);
  return out;
}

function conditionsOf(node: CfnResource, flat: Flattener, value: unknown, where: string): Conditions {
  const out: Conditions = {};
  if (value === undefined) return out;
  const ops = requireData(node, value, where) as Record<string, unknown>;
  for (const [op, keys] of Object.entries(ops)) {
    out[op] = {};
    for (const [key, v] of Object.entries(requireData(node, keys, `${where}.${op}`) as Record<string, unknown>)) {
      out[op][key] = strings(flat, v, `${where}.${op}.${key}`);
    }
  }
  return out;
}

/** All statements of all policy documents on the node, optionally of one kind. */
export function statementsOf(node: CfnResource, kinds?: readonly PolicyKind[]): Statement[] {
  // Several rules read the same node's statements; the memo key keeps the kinds, so a document
  // of a kind not asked for is still never parsed (and cannot throw) for that caller.
  return memoized(`statementsOf:${kinds?.join(',') ?? '*'}`, node, () => statementsNow(node, kinds));
}

function statementsNow(node: CfnResource, kinds?: readonly PolicyKind[]): Statement[] {
  const r = render(node);
  const flat = flattener(node);
  const out: Statement[] = [];
  for (const raw of rawDocuments(node, r)) {
    if (kinds && !kinds.includes(raw.kind)) continue;
    if (raw.document === undefined) continue;
    let document = raw.document;
    if (typeof document === 'string') {
      try {
        document = JSON.parse(document);
      } catch {
        throw new UnresolvableValueError(node, `${raw.kind} policy`, document);
      }
    }
    const doc = requireData(node, document, `${raw.kind} policy`) as Record<string, unknown>;
    asList(requireData(node, doc.Statement, 'Statement') as unknown[]).forEach((s, i) => {
      const where = `${raw.kind} policy ${raw.prefix}Statement[${i}]`;
      const st = requireData(node, s, where) as Record<string, unknown>;
      const effect = flat(st.Effect, `${where}.Effect`);
      out.push({
        label: `${raw.prefix}${st.Sid !== undefined ? flat(st.Sid, `${where}.Sid`) : `#${i}`}`,
        kind: raw.kind,
        effect: effect === 'Deny' ? 'Deny' : 'Allow',
        actions: strings(flat, st.Action, `${where}.Action`),
        notActions: strings(flat, st.NotAction, `${where}.NotAction`),
        resources: strings(flat, st.Resource, `${where}.Resource`),
        notResources: strings(flat, st.NotResource, `${where}.NotResource`),
        principals: principalsOf(node, flat, st.Principal ?? st.NotPrincipal, `${where}.Principal`),
        conditions: conditionsOf(node, flat, st.Condition, `${where}.Condition`),
      });
    });
  }
  return out;
}

/** Compiled wildcard patterns: the same few action patterns are matched millions of times at scale. */
const WILDCARD_RES = new Map<string, RegExp>();

/** IAM wildcard matching (`*` any run, `?` one character), case-insensitive as action names are. */
export function wildcardMatches(pattern: string, value: string): boolean {
  let re = WILDCARD_RES.get(pattern);
  if (re === undefined) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${source}$`, 'is');
    // Bounded: patterns come from templates (one per distinct action or resource string).
    if (WILDCARD_RES.size >= 10_000) WILDCARD_RES.clear();
    WILDCARD_RES.set(pattern, re);
  }
  return re.test(value);
}

/** The concrete actions of `universe` a statement's Action/NotAction reaches. */
export function reachedActions(st: Statement, universe: readonly string[]): string[] {
  if (st.notActions.length > 0) return universe.filter((a) => !st.notActions.some((p) => wildcardMatches(p, a)));
  return universe.filter((a) => st.actions.some((p) => wildcardMatches(p, a)));
}

/** `arn:<partition>:iam::<account>:root` or a bare account id: the account delegating to IAM. */
export function isAccountRoot(principal: string): boolean {
  const account = '(?:\\d{12}|<AWS::AccountId>)';
  return new RegExp(`^(?:arn:(?:<AWS::Partition>|[\\w-]+):iam::${account}:root|${account})$`).test(principal);
}

/**
 * A resource-policy statement whose principals are only the account root or AWS services grants
 * nothing to a tenant session by itself: the account root delegates to identity policies (which
 * the rules check), and a service principal is not a tenant session.
 */
export function onlyDelegatesOrServices(st: Statement): boolean {
  if (st.kind !== 'resource') return false;
  const entries = Object.entries(st.principals);
  if (entries.length === 0) return false;
  return entries.every(([type, values]) => type === 'Service' || (type === 'AWS' && values.every(isAccountRoot)));
}
