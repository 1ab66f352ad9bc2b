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
import { pooledDynamoDbKind } from './dynamodb-pooled';
import { TENANT_TAG_KEY } from '../core/namespace';

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
  /** Trust allows `sts:TagSession`: sessions carry a caller-chosen TenantId tag. */
  readonly abac: boolean;
  /** Attached policies the assembly does not contain (AWS managed, other accounts). */
  readonly externalPolicies: string[];
}

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
}

/** Types whose resources are considered for tenant data (owned or pooled). */
function isDataResource(type: string, kind: ResourceKind): boolean {
  return !type.startsWith('AWS::IAM::') && type !== 'AWS::CDK::Metadata' && kind.ownedProbes !== undefined && !type.startsWith('AWS::CloudFormation::');
}

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

const ID_IN_NAMESPACE = [/tenants\/([a-z][a-z0-9-]*)\//g, /tenant:([a-z][a-z0-9-]*):/g, /tenant-([a-z][a-z0-9-]*)\./g];

function collectLiterals(statements: readonly Statement[], out: Set<string>): void {
  for (const st of statements) {
    const strings = [...(st.resources ?? []), ...(st.notResources ?? [])];
    for (const c of st.conditions) {
      if (/tag\/tenantid$/i.test(c.key) && !/^null$/i.test(c.operator)) {
        for (const v of c.values) if (/^[a-z][a-z0-9-]*$/.test(v)) out.add(v);
      }
      strings.push(...c.values);
    }
    for (const s of strings) for (const re of ID_IN_NAMESPACE) for (const m of s.matchAll(re)) out.add(m[1]);
  }
}

/** The literal tenant ids a set of statements mentions. */
export function literalsOf(statements: readonly Statement[]): Set<string> {
  const out = new Set<string>();
  collectLiterals(statements, out);
  return out;
}

export function buildInventory(assembly: LoadedAssembly, resolver: Resolver): Inventory {
  const principals: Principal[] = [];
  const byRoleName = new Map<string, Principal>();
  const byRoleArn = new Map<string, Principal>();
  const resources: TenantResource[] = [];
  const byArn = new Map<string, TenantResource>();
  const cacheUsers: CacheUser[] = [];
  const searchDomains: SearchDomain[] = [];
  const literalTenants = new Set<string>();
  const unresolvedPolicies: SourceRef[] = [];
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
    return parsePolicyDocument(d, src(stack, logicalId), `${stack.templateFile}: ${logicalId}.${what}`);
  };
  const ownerOf = (stack: LoadedStack, tags: Record<string, string>) => tags[TENANT_TAG_KEY] ?? stack.tags[TENANT_TAG_KEY];

  // Pass 1: roles, managed policies, data resources.
  for (const stack of assembly.stacks) {
    if (stack.tags[TENANT_TAG_KEY]) literalTenants.add(stack.tags[TENANT_TAG_KEY]);
    for (const [logicalId, r] of Object.entries(stack.template.Resources)) {
      if (resolver.resourceCondition(stack, logicalId) === false) continue;
      const kind = kindOf(r.Type);
      if (r.Type === 'AWS::IAM::Role') {
        const props = resolver.properties(stack, logicalId);
        const tags = tagsOf(props);
        const trust = doc(stack, logicalId, props.AssumeRolePolicyDocument, 'AssumeRolePolicyDocument');
        const identity = asList(props.Policies).flatMap((p, i) =>
          doc(stack, logicalId, (p as Record<string, unknown>).PolicyDocument, `Policies[${i}]`),
        );
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
          abac: trust.some(
            (st) => st.effect === 'Allow' && (st.actions ?? []).some((a) => /^(sts:tagsession|sts:\*|\*)$/i.test(a)),
          ),
          externalPolicies: [],
        };
        principals.push(p);
        byRoleName.set(p.name, p);
        byRoleArn.set(p.arn, p);
        pendingAttachments.push(() => {
          for (const arn of asList(props.ManagedPolicyArns).map(String)) {
            const m = managed.get(arn);
            if (m) p.identity.push(...m);
            else p.externalPolicies.push(arn);
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
        // A pooled DynamoDB table (dynamodb-pooled.ts) is probed per tenant partition.
        const kind = (!owner && pooledDynamoDbKind(r.Type, props)) || kindOf(r.Type);
        if (!owner && !kind.namespace && r.Type !== 'AWS::KMS::Key') continue; // not tenant data
        // A type the table does not know counts as tenant data only when tagged itself: stack
        // ownership alone would turn permissions, policies and other plumbing into "data".
        if (!RESOURCE_KINDS[r.Type] && !tags[TENANT_TAG_KEY] && !kind.namespace) continue;
        const res: TenantResource = {
          type: r.Type,
          kind,
          arn: resolver.arnOf(stack, logicalId),
          source: src(stack, logicalId),
          tags,
          ...(owner ? { owner } : {}),
          encrypts: [],
          policy: [],
        };
        if (owner) literalTenants.add(owner);
        if (r.Type === 'AWS::S3::Bucket') {
          const enc = (props.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)?.ServerSideEncryptionConfiguration?.[0] as
            | { BucketKeyEnabled?: boolean; ServerSideEncryptionByDefault?: { KMSMasterKeyID?: string } }
            | undefined;
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
  // Keys that are neither tenant-owned nor encrypt tenant data are not tenant resources.
  const kept = resources.filter((r) => r.type !== 'AWS::KMS::Key' || r.owner || r.encrypts.length > 0);

  for (const p of principals) {
    if (p.owner) literalTenants.add(p.owner);
    collectLiterals([...p.identity, ...(p.boundary ?? [])], literalTenants);
  }
  for (const r of kept) collectLiterals(r.policy, literalTenants);
  for (const u of cacheUsers) for (const m of u.accessString.matchAll(/tenant:([a-z][a-z0-9-]*):/g)) literalTenants.add(m[1]);
  return { principals, resources: kept, cacheUsers, searchDomains, literalTenants, unresolvedPolicies };
}
