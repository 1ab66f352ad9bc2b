/**
 * The tenant access surface: what every tenant-facing principal (tenant-model.ts,
 * `isTenantFacing`) can do, per resource kind, written symbolically so that it is identical
 * across runs, machines and tenants of the same shape, and small enough to review as a snapshot
 * (docs/audit.md, "The tenant access surface").
 *
 * Symbols:
 * - `{tenant}`: the session's own tenant: `${aws:PrincipalTag/TenantId}`, `{{tenant}}` of a
 *   declared session policy, or a literal id equal to the tenant the principal (or the statement's
 *   session-tag condition) belongs to;
 * - `{owner}`: in a fence, the tenant that owns the store;
 * - `{any-tenant}`: a wildcard where a tenant id goes (`tenants/*`, `tenant-*-jobs`, a `*`
 *   compared with a TenantId tag or dynamodb:LeadingKeys);
 * - `{other-tenant:<id>}`: a literal id of another tenant;
 * - `<path>`: a resource or role of the assembly by its construct path (`/Resource` dropped), or
 *   `<stack>/<logical id stem>` when the template has no construct path;
 * - `{account}`, `{region}`: the assembly's own account and Region; `{hash}`: a generated hash
 *   (8+ hex characters), `{asset}`: an asset hash. CDK logical-id hash suffixes are dropped.
 *
 * Reads only the audit's inventory and policy model: no aws-cdk-lib.
 */
import { PRINCIPAL_TENANT } from '../core/namespace';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from './intrinsics';
import { IdGrammar } from './id-grammar';
import { Inventory, Principal, TenantResource } from './inventory';
import { Condition, PrincipalSet, Statement } from './policy-model';
import { isTenantFacing, sessionPolicyFor } from './tenant-model';

/** Bumped when the rendering changes, so a snapshot diff says why. */
export const SURFACE_FORMAT_VERSION = 1;

/** One policy statement, symbolic. */
export interface SurfaceStatement {
  readonly effect: 'Allow' | 'Deny';
  /** `identity` (the role's policies), `session policy`, `permissions boundary`, or `resource policy of <store>`. */
  readonly from: string;
  readonly actions: readonly string[];
  readonly notActions: boolean;
  readonly resources: readonly string[];
  readonly notResources: boolean;
  /** Resource policies only: who the statement names (`*`, `<path>`, an ARN). */
  readonly principals?: readonly string[];
  readonly notPrincipals?: boolean;
  /** `<Operator> <key> <value> | <value>`, sorted. */
  readonly conditions: readonly string[];
  /** ABAC principals: the tenants whose sessions a resource-policy statement is bound to (silo stores); absent = every session. */
  readonly sessions?: readonly string[];
}

export interface SurfaceKind {
  /** `<service> <resource type>` (`s3 object`, `sqs queue`), `<service> *` for `Resource: *`, or `*`. */
  readonly kind: string;
  readonly statements: readonly SurfaceStatement[];
  /** Stores these grants reach that are fenced by Denies of their resource or key policy (see `fences`). */
  readonly fencedBy: readonly string[];
  /** Stores these grants reach whose policies hold no Deny. */
  readonly unfenced: readonly string[];
}

export interface SurfacePrincipal {
  /** Symbolic construct path of the role. */
  readonly name: string;
  /** Symbolic role name. */
  readonly role: string;
  /** How it acts as a tenant. */
  readonly actsAs: string;
  /** Roles that belong to a tenant: the tenants with this same shape (silo or per-tenant roles). */
  readonly tenants?: readonly string[];
  readonly kinds: readonly SurfaceKind[];
}

export interface SurfaceFence {
  /** Symbolic name of the store (owned stores: the owner is `{owner}`). */
  readonly store: string;
  readonly type: string;
  readonly classification: string;
  /** Tenant-owned stores: the owners with this same shape. */
  readonly tenants?: readonly string[];
  /** `resource policy` or `key policy`. */
  readonly policy: string;
  readonly denies: readonly SurfaceStatement[];
}

export interface TenantAccessSurface {
  readonly version: number;
  readonly principals: readonly SurfacePrincipal[];
  readonly fences: readonly SurfaceFence[];
}

/** What a symbolic rendering is relative to. */
interface Ctx {
  /** The tenant that `{tenant}` stands for when written as a literal. */
  readonly self?: string;
  /** The owner of the store whose policy is rendered (`{owner}`). */
  readonly owner?: string;
  /** The stack of the statement: ARNs that several stacks share resolve to this one's resource. */
  readonly stack?: string;
}

interface Named {
  readonly raw: string;
  readonly stack: string;
}

const VARIABLE = /\$\{aws:principaltag\/tenantid\}|\{\{tenant\}\}/gi;
const TENANT_KEY = /^(aws:(principaltag|resourcetag|requesttag)\/tenantid|dynamodb:leadingkeys)$/i;
/** A wildcard right after a namespace root (lib/core/namespace.ts: `tenants/`, `tenant:`, `tenant-`) or a `tenant/` path segment. */
const ANY_TENANT = /(tenants\/|tenant[:/.-])\*([/:.#-])?/g;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const uniqSorted = (xs: Iterable<string>) => [...new Set(xs)].sort(cmp);

/** `Platform/PoolStorage/Bucket/Resource` -> `Platform/PoolStorage/Bucket`; no path: `<stack>/<logical id>`. */
function rawName(source: { stack: string; logicalId: string; constructPath?: string }): string {
  const cp = source.constructPath?.replace(/\/(Resource|Default)$/, '');
  return cp ?? `${source.stack}/${source.logicalId}`;
}

class Symbolizer {
  private readonly byArn = new Map<string, Named[]>();
  private readonly tenants: string[];
  private readonly accounts: RegExp;
  private readonly regions: RegExp;
  private readonly tenantRe?: RegExp;

  constructor(inv: Inventory, grammar: IdGrammar) {
    const add = (arn: string, n: Named) => this.byArn.set(arn, [...(this.byArn.get(arn) ?? []), n]);
    for (const s of inv.stores) add(s.arn, { raw: rawName(s.source), stack: s.source.stack });
    for (const p of inv.principals) add(p.arn, { raw: rawName(p.source), stack: p.source.stack });
    const ids = new Set<string>(inv.literalTenants);
    for (const s of inv.stores) if (s.owner) ids.add(s.owner);
    for (const p of inv.principals) if (p.owner) ids.add(p.owner);
    this.tenants = [...ids].filter((t) => grammar.isValid(t)).sort((a, b) => b.length - a.length || cmp(a, b));
    if (this.tenants.length > 0) {
      this.tenantRe = new RegExp(`(?<![A-Za-z0-9])(${this.tenants.map(escapeRe).join('|')})(?![A-Za-z0-9])`, 'g');
    }
    const accounts = new Set<string>([DEFAULT_ACCOUNT, ...inv.principals.map((p) => p.account)]);
    const regions = new Set<string>([DEFAULT_REGION]);
    for (const s of inv.stores) {
      const m = /^arn:[^:]*:[^:]*:([^:]*):(\d{12})?:/.exec(s.arn);
      if (m?.[1]) regions.add(m[1]);
      if (m?.[2]) accounts.add(m[2]);
    }
    this.accounts = new RegExp(`(?<!\\d)(${[...accounts].join('|')})(?!\\d)`, 'g');
    this.regions = new RegExp(`(?<![A-Za-z0-9])(${[...regions].map(escapeRe).join('|')})(?![0-9])`, 'g');
  }

  /** The known resource or role an ARN names, by the longest known ARN at its start. */
  private arnName(s: string, at: number, stack: string | undefined): { name: string; end: number } | undefined {
    const rest = s.slice(at);
    const cuts = new Set<number>([rest.length]);
    for (let i = 0; i < rest.length; i++) if (rest[i] === '/' || rest[i] === ':' || rest[i] === ' ' || rest[i] === ',') cuts.add(i);
    for (const c of [...cuts].sort((a, b) => b - a)) {
      const named = this.byArn.get(rest.slice(0, c));
      if (!named) continue;
      const pick = named.find((n) => n.stack === stack) ?? named[0];
      return { name: `<${pick.raw}>`, end: at + c };
    }
    return undefined;
  }

  public text(s: string, ctx: Ctx): string {
    let out = '';
    let i = 0;
    for (let at = s.indexOf('arn:'); at >= 0; at = s.indexOf('arn:', at + 1)) {
      if (at < i) continue;
      const hit = this.arnName(s, at, ctx.stack);
      if (!hit) continue;
      out += s.slice(i, at) + hit.name;
      i = hit.end;
      at = hit.end - 1;
    }
    out += s.slice(i);
    out = out.replace(VARIABLE, '{tenant}');
    out = out.replace(ANY_TENANT, (_m, root: string, delim?: string) => `${root}{any-tenant}${delim ?? '*'}`);
    if (this.tenantRe) {
      out = out.replace(this.tenantRe, (id: string) => (id === ctx.self ? '{tenant}' : id === ctx.owner ? '{owner}' : `{other-tenant:${id}}`));
    }
    return out
      .replace(this.accounts, '{account}')
      .replace(this.regions, '{region}')
      .replace(/(?<![0-9A-Fa-f])[0-9a-f]{64}(?![0-9A-Fa-f])/g, '{asset}')
      .replace(/([A-Za-z])([0-9A-F]{8})(?![0-9A-Za-z])/g, (m, pre: string, hex: string) => (/\d/.test(hex) ? pre : m))
      .replace(/(?<![A-Za-z0-9])[0-9a-f]{8,}(?![A-Za-z0-9])/g, (m) => (/\d/.test(m) && /[a-f]/.test(m) ? '{hash}' : m));
  }

  public condition(c: Condition, ctx: Ctx): string {
    const values = c.values.map((v) => (v === '*' && TENANT_KEY.test(c.key) ? '{any-tenant}' : this.text(v, ctx)));
    return `${c.operator} ${c.key} ${values.join(' | ')}`;
  }

  public principals(p: PrincipalSet, ctx: Ctx): string[] {
    return uniqSorted([
      ...(p.any ? ['*'] : []),
      ...p.aws.map((a) => this.text(a, ctx)),
      ...p.service.map((x) => `service ${x}`),
      ...p.federated.map((x) => `federated ${x}`),
    ]);
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The service of an action (`s3:GetObject` -> `s3`, `*` -> `*`). */
const serviceOf = (action: string) => (action.includes(':') ? action.slice(0, action.indexOf(':')).toLowerCase() : '*');

function actionKind(actions: readonly string[]): string {
  const services = new Set(actions.map(serviceOf));
  return services.size === 1 && !services.has('*') ? `${[...services][0]} *` : '*';
}

/** The resource kind of a resource pattern. */
function resourceKind(resource: string, actions: readonly string[]): string {
  const m = /^arn:[^:]*:([^:]*):[^:]*:[^:]*:(.*)$/.exec(resource);
  if (!m || m[1].includes('*') || m[1] === '') return actionKind(actions);
  const [, service, rest] = m;
  if (service === 's3') return rest.includes('/') ? 's3 object' : 's3 bucket';
  if (service === 'sqs') return 'sqs queue';
  if (service === 'sns') return 'sns topic';
  if (service === 'es') return rest.split('/').length > 2 ? 'es index' : 'es domain';
  const type = rest.split(/[/:]/)[0];
  return type === '*' || type === '' ? `${service} *` : `${service} ${type}`;
}

const ROOT_PRINCIPAL = /^arn:[^:]*:iam::\d{12}:root$|^\d{12}$/;

/** The literal tenant a statement binds the session tag to (`StringEquals aws:PrincipalTag/TenantId acme`). */
function boundTenant(st: Statement, grammar: IdGrammar): string | undefined {
  for (const c of st.conditions) {
    if (/^(stringequals|stringlike)$/i.test(c.operator) && /^aws:principaltag\/tenantid$/i.test(c.key) && c.values.length === 1 && grammar.isValid(c.values[0])) {
      return c.values[0];
    }
  }
  return undefined;
}

const globCache = new Map<string, RegExp>();

function globRe(pattern: string): RegExp {
  const cached = globCache.get(pattern);
  if (cached) return cached;
  const src = pattern
    .split(/(\$\{[^}]*\})/)
    .map((part) => (part.startsWith('${') ? '.*' : escapeRe(part).replace(/\\\*/g, '.*').replace(/\\\?/g, '.')))
    .join('');
  const re = new RegExp(`^${src}$`, 'i');
  if (globCache.size > 10_000) globCache.clear();
  globCache.set(pattern, re);
  return re;
}

/** Whether an Allow on `resources` with `actions` can reach `store` (for listing its fences). */
function reaches(store: TenantResource, actions: readonly string[], resources: readonly string[] | undefined): boolean {
  const svc = store.kind.service;
  if (!actions.some((a) => serviceOf(a) === '*' || serviceOf(a) === svc)) return false;
  if (resources === undefined) return true; // NotResource: anything else
  return resources.some((r) => {
    if (r.startsWith(`${store.arn}/`) || r.startsWith(`${store.arn}:`)) return true;
    const re = globRe(r);
    return re.test(store.arn) || re.test(`${store.arn}/tenants/x/y`);
  });
}

interface Raw {
  readonly st: Statement;
  readonly from: string;
  readonly ctx: Ctx;
  readonly sessions?: string;
  /** For resource-policy statements: the store, whose ARN stands for `Resource: *`. */
  readonly store?: TenantResource;
}

function statementOf(sym: Symbolizer, r: Raw, resources: readonly string[], notResources: boolean): SurfaceStatement {
  const st = r.st;
  return {
    effect: st.effect,
    from: r.from,
    actions: uniqSorted(st.actions ?? st.notActions ?? []),
    notActions: st.actions === undefined && st.notActions !== undefined,
    resources: uniqSorted(resources.map((x) => sym.text(x, r.ctx))),
    notResources,
    ...(st.principals || st.notPrincipals ? { principals: sym.principals((st.principals ?? st.notPrincipals)!, r.ctx) } : {}),
    ...(st.notPrincipals ? { notPrincipals: true } : {}),
    conditions: uniqSorted(st.conditions.map((c) => sym.condition(c, r.ctx))),
    ...(r.sessions ? { sessions: [r.sessions] } : {}),
  };
}

/** One line of text per statement (without its `sessions`): the key statements merge on. */
export function statementLines(s: SurfaceStatement, withSource = true): string[] {
  const not = (b: boolean | undefined) => (b ? 'NOT ' : '');
  const lines = [`${s.effect} ${not(s.notActions)}${s.actions.join(', ')}${!withSource || s.from === 'identity' ? '' : ` (${s.from})`}`];
  if (s.principals) lines.push(`  ${s.notPrincipals ? 'not by' : 'by'} ${s.principals.join(', ')}`);
  for (const r of s.resources) lines.push(`  ${s.notResources ? 'except on' : 'on'} ${r}`);
  for (const c of s.conditions) lines.push(`  when ${c}`);
  return lines;
}

function mergeStatements(list: SurfaceStatement[]): SurfaceStatement[] {
  const byKey = new Map<string, SurfaceStatement>();
  for (const s of list) {
    const key = statementLines(s).join('\n');
    const prev = byKey.get(key);
    if (!prev) byKey.set(key, s);
    else if (prev.sessions) byKey.set(key, s.sessions ? { ...prev, sessions: uniqSorted([...prev.sessions, ...s.sessions]) } : s);
  }
  return [...byKey.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, s]) => s);
}

function describeActsAs(p: Principal): string {
  if (p.owner) return `belongs to its tenant (TenantId tag on the role or its stack)`;
  if (p.abac) return `every tenant, one session per tenant (session tag TenantId)`;
  return `every tenant, narrowed at run time by the declared session policy`;
}

/** The fence entries a principal's reached stores refer to, keyed by the reference text. */
interface FenceRef {
  readonly ref: string;
  readonly store: TenantResource;
}

/** The tenant access surface of an audited assembly. */
export function accessSurface(inv: Inventory, grammar: IdGrammar): TenantAccessSurface {
  const sym = new Symbolizer(inv, grammar);
  const keyOf = new Map<string, TenantResource>();
  for (const s of inv.stores) if (s.type === 'AWS::KMS::Key') keyOf.set(s.arn, s);
  const fenceName = (s: TenantResource) => sym.text(`<${rawName(s.source)}>`, { owner: s.owner });
  const denies = (s: TenantResource) => s.policy.filter((st) => st.effect === 'Deny');
  const referenced = new Map<TenantResource, true>();
  // Resource-policy Allows by the role ARN they name (account-root principals delegate to IAM: skipped).
  const grantsTo = new Map<string, Array<{ store: TenantResource; st: Statement }>>();
  const grantsToAnyone: Array<{ store: TenantResource; st: Statement }> = [];
  for (const store of inv.stores) {
    for (const st of store.policy) {
      if (st.effect !== 'Allow' || !st.principals) continue;
      if (st.principals.any) grantsToAnyone.push({ store, st });
      else
        for (const a of new Set(st.principals.aws)) {
          if (ROOT_PRINCIPAL.test(a)) continue;
          const list = grantsTo.get(a) ?? [];
          list.push({ store, st });
          grantsTo.set(a, list);
        }
    }
  }
  // Stores by ARN, for grants that name one exactly (or a part of it: `<bucket>/tenants/acme/*`).
  const byArn = new Map<string, TenantResource[]>();
  for (const s of inv.stores) byArn.set(s.arn, [...(byArn.get(s.arn) ?? []), s]);
  const reachedBy = (actions: readonly string[], resources: readonly string[] | undefined): TenantResource[] => {
    const literal = resources?.every((x) => !/[*?$]/.test(x));
    if (resources && literal) {
      // A literal resource names its store as a whole or by a prefix up to a `/` (objects, indexes).
      const prefixes = resources.flatMap((x) => x.split('/').map((_, i, all) => all.slice(0, i + 1).join('/')));
      return [...new Set(prefixes.flatMap((x) => byArn.get(x) ?? []))].filter((s) => reaches(s, actions, resources));
    }
    const candidates = actions.some((a) => serviceOf(a) === '*') ? inv.stores : [...new Set(actions.map(serviceOf))].flatMap((svc) => byService.get(svc) ?? []);
    return candidates.filter((s) => reaches(s, actions, resources));
  };
  const byService = new Map<string, TenantResource[]>();
  for (const s of inv.stores) {
    const list = byService.get(s.kind.service) ?? [];
    list.push(s);
    byService.set(s.kind.service, list);
  }

  const blocks: Array<{ key: string; tenant?: string; principal: SurfacePrincipal }> = [];
  for (const p of inv.principals.filter(isTenantFacing)) {
    const self = p.owner;
    const base: Ctx = { stack: p.source.stack, ...(self ? { self } : {}) };
    const raws: Raw[] = [
      ...p.identity.map((st) => ({ st, from: 'identity', ctx: { ...base, stack: st.source?.stack ?? base.stack } })),
      ...(p.boundary ?? []).map((st) => ({ st, from: 'permissions boundary', ctx: base })),
      ...(sessionPolicyFor(p, PRINCIPAL_TENANT) ?? []).map((st) => ({ st, from: 'session policy', ctx: base })),
    ];
    for (const { store, st } of [...(grantsTo.get(p.arn) ?? []), ...grantsToAnyone]) {
      const bound = !self && p.abac ? boundTenant(st, grammar) : undefined;
      const ctx: Ctx = { stack: store.source.stack, ...(self ? { self } : bound ? { self: bound } : {}) };
      raws.push({ st, from: `resource policy of ${fenceName(store)}`, ctx, ...(bound ? { sessions: bound } : {}), store });
    }
    const byKind = new Map<string, { statements: SurfaceStatement[]; reached: Set<TenantResource> }>();
    const kindEntry = (k: string) => {
      let e = byKind.get(k);
      if (!e) byKind.set(k, (e = { statements: [], reached: new Set() }));
      return e;
    };
    for (const r of raws) {
      const st = r.st;
      const actions = st.actions ?? st.notActions ?? [];
      // Resource kind -> the resources of that kind (NotResource: the excepted ones).
      const groups = new Map<string, string[]>();
      const notResources = st.resources === undefined && st.notResources !== undefined;
      if (r.store && (st.resources === undefined || st.resources.every((x) => x === '*')) && !notResources) {
        groups.set(resourceKind(r.store.arn, actions), [r.store.arn]);
      } else if (st.resources) {
        for (const res of st.resources) {
          const k = resourceKind(res, actions);
          groups.set(k, [...(groups.get(k) ?? []), res]);
        }
      } else {
        groups.set(actionKind(actions), [...(st.notResources ?? [])]);
      }
      for (const [k, resources] of groups) {
        const e = kindEntry(k);
        e.statements.push(statementOf(sym, r, resources, notResources));
        if (st.effect !== 'Allow') continue;
        const reachedStores = r.store ? [r.store] : reachedBy(st.actions ?? ['*'], st.resources ? resources : undefined);
        for (const s of reachedStores) {
          e.reached.add(s);
          const key = s.keyArn ? keyOf.get(s.keyArn) : undefined;
          if (key) e.reached.add(key);
        }
      }
    }
    const kinds: SurfaceKind[] = [...byKind.entries()]
      .sort((a, b) => cmp(a[0], b[0]))
      .map(([kind, e]) => {
        const refs: FenceRef[] = [...e.reached].map((store) => ({ ref: fenceName(store), store }));
        const fenced = refs.filter((f) => denies(f.store).length > 0);
        for (const f of fenced) referenced.set(f.store, true);
        return {
          kind,
          statements: mergeStatements(e.statements),
          fencedBy: uniqSorted(fenced.map((f) => `${f.ref} (${f.store.type === 'AWS::KMS::Key' ? 'key' : 'resource'} policy)`)),
          unfenced: uniqSorted(refs.filter((f) => denies(f.store).length === 0).map((f) => f.ref)),
        };
      });
    const principal: SurfacePrincipal = {
      name: sym.text(`<${rawName(p.source)}>`, base),
      role: sym.text(p.name, base),
      actsAs: describeActsAs(p),
      kinds,
    };
    blocks.push({ key: JSON.stringify(principal), ...(self ? { tenant: self } : {}), principal });
  }
  // Roles of the same shape for different tenants collapse into one entry with their tenants.
  const principals = collapse(blocks).sort((a, b) => cmp(a.name, b.name) || cmp(JSON.stringify(a), JSON.stringify(b)));

  const fenceBlocks = [...referenced.keys()].map((s) => {
    const ctx: Ctx = { stack: s.source.stack, ...(s.owner ? { owner: s.owner } : {}) };
    const fence = {
      store: fenceName(s),
      type: s.type,
      classification: s.classification ?? 'unclassified',
      policy: s.type === 'AWS::KMS::Key' ? 'key policy' : 'resource policy',
      denies: mergeStatements(
        denies(s).map((st) => {
          const not = st.resources === undefined && st.notResources !== undefined;
          // `Resource: *` in a resource or key policy is the store itself.
          const resources = not ? (st.notResources ?? []) : (st.resources ?? []).map((x) => (x === '*' ? s.arn : x));
          return statementOf(sym, { st, from: `${s.type === 'AWS::KMS::Key' ? 'key' : 'resource'} policy of ${fenceName(s)}`, ctx }, resources, not);
        }),
      ),
    };
    return { key: JSON.stringify(fence), ...(s.owner ? { tenant: s.owner } : {}), fence };
  });
  const fences = collapseFences(fenceBlocks).sort((a, b) => cmp(a.store, b.store) || cmp((a.tenants ?? []).join(), (b.tenants ?? []).join()));
  return { version: SURFACE_FORMAT_VERSION, principals, fences };
}

function collapse(blocks: Array<{ key: string; tenant?: string; principal: SurfacePrincipal }>): SurfacePrincipal[] {
  const byKey = new Map<string, { principal: SurfacePrincipal; tenants: string[] }>();
  for (const b of blocks) {
    const e = byKey.get(b.key) ?? { principal: b.principal, tenants: [] };
    if (b.tenant) e.tenants.push(b.tenant);
    byKey.set(b.key, e);
  }
  return [...byKey.values()].map((e) => (e.tenants.length ? { ...e.principal, tenants: uniqSorted(e.tenants) } : e.principal));
}

function collapseFences(blocks: Array<{ key: string; tenant?: string; fence: Omit<SurfaceFence, 'tenants'> }>): SurfaceFence[] {
  const byKey = new Map<string, { fence: Omit<SurfaceFence, 'tenants'>; tenants: string[] }>();
  for (const b of blocks) {
    const e = byKey.get(b.key) ?? { fence: b.fence, tenants: [] };
    if (b.tenant) e.tenants.push(b.tenant);
    byKey.set(b.key, e);
  }
  return [...byKey.values()].map((e) => (e.tenants.length ? { ...e.fence, tenants: uniqSorted(e.tenants) } : e.fence));
}
