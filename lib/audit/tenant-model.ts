/**
 * The tenant model: who acts as a tenant, which tenant owns what, and how pooled stores are
 * partitioned — declared in the config (config.ts) or inferred from the templates, each part
 * with the evidence for it, so a reader can correct it. Every data store of the inventory is
 * classified here: tenant-owned, pooled (with its partition), platform, or unclassified.
 *
 * Inference rules (docs/audit.md, "The tenant model"):
 * - tenant sessions: roles whose trust allows sts:TagSession and that use a TenantId tag;
 *   roles with a declared session policy (`sessionPolicies`);
 * - tenant-owned: a TenantId tag whose value is a tenant id (on the resource or its stack);
 *   a value that is not (`pooled`) marks pooled data; a declared `name` template;
 * - pooled partitions: `partitions` in the config; else the policies that address the store
 *   through the tenant (`${aws:PrincipalTag/TenantId}` or `{{tenant}}` in an object ARN, an
 *   s3:prefix, an index ARN, a dynamodb:LeadingKeys value); else a DynamoDB partition key
 *   whose name says tenant;
 * - pooled by name: a queue / topic / parameter / secret / log group / stream ARN with the tenant
 *   in its name (a policy through `${aws:PrincipalTag/TenantId}`, or config `name` keyed by a
 *   type): a family probed at every tenant's name (`nameFamilies`);
 * - pooled by RLS: config `rls` on a database; the tenant-facing sessions that reach it are
 *   where the proof ends (TI-RLS-PARTITION); its master secret still reaches every tenant;
 * - a store with none of these that a tenant-facing principal reaches is unclassified (a
 *   finding that says what to declare); roles of two tenants writing it is a cross-tenant error;
 *   a store no tenant-facing principal reaches is platform.
 */
import { CACHE_ROOT, PRINCIPAL_TENANT } from '../core/namespace';
import { AuditConfig, PartitionSpec, TENANT_PLACEHOLDER } from './config';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from './intrinsics';
import { AuthzRequest, evaluate, requestContext } from './engine/builtin-engine';
import { arnMatch } from './engine/patterns';
import { IdGrammar } from './id-grammar';
import { configKeyMatches, Inventory, Partition, Principal, TenantResource } from './inventory';
import { parsePolicyDocument, SourceRef, Statement } from './policy-model';
import { kindOf, ProbeTemplate, ResourceKind } from './resource-kinds';
import { sessionContextFromTrust } from './session-context';

export class NoTenantModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoTenantModelError';
  }
}

export interface Evidence {
  /** Which part of the model: `id grammar`, `tenant sessions`, `tenant-owned`, `pooled`, `platform`, `config`. */
  readonly part: string;
  readonly detail: string;
}

/** A store reached by tenant-facing principals without a partition (shared by two tenants: cross-tenant). */
export interface UnclassifiedStore {
  readonly store: TenantResource;
  readonly reachedBy: Array<{ readonly principal: Principal; readonly actingAs: string | null; readonly action: string; readonly write: boolean }>;
}

export interface TenantModel {
  readonly grammar: IdGrammar;
  readonly configFile?: string;
  readonly evidence: Evidence[];
  readonly unclassified: UnclassifiedStore[];
  /** Pooled databases declared RLS-partitioned, with the tenant-facing sessions that reach them (the proof ends at RLS). */
  readonly rls: UnclassifiedStore[];
}

const VAR_RE = /\$\{aws:principaltag\/tenantid\}/i;
const TENANT_MARK = /\$\{aws:principaltag\/tenantid\}|\{\{tenant\}\}/i;
const DELIMS = '/:.#|_';

/** Whether a principal acts as a tenant in the matrix. */
export function isTenantFacing(p: Principal): boolean {
  return Boolean(p.owner || p.abac || p.sessionPolicy);
}

/** The session policy of `p` for tenant `tenant` (`{{tenant}}` substituted). */
export function sessionPolicyFor(p: Principal, tenant: string): Statement[] | undefined {
  if (!p.sessionPolicy) return undefined;
  const doc = JSON.parse(JSON.stringify(p.sessionPolicy.document).split(TENANT_PLACEHOLDER).join(tenant));
  const source: SourceRef = { ...p.source, logicalId: p.source.logicalId };
  return parsePolicyDocument(doc, source, `sessionPolicies["${p.sessionPolicy.key}"]`);
}

/** `tenants/${aws:PrincipalTag/TenantId}/*` after `<bucket arn>/` -> `tenants/{{tenant}}/`. */
function templateFrom(rest: string): string | undefined {
  const m = TENANT_MARK.exec(rest);
  if (!m) return undefined;
  const before = rest.slice(0, m.index);
  if (/[*?]/.test(before)) return undefined;
  const after = rest[m.index + m[0].length];
  // A missing delimiter (`${tag}*`) still shows the partition; the matrix reports the pattern.
  const delim = after !== undefined && DELIMS.includes(after) ? after : '/';
  return `${before}${TENANT_PLACEHOLDER}${delim}`;
}

function specFor(config: AuditConfig, r: TenantResource): [string, PartitionSpec] | undefined {
  return Object.entries(config.partitions).find(([k]) => k === r.type || configKeyMatches(k, r.source, [r.arn]));
}

const lastSegment = (arn: string) => arn.split(/[:/]/).pop() ?? arn;

/** The tenant whose name template (config `name`) the store's name matches. */
function ownerByName(template: string, r: TenantResource, grammar: IdGrammar): string | undefined {
  const [pre, post] = template.split(TENANT_PLACEHOLDER);
  const name = lastSegment(r.arn);
  if (!name.startsWith(pre) || !name.endsWith(post) || name.length <= pre.length + post.length) return undefined;
  const id = name.slice(pre.length, name.length - post.length);
  return grammar.isValid(id) ? id : undefined;
}

/**
 * The statements that address anything through the tenant, indexed by the ARN they name (and
 * its bucket / domain part), so inferring a store's partition looks at its own statements
 * only: linear in the number of stores and statements, not their product.
 */
class AllStatements {
  private readonly byArn = new Map<string, Statement[]>();
  public readonly tenantMarked: Statement[] = [];

  constructor(statements: readonly Statement[]) {
    for (const st of statements) {
      if (!TENANT_MARK.test(JSON.stringify([st.resources, st.conditions]))) continue;
      this.tenantMarked.push(st);
      for (const res of st.resources ?? []) {
        const parts = res.split('/');
        for (const k of new Set([res, parts[0], parts.slice(0, 2).join('/')])) {
          const list = this.byArn.get(k) ?? [];
          list.push(st);
          this.byArn.set(k, list);
        }
      }
    }
  }

  public naming(arn: string): readonly Statement[] {
    return this.byArn.get(arn) ?? [];
  }
}

/** Infers the partition of a pooled store from the statements that address it through the tenant. */
function inferPartition(r: TenantResource, all: AllStatements): Partition | undefined {
  const where = (st: Statement) => st.source?.logicalId ?? 'a policy';
  const statements = [...r.policy, ...all.naming(r.arn)];
  if (r.type === 'AWS::S3::Bucket' || r.type === 'AWS::OpenSearchService::Domain' || r.type === 'AWS::Elasticsearch::Domain') {
    const kind = r.type === 'AWS::S3::Bucket' ? 'objectKey' : 'indexPrefix';
    for (const st of statements) {
      for (const res of st.resources ?? []) {
        if (!res.startsWith(`${r.arn}/`)) continue;
        const t = templateFrom(res.slice(r.arn.length + 1));
        if (t) return { kind, template: t, evidence: `${where(st)} addresses ${res}` };
      }
      if (kind === 'objectKey' && (st.resources ?? []).some((x) => x === r.arn)) {
        for (const c of st.conditions) {
          if (!/^s3:prefix$/i.test(c.key)) continue;
          for (const v of c.values) {
            const t = templateFrom(v);
            if (t) return { kind, template: t, evidence: `${where(st)} lists ${r.arn} with s3:prefix ${v}` };
          }
        }
      }
    }
  }
  if (r.type === 'AWS::DynamoDB::Table' || r.type === 'AWS::DynamoDB::GlobalTable') {
    // Table grants are often `table/*` or `*`: every tenant-marked statement may apply.
    for (const st of [...r.policy, ...all.tenantMarked]) {
      const applies = (st.resources ?? []).some((x) => arnMatch(r.arn, x, {}) !== false || x.startsWith(`${r.arn}/`)) || st.principals !== undefined;
      if (!applies) continue;
      for (const c of st.conditions) {
        if (!/^dynamodb:leadingkeys$/i.test(c.key)) continue;
        for (const v of c.values) {
          const m = TENANT_MARK.exec(v);
          if (!m) continue;
          const tpl = v.slice(0, m.index) + TENANT_PLACEHOLDER + v.slice(m.index + m[0].length);
          return {
            kind: 'partitionKey',
            template: tpl.replace(/\*$/, ''),
            evidence: `${where(st)}: ${c.operator} dynamodb:LeadingKeys ${where(st).startsWith('config ') ? v.split(PRINCIPAL_TENANT).join(TENANT_PLACEHOLDER) : v}`,
          };
        }
      }
    }
    if (r.hashKey && /tenant/i.test(r.hashKey)) {
      return { kind: 'partitionKey', template: TENANT_PLACEHOLDER, evidence: `key schema: partition key "${r.hashKey}" names a tenant` };
    }
  }
  return undefined;
}

/**
 * Resource types whose tenant part is a whole resource with the tenant id in its NAME: a queue
 * `app-<id>-jobs`, a parameter `/app/<id>/...`, a secret, a log group, a stream. The app often
 * creates them per tenant at run time, so the templates hold no instance to probe; the family
 * (an ARN template with `{{tenant}}`) is probed for every tenant id of the matrix instead.
 * Matched on the ARN with `{{tenant}}` in place of the tag variable.
 */
const NAME_FAMILY_TYPES: ReadonlyArray<{ readonly re: RegExp; readonly type: string }> = [
  { re: /^arn:[^:]+:sqs:[^:]*:[^:]*:[^:/]*\{\{tenant\}\}[^:/]*$/, type: 'AWS::SQS::Queue' },
  { re: /^arn:[^:]+:sns:[^:]*:[^:]*:[^:/]*\{\{tenant\}\}[^:/]*$/, type: 'AWS::SNS::Topic' },
  { re: /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter\/.*\{\{tenant\}\}/, type: 'AWS::SSM::Parameter' },
  { re: /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:.*\{\{tenant\}\}/, type: 'AWS::SecretsManager::Secret' },
  { re: /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:.*\{\{tenant\}\}/, type: 'AWS::Logs::LogGroup' },
  { re: /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/.*\{\{tenant\}\}/, type: 'AWS::Kinesis::Stream' },
  { re: /^arn:[^:]+:firehose:[^:]*:[^:]*:deliverystream\/.*\{\{tenant\}\}/, type: 'AWS::KinesisFirehose::DeliveryStream' },
];

/** Log groups have no owned probes in the kind table: reading and writing a tenant's events. */
const LOG_GROUP_PROBES: readonly ProbeTemplate[] = ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:PutLogEvents', 'logs:DeleteLogGroup'].map((action) => ({
  action,
  resource: '{arn}',
}));

/** A value that satisfies a wildcard: `?` -> `x`, `*` -> nothing (`credentials-??????` -> `credentials-xxxxxx`). */
const satisfy = (s: string) => s.replace(/\?/g, 'x').replace(/\*/g, '');

/**
 * The per-tenant name families: declared (`partitions["AWS::SQS::Queue"].name`, keyed by a
 * type) or addressed through the tenant in a policy (`arn:...:queue/app-${aws:PrincipalTag/TenantId}-jobs`).
 * Each becomes a pooled resource whose partition is the whole ARN (`kind: 'name'`).
 */
function nameFamilies(inv: Inventory, config: AuditConfig, all: AllStatements): TenantResource[] {
  const out = new Map<string, TenantResource>();
  const env = defaultEnv(inv);
  const add = (type: string, arnTemplate: string, evidence: string, source: SourceRef) => {
    if (out.has(arnTemplate)) return;
    const base = kindOf(type);
    const kind: ResourceKind = { ...base, ownedProbes: base.ownedProbes ?? (type === 'AWS::Logs::LogGroup' ? LOG_GROUP_PROBES : []) };
    if ((kind.ownedProbes ?? []).length === 0) return;
    out.set(arnTemplate, {
      type,
      kind,
      arn: arnTemplate,
      source: { ...source, logicalId: `${type} ${arnTemplate.split(':').slice(5).join(':')}` },
      tags: {},
      encrypts: [],
      policy: [],
      classification: 'pooled',
      partition: { kind: 'name', template: arnTemplate, evidence },
    });
  };
  for (const [k, spec] of Object.entries(config.partitions)) {
    if (!spec.name || !NAME_FAMILY_TYPES.some((t) => t.type === k)) continue;
    const arn = kindOf(k).arn(spec.name, { logicalId: '', props: {}, env: { ...env, stackName: '' } });
    add(k, arn, `config partitions["${k}"].name ${spec.name}`, { stack: '', templateFile: config.file ?? '', logicalId: '' });
  }
  for (const st of all.tenantMarked) {
    for (const res of st.resources ?? []) {
      const marks = res.match(new RegExp(TENANT_MARK.source, 'gi')) ?? [];
      if (marks.length !== 1) continue;
      const t = res.replace(TENANT_MARK, TENANT_PLACEHOLDER);
      const family = NAME_FAMILY_TYPES.find((f) => f.re.test(t));
      if (!family) continue;
      const [arn, part, service, region, account, ...rest] = t.split(':');
      const arnTemplate = [
        arn,
        part,
        service,
        region && region !== '*' ? region : env.region,
        account && account !== '*' ? account : env.account,
        satisfy(rest.join(':')),
      ].join(':');
      add(family.type, arnTemplate, `${st.source?.logicalId ?? 'a policy'} addresses ${res}`, st.source ?? { stack: '', templateFile: '', logicalId: '' });
    }
  }
  return [...out.values()];
}

/** Account and region of the assembly (from its principals and stores), for ARNs the templates do not hold. */
function defaultEnv(inv: Inventory): { partition: string; account: string; region: string } {
  const arn = [...inv.stores.map((r) => r.arn), ...inv.principals.map((p) => p.arn)].find((a) => /^arn:[^:]+:[^:]+:[a-z0-9-]+:\d{12}:/.test(a));
  const [, partition, , region, account] = (arn ?? `arn:aws::${DEFAULT_REGION}:${DEFAULT_ACCOUNT}:`).split(':');
  return { partition, account, region };
}

/** The namespace contract, assumed for a store that tenant-facing principals reach but nothing partitions. */
function assumedPartition(r: TenantResource): Partition | undefined {
  const e = 'nothing shows a partition; probed with the namespace contract';
  if (r.type === 'AWS::S3::Bucket') return { kind: 'objectKey', template: `tenants/${TENANT_PLACEHOLDER}/`, evidence: e, assumed: true };
  if (r.type === 'AWS::OpenSearchService::Domain' || r.type === 'AWS::Elasticsearch::Domain') {
    return { kind: 'indexPrefix', template: `tenant-${TENANT_PLACEHOLDER}.`, evidence: e, assumed: true };
  }
  if (r.type === 'AWS::DynamoDB::Table' || r.type === 'AWS::DynamoDB::GlobalTable') {
    return { kind: 'partitionKey', template: TENANT_PLACEHOLDER, evidence: e, assumed: true };
  }
  return undefined;
}

const WRITE =
  /^(s3:put|s3:delete|dynamodb:(put|update|delete|batchwrite|transactwrite|partiqlinsert|partiqlupdate|partiqldelete)|sqs:send|sns:publish|secretsmanager:put|ssm:put|kinesis:put|firehose:put|es:eshttp(put|post|delete)|rds-data:)/i;

/** A request of `p` acting as `actingAs` (null: untagged, or the role's own credentials). */
export function probeRequest(p: Principal, actingAs: string | null, action: string, resource: string, extra: Record<string, string | string[]> = {}): AuthzRequest {
  return {
    principalArn: p.arn,
    sessionArn: `arn:aws:sts::${p.account}:assumed-role/${p.name}/audit-session`,
    principalAccount: p.account,
    action,
    resource,
    context: requestContext({
      'aws:PrincipalArn': p.arn,
      'aws:PrincipalAccount': p.account,
      'aws:ResourceAccount': p.account,
      'aws:SecureTransport': 'true',
      ...Object.fromEntries(Object.entries(p.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
      ...sessionContextFromTrust(p),
      ...(actingAs !== null && p.abac ? { 'aws:PrincipalTag/TenantId': actingAs } : {}),
      ...extra,
    }),
  };
}

/** The `rds-db:connect` ARN of a probe DB user (as the matrix builds it). */
export const dbuserArnOf = (r: TenantResource) => `arn:aws:rds-db:${r.arn.split(':')[3]}:${r.arn.split(':')[4]}:dbuser:${r.source.logicalId}/audit-probe`;

/**
 * The `rds-db:connect` ARNs to probe a database with: the probe user, and every DB user the
 * principal's policies name on this database. The ARN names the cluster's resource id
 * (`dbuser:<DbClusterResourceId>/<user>`; RDS User Guide, UsingWithRDS.IAMDBAuth.IAMPolicy),
 * which a template writes as `Fn::GetAtt [<cluster>, DBClusterResourceId]` (`DbiResourceId`
 * for an instance) and the resolver renders as `<logicalId>.<attribute>`.
 */
function dbUserArns(r: TenantResource, p: Principal): string[] {
  const [, part, , region, account] = r.arn.split(':');
  const ids = [r.source.logicalId, `${r.source.logicalId}.DBClusterResourceId`, `${r.source.logicalId}.DbiResourceId`];
  const out = new Set<string>(ids.map((id) => `arn:${part}:rds-db:${region}:${account}:dbuser:${id}/audit-probe`));
  for (const st of p.identity) {
    for (const res of st.resources ?? []) {
      const m = /^arn:[^:]+:rds-db:[^:]*:[^:]*:dbuser:([^/]+)\/(.+)$/.exec(res);
      if (!m || !ids.includes(m[1])) continue;
      out.add(
        `arn:${part}:rds-db:${region}:${account}:dbuser:${m[1]}/${m[2]
          .replace(/\$\{[^}]*\}/g, 'acme')
          .replace(/\?/g, 'x')
          .replace(/\*/g, '')}`,
      );
    }
  }
  return [...out];
}

/** Which tenant-facing sessions reach a store that has no partition (one request per sensitive action). */
function reachOf(r: TenantResource, facing: readonly Principal[], grammar: IdGrammar): UnclassifiedStore['reachedBy'] {
  const out: UnclassifiedStore['reachedBy'] = [];
  const nsList = r.type === 'AWS::S3::Bucket' ? ['', `tenants/${grammar.base}/`] : r.type.includes('Domain') ? ['', `tenant-${grammar.base}.`] : [''];
  for (const p of facing) {
    const acting: Array<string | null> = p.owner ? [p.owner] : [grammar.base, ...(p.abac ? [null] : [])];
    for (const a of acting) {
      const session = a !== null ? sessionPolicyFor(p, a) : undefined;
      if (p.sessionPolicy && !session) continue;
      for (const t of r.kind.ownedProbes ?? []) {
        const targets = t.resource.includes('{dbuserArn}') ? dbUserArns(r, p) : [t.resource];
        const hit = nsList.some((ns) =>
          targets.some((target) => {
            const resource = target.replace('{arn}', r.arn).replace('{ns}', ns).replace('{dbuserArn}', dbuserArnOf(r)).replace('{index}', 'audit');
            const ctx = Object.fromEntries(Object.entries(t.context ?? {}).map(([k, v]) => [k, v.replace('{ns}', ns).replace('{keyArn}', r.keyArn ?? '')]));
            const req = probeRequest(p, a, t.action, resource, { ...ctx, ...(r.type === 'AWS::S3::Bucket' ? { 's3:prefix': ns } : {}) });
            return (
              evaluate(req, {
                identity: p.identity,
                ...(p.boundary ? { boundary: p.boundary } : {}),
                ...(session ? { session } : {}),
                resource: r.policy,
              }).decision === 'Allowed'
            );
          }),
        );
        if (hit) out.push({ principal: p, actingAs: a, action: t.action, write: WRITE.test(t.action) });
      }
    }
  }
  return out;
}

/** Classifies every store, fills `inv.resources` with the probed ones and returns the model. */
export function buildTenantModel(inv: Inventory, config: AuditConfig, grammar: IdGrammar, grammarEvidence: string): TenantModel {
  const evidence: Evidence[] = [{ part: 'id grammar', detail: grammarEvidence }];
  const facing = inv.principals.filter(isTenantFacing);
  for (const p of inv.principals) {
    if (p.abac) evidence.push({ part: 'tenant sessions', detail: `${p.source.logicalId} (${p.name}): trust allows sts:TagSession and the role uses a TenantId tag` });
    else if (p.owner)
      evidence.push({ part: 'tenant sessions', detail: `${p.source.logicalId} (${p.name}) belongs to tenant "${p.owner}" (TenantId tag on the role or its stack)` });
    if (p.sessionPolicy)
      evidence.push({ part: 'tenant sessions', detail: `${p.source.logicalId}: session policy declared (config sessionPolicies["${p.sessionPolicy.key}"])` });
    if (p.platformReason)
      evidence.push({
        part: 'platform',
        detail: `${p.source.logicalId}: platform principal (config platformPrincipals["${p.platformReason.key}"]: ${p.platformReason.reason})`,
      });
  }
  for (const m of inv.pooledMarkers) evidence.push({ part: 'pooled', detail: `stack ${m.stack} is tagged TenantId=${m.value}, not a tenant id: a pooled marker` });
  const all = new AllStatements(
    inv.principals.flatMap((p) => [
      ...p.identity,
      ...(p.boundary ?? []),
      // Named after the config key, so the model's evidence says the partition came from the declared session policy.
      ...(p.sessionPolicy
        ? (sessionPolicyFor(p, PRINCIPAL_TENANT) ?? []).map((st) => ({ ...st, source: { ...p.source, logicalId: `config sessionPolicies["${p.sessionPolicy!.key}"]` } }))
        : []),
    ]),
  );

  const unclassified: UnclassifiedStore[] = [];
  const rls: UnclassifiedStore[] = [];
  const probed: TenantResource[] = [];
  const keys: TenantResource[] = [];
  for (const r of inv.stores) {
    const spec = specFor(config, r);
    if (spec?.[1].name && !r.owner) {
      const owner = ownerByName(spec[1].name, r, grammar);
      if (owner) (r as { owner?: string }).owner = owner;
    }
    if (r.owner) {
      r.classification = 'tenant-owned';
      // Probes inside an owned bucket or domain aim at the victim's namespace and the attacker's
      // own (a variable-based grant would open the attacker's prefix in someone else's bucket).
      const kind: Partition['kind'] | undefined = r.type === 'AWS::S3::Bucket' ? 'objectKey' : r.kind.namespace === 'index' ? 'indexPrefix' : undefined;
      const declared = spec && kind ? spec[1][kind] : undefined;
      const p: Partition | undefined = declared
        ? { kind: kind!, template: declared, evidence: `config partitions["${spec![0]}"].${kind}` }
        : kind
          ? (inferPartition(r, all) ?? assumedPartition(r))
          : undefined;
      if (p) r.partition = { ...p, assumed: false };
      r.reason =
        spec?.[1].name && !r.tags.TenantId ? `name matches config partitions["${spec[0]}"].name` : `TenantId=${r.owner} tag (${r.tags.TenantId ? 'resource' : 'stack'})`;
      probed.push(r);
      continue;
    }
    if (r.type === 'AWS::KMS::Key') {
      keys.push(r);
      continue;
    }
    if (r.masterSecretOf) {
      r.classification = 'platform';
      r.reason = `master credentials of ${r.masterSecretOf}: the master user bypasses row-level security for every tenant`;
      continue;
    }
    const kind: Partition['kind'] | undefined =
      r.type === 'AWS::S3::Bucket' ? 'objectKey' : r.kind.namespace === 'index' ? 'indexPrefix' : r.kind.namespace === 'partitionKey' ? 'partitionKey' : undefined;
    const declared = spec && kind ? spec[1][kind] : undefined;
    const partition: Partition | undefined = declared
      ? { kind: kind!, template: declared, evidence: `config partitions["${spec![0]}"].${kind}` }
      : inferPartition(r, all);
    if (partition) {
      r.classification = 'pooled';
      r.partition = partition;
      r.reason = `${partition.kind} ${partition.template} (${partition.evidence})${r.pooledMarker ? `; pooled marker TenantId=${r.pooledMarker}` : ''}`;
      probed.push(r);
      continue;
    }
    if (spec?.[1].rls && (r.type === 'AWS::RDS::DBCluster' || r.type === 'AWS::RDS::DBInstance')) {
      // Row-level security partitions the rows inside the database: IAM sees only who may
      // connect (Data API, rds-db:connect), so the proof ends at the connection.
      r.classification = 'pooled';
      r.rls = { tenantSetting: spec[1].rls.tenantSetting, key: spec[0] };
      r.reason = `partition: RLS on ${spec[1].rls.tenantSetting} (config partitions["${spec[0]}"].rls); isolation rests on row-level security inside the database, outside the templates' proof`;
      const reachedBy = reachOf(r, facing, grammar);
      if (reachedBy.length > 0) rls.push({ store: r, reachedBy });
      continue;
    }
    if (spec && (spec[1].keyPrefix || spec[1].name)) {
      r.classification = 'pooled';
      r.reason = `config partitions["${spec[0]}"] (${Object.keys(spec[1]).join(', ')}); not probed by IAM`;
      continue;
    }
    const reachedBy = reachOf(r, facing, grammar);
    if (reachedBy.length === 0) {
      r.classification = 'platform';
      r.reason = 'no tenant-facing principal reaches it';
      continue;
    }
    r.classification = 'unclassified';
    const assumed = assumedPartition(r);
    r.reason = `reached by ${[...new Set(reachedBy.map((x) => x.principal.source.logicalId))].join(', ')} but nothing shows its tenant partition${assumed ? `; probed with ${assumed.template}` : ''}`;
    unclassified.push({ store: r, reachedBy });
    if (assumed) {
      r.partition = assumed;
      probed.push(r);
    }
  }
  // A key follows the stores it encrypts.
  for (const k of keys) {
    const tenantStores = k.encrypts.filter((b) => b.classification === 'tenant-owned' || b.classification === 'pooled' || b.partition);
    (k.encrypts as TenantResource[]).splice(0, k.encrypts.length, ...tenantStores);
    if (tenantStores.length === 0) {
      k.classification = 'platform';
      k.reason = 'encrypts no tenant store';
      continue;
    }
    const owners = new Set(tenantStores.map((b) => b.owner));
    k.classification = owners.size === 1 && !owners.has(undefined) ? 'tenant-owned' : 'pooled';
    k.reason = `encrypts ${tenantStores.map((b) => b.source.logicalId).join(', ')}`;
    probed.push(k);
  }
  for (const f of nameFamilies(inv, config, all)) {
    evidence.push({ part: 'pooled', detail: `${f.source.logicalId}: a resource per tenant (${f.partition!.evidence}); every tenant's name is probed` });
    probed.push(f);
  }
  for (const r of inv.stores) {
    if (r.classification === 'tenant-owned' || r.classification === 'pooled' || r.classification === 'unclassified') {
      evidence.push({ part: r.classification, detail: `${r.source.logicalId} (${r.type}): ${r.reason}` });
    }
  }
  for (const u of inv.cacheUsers) {
    if (u.accessString.includes(CACHE_ROOT) || u.owner) {
      evidence.push({
        part: 'tenant-owned',
        detail: `cache user ${u.userName}: ${u.owner ? `TenantId=${u.owner}` : `key patterns in the ${CACHE_ROOT}<id>: namespace`}`,
      });
    }
  }
  inv.resources.splice(0, inv.resources.length, ...probed);

  const hasModel =
    facing.length > 0 ||
    inv.stores.some((r) => r.classification === 'tenant-owned' || (r.classification === 'pooled' && r.partition)) ||
    evidence.some((e) => e.part === 'tenant-owned');
  if (!hasModel) {
    throw new NoTenantModelError(
      'no tenant model found: the templates have no role with a TenantId session-tag trust, no TenantId tag with a tenant id, ' +
        'no tenant-partitioned store (dynamodb:LeadingKeys, an S3 prefix or index ARN with ${aws:PrincipalTag/TenantId}, a partition key naming a tenant), ' +
        `and ${config.file ? `the config ${config.file}` : 'no config'} declares none. Nothing would be proven, so the audit refuses to say "clean". ` +
        'Declare the model in tenant-isolation.json next to the assembly (or --config FILE): "partitions" for pooled stores, ' +
        '"sessionPolicies" for roles narrowed at run time, "tenantIdPattern" for the id grammar (docs/audit.md, "Config file").',
    );
  }
  return { grammar, ...(config.file ? { configFile: config.file } : {}), evidence, unclassified, rls };
}

/** Whether the statement's use of the tenant tag can be widened by a tag value that is not an id (a pattern, not an exact comparison). */
export function tagUsedInPattern(statements: readonly Statement[]): boolean {
  return statements.some(
    (st) =>
      [...(st.resources ?? []), ...(st.notResources ?? [])].some((x) => VAR_RE.test(x)) ||
      st.conditions.some(
        (c) =>
          !/^(forallvalues:|foranyvalue:)?(stringequals|stringnotequals|stringequalsignorecase|stringnotequalsignorecase|arnequals|arnnotequals)(ifexists)?$/i.test(
            c.operator,
          ) &&
          !/^null$/i.test(c.operator) &&
          (c.values.some((v) => VAR_RE.test(v)) || VAR_RE.test(c.key)),
      ),
  );
}
