/**
 * The abuse matrix: every tenant-scoped principal, acting as tenant A (its session tag, or the
 * tenant it belongs to), plus its untagged session, against every resource of a tenant B != A,
 * for every sensitive action the resource kind lists (resource-kinds.ts). The tenant ids come
 * from tenant-classes.ts, so the result holds for all pairs.
 *
 * Iteration: ABAC roles, vended roles and anything that names other tenants are evaluated pair
 * by pair; a tenant-owned role is evaluated once per (its shape, target shape) and the result
 * carried over to every pair of the same shapes (shapes.ts; docs/audit.md, "Why evaluating once
 * per shape stays a proof"), so the cost is linear in tenants. `exhaustive` turns that off.
 *
 * Requests carry the values an attacker controls in the attacker's favour (TLS on, the
 * encryption headers a bucket policy asks for, the S3 prefix of the victim), so a Deny that
 * only catches careless requests does not count as isolation.
 */
import { TENANT_TAG_KEY } from '../core/namespace';
import { TENANT_PLACEHOLDER } from './config';
import { evaluate, requestContext } from './engine/builtin-engine';
import { AuditEngine, EngineItem, EngineResult } from './engine/engine';
import { BLUEPRINT_GRAMMAR, IdGrammar } from './id-grammar';
import { Inventory, literalsOf, Principal, TenantResource } from './inventory';
import { Statement, UNREADABLE_OPERATOR } from './policy-model';
import { kindOf, ProbeTemplate } from './resource-kinds';
import { hostileTagValues, tenantClasses } from './tenant-classes';
import { appliesTo, chainedPrincipals, isChained, probeSet, ProbeSet } from './probes';
import { sessionContextFromTrust, solveTrust, trustAllows } from './session-context';
import { NO_TAG, type Probe } from './probe';
import { AbacCell, actingTemplate, CellTable, ImplicitCell, ProofEvaluator, ShapeIndex, Target } from './shapes';
import { isTenantFacing, sessionPolicyFor } from './tenant-model';

export type { Probe } from './probe';

export interface Leak {
  readonly probe: Probe;
  readonly allowedBy: readonly Statement[];
}

/** Per tenant-facing principal: its own-tenant probes and how many were allowed. */
export interface Coverage {
  readonly principal: Principal;
  ownProbes: number;
  ownAllowed: number;
}

export interface MatrixResult {
  readonly leaks: Leak[];
  /** Every request evaluated (cross-tenant and own-tenant). */
  readonly requests: number;
  /** Per cell `${actingAs}\u0000${resource arn}`: [requests, allowed] (cross-tenant requests only). */
  readonly cells: ReadonlyMap<string, [number, number]>;
  readonly actingIds: Set<string>;
  /** Tag values an ABAC trust policy accepts although they are not TenantIds. */
  readonly acceptedHostileTags: Array<{ principal: Principal; value: string }>;
  readonly unsupportedOperators: Set<string>;
  readonly coverage: Coverage[];
}

export { NO_TAG } from './probe';

/** A tenant's namespace in a store: its partition template with the id, '' for a store without one. */
export function namespaceOf(r: TenantResource, tenant: string): string {
  return r.partition ? r.partition.template.split(TENANT_PLACEHOLDER).join(tenant) : '';
}

/** The owner of a key that is not tagged: the common owner of the buckets it encrypts. */
function ownerOf(r: TenantResource): string | undefined {
  if (r.owner) return r.owner;
  if (r.type === 'AWS::KMS::Key' && r.encrypts.length > 0) {
    const owners = new Set(r.encrypts.map((b) => b.owner));
    if (owners.size === 1) return [...owners][0];
  }
  return undefined;
}

/**
 * Whether the trust policy lets a caller start a session with TenantId = value, the rest of the
 * session (other tags, source identity, MFA) solved against the trust (session-context.ts).
 */
function trustAccepts(p: Principal, value: string | null): boolean {
  const tag = `aws:requesttag/${TENANT_TAG_KEY.toLowerCase()}`;
  if (value !== null) return trustAllows(p, ['sts:AssumeRole', 'sts:TagSession'], { [tag]: value });
  const others = ([] as string[]).concat(solveTrust(p).request['aws:tagkeys'] ?? []).filter((k) => k !== TENANT_TAG_KEY);
  return trustAllows(p, ['sts:AssumeRole', ...(others.length > 0 ? ['sts:TagSession'] : [])], {
    [tag]: undefined,
    'aws:tagkeys': others.length > 0 ? others : undefined,
  });
}

function expand(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(arn|ns|own|keyArn|dbuserArn|actor)\}/g, (_, k: string) => vars[k] ?? '');
}

/** Probe resources per index: `{index}` once per index of the table (none: the probe is dropped). */
function perIndex(resource: string, r: TenantResource): string[] {
  if (!resource.includes('{index}')) return [resource];
  return (r.indexes ?? []).map((i) => resource.replace('{index}', i));
}

/**
 * The requests against a store: a tenant-owned one's, a pooled one's per namespace; a store
 * pooled by name (a resource per tenant, tenant-model.ts) is probed like an owned resource at
 * each tenant's name. A principal with no Allow for the service cannot reach such a resource
 * (it has no resource policy the templates show), so it is not probed there.
 */
function probeTemplatesOf(p: Principal, r: TenantResource, owner: string | undefined, ps: ProbeSet): readonly ProbeTemplate[] {
  if (r.partition?.kind === 'name') return allowsService(p, r.kind.service) ? ps.owned : [];
  return owner ? ps.owned : ps.pooled;
}

/** For a store pooled by name the tenant's namespace is the resource's whole ARN. */
function perTenantArn(r: TenantResource, ns: string): { arn?: string; ns?: string } {
  return r.partition?.kind === 'name' ? { arn: ns, ns: '' } : {};
}

/** Whether any Allow of the principal's identity policies can match an action of `service`. */
export function allowsService(p: Principal, service: string): boolean {
  return p.identity.some(
    (st) =>
      st.effect === 'Allow' &&
      (st.actions === undefined ||
        st.actions.some((a) => {
          const svc = a.includes(':') ? a.slice(0, a.indexOf(':')) : a;
          return new RegExp(
            `^${svc
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '.*')
              .replace(/\?/g, '.')}$`,
            'i',
          ).test(service);
        })),
  );
}

/** How the matrix iterates (`runMatrix`). */
export interface MatrixOptions {
  /**
   * Evaluate every (principal, resource) pair one by one instead of once per shape
   * (docs/audit.md, "Shapes"). The result is the same; this exists to prove it (test/audit/matrix-shapes.test.ts).
   * @default false
   */
  readonly exhaustive?: boolean;
}

/** Progress of the matrix: principals done of total, requests so far (evaluated or proven per shape). */
export type MatrixProgress = (done: number, total: number, requests: number) => void;

export async function runMatrix(
  inv: Inventory,
  engine: AuditEngine,
  onProgress?: MatrixProgress,
  grammar: IdGrammar = BLUEPRINT_GRAMMAR,
  options: MatrixOptions = {},
): Promise<MatrixResult> {
  const leaks: Leak[] = [];
  const explicitCells = new Map<string, [number, number]>();
  const actingIds = new Set<string>();
  const acceptedHostileTags: Array<{ principal: Principal; value: string }> = [];
  const unsupportedOperators = new Set<string>();
  const coverage = new Map<Principal, Coverage>();
  let requests = 0;
  let batch: Probe[] = [];

  const itemsOf = (probes: readonly Probe[]): EngineItem[] =>
    probes.map((p) => ({
      request: p.request,
      policies: {
        identity: p.principal.identity,
        ...(p.principal.boundary ? { boundary: p.principal.boundary } : {}),
        ...(p.session ? { session: p.session } : {}),
        resource: p.resource.policy,
        // KMS keys and role trust policies must allow by themselves.
        resourcePolicyRequired: p.resource.type === 'AWS::KMS::Key' || p.resource.type === 'AWS::IAM::Role',
      },
    }));

  const flush = async () => {
    if (batch.length === 0) return;
    const items = itemsOf(batch);
    const results: EngineResult[] = await engine.evaluateBatch(items);
    results.forEach((res, i) => {
      const probe = batch[i];
      res.unsupported.forEach((u) => u !== UNREADABLE_OPERATOR && unsupportedOperators.add(u));
      if (probe.own) {
        const c = coverage.get(probe.principal)!;
        c.ownProbes++;
        if (res.decision === 'Allowed') c.ownAllowed++;
        return;
      }
      const key = `${probe.actingAs ?? NO_TAG}\u0000${probe.resource.arn}`;
      const cell = explicitCells.get(key) ?? [0, 0];
      cell[0]++;
      if (res.decision === 'Allowed') {
        cell[1]++;
        // A remote engine does not say which statement allowed: explain with the builtin one.
        const allowedBy = res.allowedBy.length > 0 ? res.allowedBy : evaluate(probe.request, items[i].policies).allowedBy;
        leaks.push({ probe, allowedBy });
      }
      explicitCells.set(key, cell);
    });
    requests += batch.length;
    batch = [];
  };

  const facing = inv.principals.filter(isTenantFacing);
  // Roles a tenant session can chain into act for the tenant the chain started from (probes/role-chains.ts).
  const scoped = [...facing, ...chainedPrincipals(inv.principals, grammar)];
  const principalLiterals = new Map(scoped.map((p) => [p, literalsOf([...p.identity, ...(p.boundary ?? [])], grammar)]));
  const resourceLiterals = new Map(inv.resources.map((r) => [r, literalsOf(r.policy, grammar)]));
  const sessions = new Map<string, readonly Statement[] | undefined>();
  const sessionOf = (p: Principal, a: string | null) => {
    if (!p.sessionPolicy || a === null) return undefined;
    const k = `${p.arn}\u0000${a}`;
    if (!sessions.has(k)) sessions.set(k, sessionPolicyFor(p, a));
    return sessions.get(k);
  };
  const perPrincipal = new Map<Principal, { sessionArn: string; roleTags: Record<string, string>; untagged: boolean; hostile: string[] }>();

  /** The requests of principal `p` against resource `r` (every tenant it acts as, every victim). */
  const resourceProbes = (p: Principal, r: TenantResource): Probe[] => {
    const out: Probe[] = [];
    const { sessionArn, roleTags, untagged, hostile } = perPrincipal.get(p)!;
    const owner = ownerOf(r);
    const pooledKey = r.type === 'AWS::KMS::Key' && !owner;
    if (!owner && !r.partition && !pooledKey) return out;
    const lits = new Set([...principalLiterals.get(p)!, ...resourceLiterals.get(r)!, ...(owner ? [owner] : []), ...(p.owner ? [p.owner] : [])]);
    const classes = tenantClasses(lits, grammar);
    const acting: Array<string | null> = p.owner ? [p.owner] : [...classes, ...hostile, ...(untagged ? [null] : [])];
    const victims = owner ? [owner] : p.owner ? [...new Set([...classes, p.owner])] : classes;

    // The probes of this cell: hand-written shapes, dataset actions, key shapes, condition variants (probes/).
    const ps = probeSet(r, [...p.identity, ...(p.boundary ?? []), ...(sessionOf(p, grammar.base) ?? []), ...r.policy]);
    // CloudFormation propagates stack tags to the resources it creates (CloudFormation User Guide, aws-properties-resource-tags).
    const resourceTags = Object.fromEntries(Object.entries({ ...(r.stackTags ?? {}), ...r.tags }).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
    for (const a of acting) {
      if (a !== null) actingIds.add(a);
      const session = sessionOf(p, a);
      if (p.sessionPolicy && !session) continue; // a vended role is only ever assumed with its session policy
      // A vended role's session carries no tag: the tenant is in its session policy.
      const sessionTags = a === null || !p.abac ? {} : { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: a };
      // Built once per (principal, tenant, resource); each probe adds only its own keys.
      const baseCtx = requestContext({
        'aws:PrincipalArn': p.arn,
        'aws:PrincipalAccount': p.account,
        'aws:ResourceAccount': p.account,
        'aws:SecureTransport': 'true',
        ...roleTags,
        ...sessionTags,
        ...resourceTags,
      });
      const make = (victim: string, action: string, resourceArn: string, extra: Record<string, string>, own: boolean): Probe => {
        const context: Record<string, readonly string[] | undefined> = { ...baseCtx };
        // `\u0000` separates the values of a multi-valued key (a batch over two partitions).
        for (const k in extra) context[k.toLowerCase()] = extra[k] === '' ? undefined : extra[k].split('\u0000');
        return {
          principal: p,
          actingAs: a,
          resource: r,
          victim,
          action,
          resourceArn,
          request: { principalArn: p.arn, sessionArn, principalAccount: p.account, action, resource: resourceArn, context },
          ...(own ? { own } : {}),
          ...(session ? { session } : {}),
        };
      };
      const vars0 = {
        arn: r.arn,
        keyArn: r.keyArn ?? '',
        dbuserArn: `arn:aws:rds-db:${r.arn.split(':')[3]}:${r.arn.split(':')[4]}:dbuser:${r.source.logicalId}/audit-probe`,
      };
      const actor = a ?? 'audit-untagged';
      // Each probe, and once per condition variant that changes its context (probes/condition-variants.ts).
      const emit = (victim: string, action: string, resourceArn: string, extra: Record<string, string>, own: boolean) => {
        if (own && isChained(p)) return;
        const probe = make(victim, action, resourceArn, extra, own);
        out.push(probe);
        for (const variant of ps.variants) {
          const keys = Object.keys(variant).filter((k) => appliesTo(k, action));
          const vals = keys.map((k) => expand(variant[k], { ...vars0, actor }));
          if (keys.every((k, i) => (probe.request.context[k] ?? []).join('\u0000') === vals[i])) continue;
          out.push(make(victim, action, resourceArn, { ...extra, ...Object.fromEntries(keys.map((k, i) => [k, vals[i]])) }, own));
        }
      };
      // Own-tenant probes (victim = the acting tenant) count coverage; they are not leaks.
      for (const v of a === null ? victims : [...new Set([...victims, ...(owner === undefined || owner === a ? [a] : [])])]) {
        const own = v === a;
        // Namespaces the attacker may aim at: the victim's, and (in a victim-owned resource)
        // the attacker's own, which a variable-based grant would open in someone else's bucket.
        const nsOf = (t: string, store: TenantResource) => namespaceOf(store, t);
        if (r.type === 'AWS::KMS::Key') {
          for (const bucket of r.encrypts) {
            const nss = [nsOf(v, bucket), ...(owner && a !== null && !own ? [nsOf(a, bucket)] : [])];
            for (const ns of [...new Set(nss)]) {
              const contexts: Array<Record<string, string>> = [
                { 'kms:ViaService': `s3.${r.arn.split(':')[3]}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': `${bucket.arn}/${ns}audit-probe` },
                ...(bucket.bucketKeyEnabled ? [{ 'kms:ViaService': `s3.${r.arn.split(':')[3]}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucket.arn }] : []),
              ];
              for (const ctx of contexts) for (const t of [...(r.kind.ownedProbes ?? []), ...ps.keyData]) emit(v, t.action, r.arn, ctx, own);
            }
          }
          if (owner) for (const t of ps.owned) emit(v, t.action, r.arn, {}, own);
          continue;
        }
        const nss = [nsOf(v, r), ...(owner && a !== null && !own ? [nsOf(a, r)] : [])];
        for (const ns of [...new Set(nss)]) {
          const templates = probeTemplatesOf(p, r, owner, ps);
          for (const t of templates) {
            const vars = { ...vars0, ns, own: a === null ? ns : nsOf(a, r), actor, ...perTenantArn(r, ns) };
            const extra = Object.fromEntries(Object.entries(t.context ?? {}).map(([k, x]) => [k, expand(x, vars)]));
            // A batch mixing the tenant's own partition with itself is an own probe already made.
            if (own && Object.values(t.context ?? {}).some((x) => x.includes('{own}'))) continue;
            for (const res of perIndex(expand(t.resource, vars), r)) emit(v, t.action, res, extra, own);
          }
        }
      }
      if (!owner) {
        for (const t of ps.crossTenant) {
          const vars = { ...vars0, ns: '', own: '', actor };
          const extra = Object.fromEntries(Object.entries(t.context ?? {}).map(([k, x]) => [k, expand(x, vars)]));
          for (const res of perIndex(expand(t.resource, vars), r)) emit('*', t.action, res, extra, false);
        }
      }
    }
    return out;
  };

  // Role chaining: may a session of tenant A become another tenant, by assuming a role that
  // belongs to B, or an ABAC role (itself included) with session tag TenantId=B? The trust
  // policy acts as the resource policy and must allow (IAM User Guide, roles: AssumeRole).
  const chainProbes = (p: Principal, t: Principal, target: TenantResource): Probe[] => {
    const out: Probe[] = [];
    const { sessionArn, roleTags, untagged } = perPrincipal.get(p)!;
    if (!t.abac && !t.owner) return out;
    const lits = new Set([...principalLiterals.get(p)!, ...(t.owner ? [t.owner] : []), ...(p.owner ? [p.owner] : [])]);
    const acting: Array<string | null> = p.owner ? [p.owner] : [...tenantClasses(lits, grammar), ...(untagged ? [null] : [])];
    for (const a of acting) {
      const session = sessionOf(p, a);
      if (p.sessionPolicy && !session) continue;
      const victims = t.owner ? [t.owner] : tenantClasses(lits, grammar);
      for (const v of victims) {
        if (v === a || (t.owner && !t.abac && p.owner === t.owner)) continue;
        const context = requestContext({
          'aws:PrincipalArn': p.arn,
          'aws:PrincipalAccount': p.account,
          ...roleTags,
          ...(a === null || !p.abac ? {} : { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: a }),
          ...(t.abac ? { [`aws:RequestTag/${TENANT_TAG_KEY}`]: v, 'aws:TagKeys': [TENANT_TAG_KEY] } : {}),
        });
        out.push({
          principal: p,
          actingAs: a,
          resource: target,
          victim: v,
          action: 'sts:AssumeRole',
          resourceArn: t.arn,
          request: { principalArn: p.arn, sessionArn, principalAccount: p.account, action: 'sts:AssumeRole', resource: t.arn, context },
          ...(session ? { session } : {}),
        });
      }
    }
    return out;
  };

  // Every target of the matrix, in the order the requests are made: the resources, then the
  // roles a session could chain into.
  const targets: Target[] = [
    ...inv.resources.map((r): Target => ({ resource: r, owner: ownerOf(r), probes: (p) => resourceProbes(p, r) })),
    ...inv.principals
      .filter((t) => t.abac || t.owner)
      .map((t): Target => {
        const resource: TenantResource = {
          type: 'AWS::IAM::Role',
          kind: kindOf('AWS::IAM::Role'),
          arn: t.arn,
          source: t.source,
          tags: t.tags,
          ...(t.owner ? { owner: t.owner } : {}),
          encrypts: [],
          policy: t.trust,
        };
        return { resource, owner: t.owner, role: t, probes: (p) => chainProbes(p, t, resource) };
      }),
  ];
  const shapes = options.exhaustive ? undefined : new ShapeIndex(targets, scoped, grammar, principalLiterals, resourceLiterals);
  const implicitCells: ImplicitCell[] = [];
  const abacCells: AbacCell[] = [];
  /** The tenant ids the matrix acts as against a target of `owner` for an ABAC role with no literal id (resourceProbes: tenantClasses of the owner). */
  const actingOf = new Map<string, string[]>();
  // A representative pair is evaluated apart from the matrix: it proves its shape or sends the
  // shape back to pair-by-pair evaluation, which then records the findings.
  const prove: ProofEvaluator = async (probes) => {
    const results = await engine.evaluateBatch(itemsOf(probes));
    let clean = true;
    let ownProbes = 0;
    let ownAllowed = 0;
    const crossByActing = new Map<string | null, number>();
    results.forEach((x, i) => {
      if (x.unsupported.some((u) => u !== UNREADABLE_OPERATOR)) clean = false;
      if (probes[i].own) {
        ownProbes++;
        if (x.decision === 'Allowed') ownAllowed++;
        return;
      }
      if (x.decision === 'Allowed') clean = false;
      crossByActing.set(probes[i].actingAs, (crossByActing.get(probes[i].actingAs) ?? 0) + 1);
    });
    return { clean, total: probes.length, cross: probes.length - ownProbes, ownProbes, ownAllowed, crossByActing };
  };

  let done = 0;
  for (const p of scoped) {
    coverage.set(p, { principal: p, ownProbes: 0, ownAllowed: 0 });
    // Hostile tag values this role's trust policy lets through.
    const hostile = p.abac && !isChained(p) ? hostileTagValues(p.owner ?? grammar.base, grammar).filter((v) => trustAccepts(p, v)) : [];
    hostile.forEach((value) => acceptedHostileTags.push({ principal: p, value }));
    perPrincipal.set(p, {
      sessionArn: `arn:aws:sts::${p.account}:assumed-role/${p.name}/audit-session`,
      roleTags: {
        ...Object.fromEntries(Object.entries(p.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
        ...sessionContextFromTrust(p),
      },
      untagged: p.abac && !p.owner,
      hostile,
    });
    const plan = shapes?.plan(p);
    // An ABAC role with no literal id, not chained: once per (target shape, owner id signature).
    const abacPlan = plan ? undefined : shapes?.abacPlan(p, !isChained(p) && principalLiterals.get(p)!.size === 0, hostile);
    if (abacPlan) {
      const individual = abacPlan.individual;
      for (const view of abacPlan.views) {
        const proof = await shapes!.proveAbac(p, view, prove);
        if (!proof.clean) {
          individual.push(...view.members);
          continue;
        }
        const n = view.members.length;
        requests += proof.total * n;
        const c = coverage.get(p)!;
        c.ownProbes += proof.ownProbes * n;
        c.ownAllowed += proof.ownAllowed * n;
        const rep = targets[view.members[0]].owner!;
        abacCells.push({ view, perActing: [...proof.crossByActing!].map(([a, count]) => [actingTemplate(a, rep), count] as const) });
        // The tenant ids resourceProbes acts as (the exhaustive loop records them as it builds the requests).
        if (!targets[view.members[0]].role) {
          for (const i of view.members) {
            const o = targets[i].owner!;
            let ids = actingOf.get(o);
            if (!ids) actingOf.set(o, (ids = tenantClasses([o], grammar)));
            ids.forEach((x) => actingIds.add(x));
          }
          hostile.forEach((x) => actingIds.add(x));
        }
      }
      individual.sort((x, y) => x - y);
      for (const i of individual) {
        batch.push(...targets[i].probes(p));
        if (batch.length >= 5000) await flush();
      }
    } else if (!plan) {
      for (const t of targets) {
        batch.push(...t.probes(p));
        if (batch.length >= 5000) await flush();
      }
    } else {
      // The tenant's id is acted as whenever one resource is probed (as the exhaustive loop records it).
      if (shapes!.anyProbedResource) actingIds.add(plan.acting);
      for (const i of plan.shared) {
        const proof = await shapes!.proveShared(p, i, plan.signature, prove);
        if (!proof.clean) {
          plan.individual.push(i);
          continue;
        }
        requests += proof.total;
        const c = coverage.get(p)!;
        c.ownProbes += proof.ownProbes;
        c.ownAllowed += proof.ownAllowed;
        implicitCells.push({ acting: plan.acting, target: i, count: proof.cross });
      }
      for (const g of plan.groups) {
        const proof = await shapes!.prove(p, g, prove);
        if (proof.clean) {
          requests += proof.total * g.size;
          implicitCells.push({ acting: plan.acting, view: g, count: proof.cross });
        } else plan.individual.push(...shapes!.membersOf(g));
      }
      plan.individual.sort((x, y) => x - y);
      for (const i of plan.individual) {
        batch.push(...targets[i].probes(p));
        if (batch.length >= 5000) await flush();
      }
    }
    await flush();
    onProgress?.(++done, scoped.length, requests);
  }
  await flush();
  const cells = new CellTable(explicitCells, implicitCells, shapes, abacCells);
  return { leaks, requests, cells, actingIds, acceptedHostileTags, unsupportedOperators, coverage: [...coverage.values()].filter((c) => !isChained(c.principal)) };
}
