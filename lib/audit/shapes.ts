/**
 * Shapes: the matrix evaluated once per shape instead of once per pair (docs/audit.md, "Why
 * evaluating once per shape stays a proof").
 *
 * A tenant-owned principal of tenant A and a resource (or role) of tenant B != A are written out
 * with A and B replaced by placeholders. Tenant stacks built from one template come out
 * identical: the same principal shape against the same target shape gives the same requests up
 * to the two ids, so one representative pair proves the whole group, provided the ids only
 * appear as whole ids (the premise tenant-classes.ts already rests on) and are unrelated to each
 * other and to every id the two texts still mention (no prefix / suffix / infix: such pairs are
 * evaluated one by one). A group whose representative is allowed anything, or meets an operator
 * the engine does not know, is evaluated member by member, so findings name the real pair.
 */
import { IdGrammar } from './id-grammar';
import { Principal, TenantResource } from './inventory';
import { NO_TAG, type Probe } from './probe';
import { Statement } from './policy-model';
import { sessionContextFromTrust } from './session-context';
import { tenantClasses } from './tenant-classes';

/** One target of the matrix: a resource, or a role a session could chain into. */
export interface Target {
  readonly resource: TenantResource;
  readonly owner: string | undefined;
  readonly role?: Principal;
  readonly probes: (p: Principal) => Probe[];
}

export interface Group {
  readonly key: string;
  readonly id: number;
  /** Target indexes, ascending. */
  readonly members: number[];
  readonly byOwner: Map<string, number[]>;
  /** Tenant ids the group's text still mentions (besides its owner). */
  readonly mentions: Set<string>;
}

/** A group minus the members a principal evaluates one by one. */
export interface GroupView {
  readonly group: Group;
  readonly excluded: ReadonlySet<string>;
  readonly size: number;
}

export interface Plan {
  readonly acting: string;
  readonly groups: GroupView[];
  /** Target indexes evaluated one by one (own, related ids, groups not proven). */
  readonly individual: number[];
  /** Targets no tenant owns (pooled stores, ABAC roles), proven once per principal shape and id signature. */
  readonly shared: number[];
  /** How the tenant ids the matrix derives from this principal's id relate to it (tenant-classes.ts). */
  readonly signature: string;
}

/** What one representative pair showed: clean = nothing cross-tenant allowed, no unknown operator. */
export interface Proof {
  readonly clean: boolean;
  /** Every request of the pair, and the cross-tenant ones (the cell's). */
  readonly total: number;
  readonly cross: number;
  /** Own-tenant requests and how many were allowed (carried over as coverage). */
  readonly ownProbes: number;
  readonly ownAllowed: number;
  /** Cross-tenant requests per acting tenant (null = the untagged session). */
  readonly crossByActing?: ReadonlyMap<string | null, number>;
}

/**
 * The tenant an ABAC session acts as, written relative to the owner of the target: the owner
 * itself, an id containing it, a part of it (offset, length), a fixed id, or the untagged session.
 */
export type ActingTemplate =
  | { readonly kind: 'owner' }
  | { readonly kind: 'around'; readonly text: string }
  | { readonly kind: 'part'; readonly at: number; readonly length: number }
  | { readonly kind: 'fixed'; readonly id: string }
  | { readonly kind: 'untagged' };

/** `actingAs` of a request against a target owned by `owner`, relative to `owner` (inverse of `actingFor`). */
export function actingTemplate(actingAs: string | null, owner: string): ActingTemplate {
  if (actingAs === null) return { kind: 'untagged' };
  if (actingAs === owner) return { kind: 'owner' };
  if (actingAs.includes(owner)) return { kind: 'around', text: replaceAll(actingAs, owner, A) };
  if (owner.includes(actingAs)) return { kind: 'part', at: owner.indexOf(actingAs), length: actingAs.length };
  return { kind: 'fixed', id: actingAs };
}

/** The acting tenant a template stands for against a target owned by `owner`; null = untagged. */
export function actingFor(t: ActingTemplate, owner: string): string | null {
  switch (t.kind) {
    case 'untagged':
      return null;
    case 'owner':
      return owner;
    case 'around':
      return replaceAll(t.text, A, owner);
    case 'part':
      return owner.slice(t.at, t.at + t.length);
    case 'fixed':
      return t.id;
  }
}

/**
 * Tenant-owned targets of one group whose owners have one id signature: an ABAC role (it
 * belongs to no tenant and its text names none) gets the same requests against each of them up
 * to the owner id, so one representative proves them all (docs/audit.md, "Why evaluating once
 * per shape stays a proof").
 */
export interface AbacView {
  readonly id: number;
  readonly group: Group;
  readonly signature: string;
  /** Target indexes, ascending; owners with related ids are not in any view (pair by pair). */
  readonly members: number[];
}

/** How an ABAC role is evaluated: views proven once, the rest pair by pair. */
export interface AbacPlan {
  readonly views: AbacView[];
  readonly individual: number[];
}

export type ProofEvaluator = (probes: Probe[]) => Promise<Proof>;

export interface ImplicitCell {
  readonly acting: string;
  /** A group proven per shape, or one shared target (a pooled store, an ABAC role) proven per id signature. */
  readonly view?: GroupView;
  readonly target?: number;
  /** Requests per member. */
  readonly count: number;
}

/** An ABAC role's view proven once: cross-tenant requests per member, per acting tenant relative to the member's owner. */
export interface AbacCell {
  readonly view: AbacView;
  readonly perActing: ReadonlyArray<readonly [ActingTemplate, number]>;
}

const A = '\u0001';
const B = '\u0002';
const noSource = (k: string, v: unknown) => (k === 'source' ? undefined : v);
const text = (v: unknown) => JSON.stringify(v, noSource);
const replaceAll = (s: string, id: string, by: string) => s.split(id).join(by);

/** The strings of statements matched as patterns against request values: resources and condition values (actions never name ids). */
function patternsOf(statements: readonly Statement[], skipKey: (key: string) => boolean = () => false): string {
  return statements
    .flatMap((st) => [...(st.resources ?? []), ...(st.notResources ?? []), ...st.conditions.filter((c) => !skipKey(c.key)).flatMap((c) => c.values)])
    .join('\n');
}

/**
 * Condition keys whose request value an ABAC role's requests take from the role alone: its tags
 * other than TenantId and the session context its trust policy forces (`sessionContextFromTrust`,
 * in the principal's key, which names no id). No probe varies them (probes/condition-variants.ts
 * INFLUENCEABLE_KEYS), so a pattern on them (`*t*` on a support ticket) is matched against the same
 * value for every tenant and cannot tell ids apart.
 */
const PRINCIPAL_FIXED_KEY = /^(aws:principaltag\/(?!tenantid$).+|aws:sourceidentity)$/i;

/** How a string relates to an id: equal, containing it (written around it), inside it (offset:length), or neither. */
function relation(h: string, id: string): string {
  if (h === id) return '=';
  if (h.includes(id)) return `>${replaceAll(h, id, A)}`;
  if (id.includes(h)) return `<${id.indexOf(h)}:${h.length}`;
  return '-';
}

/** Every id of `ids` that occurs in `s` (ids are runs of the id alphabet, so only such runs are searched). */
function idsIn(s: string, ids: ReadonlySet<string>, lengths: readonly number[]): Set<string> {
  const out = new Set<string>();
  for (const m of s.matchAll(/[A-Za-z0-9_-]+/g)) {
    const run = m[0];
    for (let i = 0; i < run.length; i++) {
      for (const n of lengths) {
        if (i + n > run.length) break;
        const sub = run.slice(i, i + n);
        if (ids.has(sub)) out.add(sub);
      }
    }
  }
  return out;
}

export class ShapeIndex {
  public readonly anyProbedResource: boolean;
  private readonly groups: Group[] = [];
  private readonly individual: number[] = [];
  private readonly shared: number[] = [];
  private readonly groupOf = new Map<number, Group>();
  private readonly related = new Map<string, Set<string>>();
  private readonly ids: Set<string>;
  private readonly lengths: number[];
  /** Proper prefixes and suffixes of the ids: a pattern fragment equal to one can cut through an id. */
  private readonly idPrefixes = new Set<string>();
  private readonly idSuffixes = new Set<string>();
  private readonly principalShapes = new Map<string, { mentions: Set<string>; cuts: boolean }>();
  private readonly proofs = new Map<string, Promise<Proof>>();
  private readonly principalKey = new Map<Principal, string>();
  /** Principal shape key -> small number, so proof keys stay short. */
  private readonly principalShapeId = new Map<string, number>();

  public constructor(
    private readonly targets: readonly Target[],
    scoped: readonly Principal[],
    private readonly grammar: IdGrammar,
    principalLiterals: ReadonlyMap<Principal, Set<string>>,
    resourceLiterals: ReadonlyMap<TenantResource, Set<string>>,
  ) {
    this.anyProbedResource = targets.some((t) => !t.role && (t.owner || t.resource.partition || t.resource.type === 'AWS::KMS::Key'));
    const ids = new Set<string>();
    for (const t of targets) if (t.owner) ids.add(t.owner);
    for (const p of scoped) if (p.owner) ids.add(p.owner);
    for (const s of [...principalLiterals.values(), ...resourceLiterals.values()]) for (const l of s) ids.add(l);
    this.ids = ids;
    // The distinct id lengths, ascending: only substrings of those lengths can be ids.
    this.lengths = [...new Set([...ids].map((i) => i.length))].sort((x, y) => x - y);
    for (const y of ids) {
      for (let n = 1; n < y.length; n++) {
        this.idPrefixes.add(y.slice(0, n));
        this.idSuffixes.add(y.slice(n));
      }
    }
    // Related ids (one a substring of the other): such pairs are evaluated one by one.
    for (const y of ids) {
      for (let i = 0; i < y.length; i++) {
        for (let j = i + 1; j <= y.length; j++) {
          const s = y.slice(i, j);
          if (s === y || !ids.has(s)) continue;
          if (!this.related.has(s)) this.related.set(s, new Set());
          if (!this.related.has(y)) this.related.set(y, new Set());
          this.related.get(s)!.add(y);
          this.related.get(y)!.add(s);
        }
      }
    }
    const byKey = new Map<string, Group>();
    targets.forEach((t, i) => {
      const key = this.targetKey(t, resourceLiterals);
      if (key === undefined) {
        // No owner, no literal id, no id in its text: the same for every tenant up to the id signature.
        const lits = t.role ? undefined : resourceLiterals.get(t.resource);
        const shared = !t.owner && (lits === undefined || lits.size === 0) && idsIn(this.rawText(t), ids, this.lengths).size === 0;
        (shared ? this.shared : this.individual).push(i);
        return;
      }
      if (this.cuts(replaceAll(patternsOf(t.role ? t.role.trust : t.resource.policy), t.owner!, B))) {
        this.individual.push(i);
        return;
      }
      let g = byKey.get(key);
      if (!g) {
        g = { key, id: this.groups.length, members: [], byOwner: new Map(), mentions: idsIn(key, ids, this.lengths) };
        byKey.set(key, g);
        this.groups.push(g);
      }
      g.members.push(i);
      g.byOwner.set(t.owner!, [...(g.byOwner.get(t.owner!) ?? []), i]);
      this.groupOf.set(i, g);
    });
  }

  /**
   * The target's text with its owner replaced; undefined = always evaluated one by one.
   * EVERY field a probe builder (matrix.ts, probe generators) reads from a target must be in
   * `rawText`, and every field it reads from a principal in `plan`'s key: a field left out would
   * let two pairs share a shape and a proof while their requests differ.
   */
  private targetKey(t: Target, resourceLiterals: ReadonlyMap<TenantResource, Set<string>>): string | undefined {
    const o = t.owner;
    if (!o || !this.grammar.isValid(o)) return undefined;
    const r = t.resource;
    const lits = t.role ? new Set<string>() : (resourceLiterals.get(r) ?? new Set<string>());
    if ([...lits].some((l) => l !== o)) return undefined;
    const raw = this.rawText(t);
    return `${o.length}${B}${replaceAll(raw, o, B)}`;
  }

  private rawText(t: Target): string {
    const r = t.resource;
    return t.role
      ? text(['role', r.arn, r.tags, t.role.abac, t.role.trust as Statement[]])
      : text([
          r.type,
          r.kind.service,
          r.arn,
          r.tags,
          r.stackTags,
          r.keyArn,
          r.bucketKeyEnabled,
          r.partition?.template,
          r.indexes,
          r.encrypts.map((b) => [b.arn, b.owner, b.partition?.template, b.bucketKeyEnabled]),
          r.policy,
          r.type.startsWith('AWS::RDS::') ? r.source.logicalId : '',
        ]);
  }

  /**
   * True when a wildcard in the patterns sits next to a fragment that is part of an id (`tenants/t001*`
   * matches `t0010`..`t0019`, `parameter/a*` every id starting with `a`): such a pattern tells ids
   * apart by their characters, not by how they relate, so its shape is evaluated pair by pair.
   */
  private cuts(text: string): boolean {
    for (const m of text.matchAll(/[*?]/g)) {
      const at = m.index!;
      let i = at;
      while (i > 0 && /[A-Za-z0-9_-]/.test(text[i - 1]) && at - i < this.lengths[this.lengths.length - 1]) i--;
      const before = text.slice(i, at).toLowerCase();
      for (let k = 0; k < before.length; k++) if (this.idPrefixes.has(before.slice(k))) return true;
      let j = at + 1;
      while (j < text.length && /[A-Za-z0-9_-]/.test(text[j]) && j - at <= this.lengths[this.lengths.length - 1]) j++;
      const after = text.slice(at + 1, j).toLowerCase();
      for (let k = 1; k <= after.length; k++) if (this.idSuffixes.has(after.slice(0, k))) return true;
    }
    return false;
  }

  /** How principal `p` is evaluated; undefined = every target one by one (not a plain tenant-owned role). */
  public plan(p: Principal): Plan | undefined {
    const a = p.owner;
    if (!a || !this.grammar.isValid(a) || p.sessionPolicy) return undefined;
    let key = this.principalKey.get(p);
    if (key === undefined) {
      const raw = text([p.arn, p.account, p.name, p.tags, p.abac, p.identity, p.boundary, sessionContextFromTrust(p)]);
      key = `${a.length}${A}${replaceAll(raw, a, A)}`;
      this.principalKey.set(p, key);
    }
    let shape = this.principalShapes.get(key);
    if (!shape) {
      shape = { mentions: idsIn(key, this.ids, this.lengths), cuts: this.cuts(replaceAll(patternsOf([...p.identity, ...(p.boundary ?? [])]), a, A)) };
      this.principalShapeId.set(key, this.principalShapeId.size);
      this.principalShapes.set(key, shape);
    }
    if (shape.cuts) return undefined;
    // Ids evaluated one by one against this principal: its own, related ones, ids its text names.
    const excluded = new Set<string>([a, ...(this.related.get(a) ?? [])]);
    for (const m of shape.mentions) {
      excluded.add(m);
      for (const x of this.related.get(m) ?? []) excluded.add(x);
    }
    const individual = [...this.individual];
    // A principal whose text names another id derives more tenant ids from it: shared targets one by one.
    const shared = shape.mentions.size === 0 ? this.shared : [];
    if (shape.mentions.size > 0) individual.push(...this.shared);
    const groups: GroupView[] = [];
    for (const g of this.groups) {
      // A group whose text names this tenant (or a related id) is evaluated one by one.
      if (g.mentions.has(a) || [...(this.related.get(a) ?? [])].some((x) => g.mentions.has(x))) {
        individual.push(...g.members);
        continue;
      }
      let size = g.members.length;
      for (const x of excluded) {
        const own = g.byOwner.get(x);
        if (own) {
          size -= own.length;
          individual.push(...own);
        }
      }
      if (size > 0) groups.push({ group: g, excluded, size });
    }
    return { acting: a, groups, individual, shared, signature: this.signature(a) };
  }

  /**
   * How an ABAC role that belongs to no tenant is evaluated; undefined = every target one by one.
   * `eligible` is the matrix's part of the premise: not chained, no literal id in its policies
   * (matrix.ts); `hostile` the tag values its trust accepts besides TenantIds. Here: no session
   * policy, its text names no id and no pattern of it cuts through ids. Then against a
   * tenant-owned target of owner B the matrix acts as B's relation representatives
   * (tenant-classes.ts), the hostile values and the untagged session, so two targets of one group
   * whose owners have one signature (B's id signature and how each hostile value relates to B)
   * get the same requests up to the id. Groups naming other ids, owners with a related id
   * (prefix / infix) and signatures with a single target stay pair by pair.
   */
  public abacPlan(p: Principal, eligible: boolean, hostile: readonly string[]): AbacPlan | undefined {
    if (!eligible || !p.abac || p.owner || p.sessionPolicy) return undefined;
    let key = this.principalKey.get(p);
    if (key === undefined) {
      key = `abac${A}${text([p.arn, p.account, p.name, p.tags, p.abac, p.identity, p.boundary, sessionContextFromTrust(p), hostile])}`;
      this.principalKey.set(p, key);
    }
    if (!this.principalShapeId.has(key)) this.principalShapeId.set(key, this.principalShapeId.size);
    if (idsIn(key, this.ids, this.lengths).size > 0 || this.cuts(patternsOf([...p.identity, ...(p.boundary ?? [])], (k) => PRINCIPAL_FIXED_KEY.test(k))))
      return undefined;
    const hostileKey = JSON.stringify(hostile);
    let plan = this.abacPlans.get(hostileKey);
    if (!plan) {
      const views: AbacView[] = [];
      const individual = [...this.individual, ...this.shared];
      for (const g of this.groups) {
        if (g.mentions.size > 0) {
          individual.push(...g.members);
          continue;
        }
        const bySignature = new Map<string, number[]>();
        for (const i of g.members) {
          const o = this.targets[i].owner!;
          if ((this.related.get(o)?.size ?? 0) > 0) {
            individual.push(i);
            continue;
          }
          // The tag values the trust lets through besides TenantIds act too: how they relate to the owner is part of the signature.
          const sig = `${this.signature(o)}#${hostile.map((h) => `${relation(h, o)},${relation(h.toLowerCase(), o.toLowerCase())}`).join('|')}`;
          bySignature.set(sig, [...(bySignature.get(sig) ?? []), i]);
        }
        for (const [signature, members] of bySignature) {
          // A lone member proves nothing for others: it is evaluated as it is.
          if (members.length < 2) individual.push(...members);
          else {
            const view = { id: this.abacViewCount++, group: g, signature, members };
            views.push(view);
            for (const i of members) this.abacViewByIndex.set(i, [...(this.abacViewByIndex.get(i) ?? []), view]);
          }
        }
      }
      individual.sort((x, y) => x - y);
      plan = { views, individual };
      this.abacPlans.set(hostileKey, plan);
    }
    return { views: plan.views, individual: [...plan.individual] };
  }
  private readonly abacPlans = new Map<string, AbacPlan>();
  private abacViewCount = 0;
  private readonly abacViewByIndex = new Map<number, AbacView[]>();

  /** Evaluates the representative (first member) of an ABAC view once per principal shape. */
  public proveAbac(p: Principal, view: AbacView, evaluate: ProofEvaluator): Promise<Proof> {
    return this.memo(`${this.principalShapeId.get(this.principalKey.get(p)!)}:a${view.id}`, () => this.targets[view.members[0]].probes(p), evaluate);
  }

  /** The ABAC views a target index belongs to (one per set of accepted hostile tag values). */
  public abacViewsOf(index: number): readonly AbacView[] {
    return this.abacViewByIndex.get(index) ?? [];
  }

  public ownerAt(index: number): string | undefined {
    return this.targets[index].owner;
  }

  public arnAt(index: number): string {
    return this.targets[index].resource.arn;
  }

  /**
   * The tenant ids evaluated for a principal of tenant `a` against a target that names no id are
   * `a` and its relation representatives (tenant-classes.ts): written relative to `a`, two ids
   * with the same signature get the same requests up to the id.
   */
  private signature(a: string): string {
    let sig = this.signatures.get(a);
    if (sig === undefined) {
      sig = `${a.length}|${tenantClasses([a], this.grammar)
        .map((v) => (v === a ? 'A' : v.includes(a) ? replaceAll(v, a, A) : a.includes(v) ? `<${a.indexOf(v)}:${v.length}>` : `=${v}`))
        .join('|')}`;
      this.signatures.set(a, sig);
    }
    return sig;
  }
  private readonly signatures = new Map<string, string>();

  /** Proves a shared target once per (principal shape, id signature). */
  public proveShared(p: Principal, index: number, signature: string, evaluate: ProofEvaluator): Promise<Proof> {
    return this.memo(`${this.principalShapeId.get(this.principalKey.get(p)!)}:${signature}:s${index}`, () => this.targets[index].probes(p), evaluate);
  }

  private memo(k: string, probesOf: () => Probe[], evaluate: ProofEvaluator): Promise<Proof> {
    let proof = this.proofs.get(k);
    if (!proof) {
      const probes = probesOf();
      proof = probes.length === 0 ? Promise.resolve({ clean: true, total: 0, cross: 0, ownProbes: 0, ownAllowed: 0 }) : evaluate(probes);
      this.proofs.set(k, proof);
    }
    return proof;
  }

  /** Evaluates the representative pair of (principal shape, group) once; `evaluate` says whether it is clean. */
  public prove(p: Principal, view: GroupView, evaluate: ProofEvaluator): Promise<Proof> {
    return this.memo(
      `${this.principalShapeId.get(this.principalKey.get(p)!)}:${view.group.id}`,
      () => this.targets[view.group.members.find((i) => !view.excluded.has(this.targets[i].owner!))!].probes(p),
      evaluate,
    );
  }

  /** Members of a view (target indexes). */
  public membersOf(view: GroupView): number[] {
    return view.group.members.filter((i) => !view.excluded.has(this.targets[i].owner!));
  }

  public targetsAt(arn: string): Array<{ index: number; group?: Group; owner?: string }> {
    if (!this.byArn) {
      this.byArn = new Map();
      this.targets.forEach((t, index) => {
        const list = this.byArn!.get(t.resource.arn) ?? [];
        list.push({ index, group: this.groupOf.get(index), owner: t.owner });
        this.byArn!.set(t.resource.arn, list);
      });
    }
    return this.byArn.get(arn) ?? [];
  }
  private byArn?: Map<string, Array<{ index: number; group?: Group; owner?: string }>>;

  public arns(): string[] {
    return [...new Set(this.targets.map((t) => t.resource.arn))];
  }
}

/**
 * Per cell `${actingAs}\u0000${resource arn}`: [requests, allowed] (cross-tenant requests only).
 * Cells proven per shape are computed when asked for, so a 1,000-tenant audit does not hold a
 * million of them.
 */
export class CellTable implements ReadonlyMap<string, [number, number]> {
  private readonly byActing = new Map<string, ImplicitCell[]>();
  private readonly byAbacView = new Map<AbacView, AbacCell[]>();
  private materialised?: Map<string, [number, number]>;

  public constructor(
    private readonly explicit: ReadonlyMap<string, [number, number]>,
    implicit: readonly ImplicitCell[],
    private readonly shapes: ShapeIndex | undefined,
    private readonly abac: readonly AbacCell[] = [],
  ) {
    for (const c of implicit) {
      if (c.count === 0) continue;
      const list = this.byActing.get(c.acting) ?? [];
      list.push(c);
      this.byActing.set(c.acting, list);
    }
    for (const c of abac) {
      if (c.perActing.length === 0) continue;
      this.byAbacView.set(c.view, [...(this.byAbacView.get(c.view) ?? []), c]);
    }
  }

  public get(key: string): [number, number] | undefined {
    const cut = key.indexOf('\u0000');
    const acting = key.slice(0, cut);
    const arn = key.slice(cut + 1);
    const explicit = this.explicit.get(key);
    const implicit = this.byActing.get(acting);
    if ((!implicit && this.byAbacView.size === 0) || !this.shapes) return explicit;
    let extra = 0;
    for (const t of this.shapes.targetsAt(arn)) {
      for (const c of implicit ?? []) {
        if (c.target !== undefined ? c.target === t.index : t.group && c.view!.group === t.group && !c.view!.excluded.has(t.owner!)) extra += c.count;
      }
      for (const view of this.byAbacView.size > 0 ? this.shapes.abacViewsOf(t.index) : []) {
        for (const c of this.byAbacView.get(view) ?? []) {
          for (const [tmpl, count] of c.perActing) if ((actingFor(tmpl, t.owner!) ?? NO_TAG) === acting) extra += count;
        }
      }
    }
    if (extra === 0) return explicit;
    return [(explicit?.[0] ?? 0) + extra, explicit?.[1] ?? 0];
  }

  public has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  private all(): Map<string, [number, number]> {
    if (!this.materialised) {
      const m = new Map(this.explicit);
      if (this.shapes) {
        for (const acting of this.byActing.keys()) {
          for (const arn of this.shapes.arns()) {
            const k = `${acting}\u0000${arn}`;
            const v = this.get(k);
            if (v) m.set(k, v);
          }
        }
        for (const c of this.abac) {
          for (const i of c.view.members) {
            for (const [tmpl] of c.perActing) {
              const k = `${actingFor(tmpl, this.shapes.ownerAt(i)!) ?? NO_TAG}\u0000${this.shapes.arnAt(i)}`;
              const v = this.get(k);
              if (v) m.set(k, v);
            }
          }
        }
      }
      this.materialised = m;
    }
    return this.materialised;
  }

  public get size(): number {
    return this.all().size;
  }
  public forEach(cb: (value: [number, number], key: string, map: ReadonlyMap<string, [number, number]>) => void): void {
    this.all().forEach((v, k) => cb(v, k, this));
  }
  public entries(): MapIterator<[string, [number, number]]> {
    return this.all().entries();
  }
  public keys(): MapIterator<string> {
    return this.all().keys();
  }
  public values(): MapIterator<[number, number]> {
    return this.all().values();
  }
  public [Symbol.iterator](): MapIterator<[string, [number, number]]> {
    return this.all()[Symbol.iterator]();
  }
}
