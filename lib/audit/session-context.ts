/**
 * The session context a role's trust policy guarantees (shared by the matrix and the model's
 * reach checks).
 *
 * The attacker holds a session that passed the trust, so probes carry what the trust made it
 * carry: the other session tags it requires (`aws:RequestTag/K` becomes `aws:PrincipalTag/K`:
 * IAM User Guide, id_session-tags), a source identity (`sts:SourceIdentity` becomes
 * `aws:SourceIdentity`: IAM User Guide, id_credentials_temp_control-access_monitor), MFA
 * (`aws:MultiFactorAuthPresent` / `aws:MultiFactorAuthAge` stay in the role session when the
 * AssumeRole call was made with MFA: IAM User Guide, id_credentials_mfa_configure-api-require).
 * Otherwise a guard Deny on their absence would refuse every probe and the proof would be
 * vacuous.
 *
 * The values are not read off one condition: they are solved against the whole trust (every
 * Allow that must grant sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity, and every Deny
 * that must not fire), so `StringLike ??*` together with `StringNotLike app.*`, numeric bounds
 * and Bool requirements all hold for the chosen value.
 */
import { TENANT_TAG_KEY } from '../core/namespace';
import { evaluate, requestContext } from './engine/builtin-engine';
import { evaluateCondition } from './engine/conditions';
import { Context } from './engine/patterns';
import { Principal } from './inventory';
import { Condition, Statement } from './policy-model';

/** A value that satisfies a positive pattern: `?` -> `1`, `*` -> nothing (`SUP-?*` -> `SUP-1`). */
export const witness = (pattern: string) => pattern.replace(/\?/g, '1').replace(/\*/g, '');

const TAG_RE = /^aws:requesttag\/(.+)$/i;
const VAR_RE = /^\$\{([^}]+)\}$/;
/** The tenant tag is set per acting tenant by the matrix; solve the rest with a valid id. */
const SOLVING_TENANT = 'acme';

/** Candidate values for a key, from every condition on it: witnesses, numeric neighbours, booleans. */
function candidates(conds: readonly Condition[]): string[] {
  const out = new Set<string>();
  for (const c of conds) {
    for (const v of c.values) {
      if (v.includes('${')) continue;
      out.add(witness(v));
      out.add(v.replace(/\?/g, '1').replace(/\*/g, 'x'));
      if (/^-?\d+$/.test(v)) for (const d of [-1, 0, 1]) out.add(String(Number(v) + d));
    }
  }
  for (const x of ['true', 'false', '1', 'audit-probe']) out.add(x);
  out.delete('');
  return [...out];
}

interface Solved {
  /** The AssumeRole request context (the trust's view). */
  readonly request: Record<string, string | string[]>;
  /** What the session carries afterwards. */
  readonly session: Record<string, string>;
}

const STS_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

/** Trust statements as identity statements (the caller is whoever the Principal names; its identity side is not modelled). */
function asIdentity(trust: readonly Statement[]): Statement[] {
  return trust.map((st) => ({ ...st, principals: undefined, notPrincipals: undefined }));
}

function score(identity: readonly Statement[], arn: string, account: string, ctx: Context, needed: readonly string[]): number {
  let s = 0;
  for (const action of needed) {
    const req = { principalArn: 'arn:aws:iam::000000000000:role/caller', principalAccount: account, action, resource: arn, context: ctx };
    if (evaluate(req, { identity }).decision === 'Allowed') s += 10_000;
    for (const st of identity) {
      if (!(st.actions ?? []).some((a) => a === '*' || a.toLowerCase() === action.toLowerCase() || /^sts:\*$/i.test(a))) continue;
      const held = st.conditions.filter((c) => evaluateCondition(c, ctx) === true).length;
      s += st.effect === 'Allow' ? held : held === st.conditions.length ? -100 : 0;
    }
  }
  return s;
}

/** The key a trust-side key becomes in the session (lowercase), if it carries over. */
function sessionKeyOf(k: string): string | undefined {
  const tag = TAG_RE.exec(k);
  if (tag) return tag[1].toLowerCase() === TENANT_TAG_KEY.toLowerCase() ? undefined : `aws:principaltag/${tag[1].toLowerCase()}`;
  if (k === 'sts:sourceidentity') return 'aws:sourceidentity';
  if (k === 'aws:multifactorauthpresent' || k === 'aws:multifactorauthage') return k;
  return undefined;
}

/**
 * The role's own guard Denies that test nothing but session keys (`Deny * if the ticket tag is
 * malformed`): among the values the trust accepts, the attacker picks one these do not refuse.
 */
function guardDenies(p: Principal): Statement[] {
  const sessionKey = (k: string) => /^aws:(principaltag\/|sourceidentity$|multifactorauth)/i.test(k) && !/tenantid$/i.test(k);
  return [...p.identity, ...(p.boundary ?? [])].filter((st) => st.effect === 'Deny' && st.conditions.length > 0 && st.conditions.every((c) => sessionKey(c.key)));
}

const cache = new WeakMap<Principal, Solved>();

/**
 * Solves the trust: a request context for sts:AssumeRole (+ TagSession, SetSourceIdentity when
 * the trust names tags or a source identity) that the trust allows, by coordinate ascent over
 * the keys the trust's conditions name. Keys the solver cannot satisfy keep their best value:
 * the audit then reports the principal's proof as vacuous (TI-VACUOUS-PROOF) rather than guess.
 */
export function solveTrust(p: Principal): Solved {
  const hit = cache.get(p);
  if (hit) return hit;
  const identity = asIdentity(p.trust);
  const byKey = new Map<string, Condition[]>();
  for (const st of p.trust) for (const c of st.conditions) byKey.set(c.key.toLowerCase(), [...(byKey.get(c.key.toLowerCase()) ?? []), c]);
  const values: Record<string, string | string[] | undefined> = {};
  const tagKeys = () =>
    Object.keys(values)
      .map((k) => TAG_RE.exec(k)?.[1])
      .filter((k): k is string => k !== undefined && values[`aws:requesttag/${k.toLowerCase()}`] !== undefined);
  const original = new Map<string, string>();
  for (const st of p.trust) for (const c of st.conditions) original.set(c.key.toLowerCase(), c.key);
  const tagged = p.abac || [...byKey.keys()].some((k) => TAG_RE.test(k));
  if (tagged) values[`aws:requesttag/${TENANT_TAG_KEY.toLowerCase()}`] = SOLVING_TENANT;
  const guards = guardDenies(p);
  const guardConds = new Map<string, Condition[]>();
  for (const st of guards) for (const c of st.conditions) guardConds.set(c.key.toLowerCase(), [...(guardConds.get(c.key.toLowerCase()) ?? []), c]);
  const penalty = (): number => {
    const session: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
      const sk = sessionKeyOf(k);
      if (sk && typeof v === 'string') session[sk] = v;
    }
    const ctx = requestContext(session);
    return guards.filter((st) => st.conditions.every((c) => evaluateCondition(c, ctx) === true)).length * 50;
  };
  const free = [...byKey.keys()].filter((k) => k !== `aws:requesttag/${TENANT_TAG_KEY.toLowerCase()}` && k !== 'aws:tagkeys' && k !== 'aws:username');
  const needed = () => [
    'sts:AssumeRole',
    ...(tagKeys().length > 0 ? ['sts:TagSession'] : []),
    ...(values['sts:sourceidentity'] !== undefined ? ['sts:SetSourceIdentity'] : []),
  ];
  const ctxOf = (): Context => {
    const v: Record<string, string | string[] | undefined> = { ...values };
    const keys = tagKeys();
    if (keys.length > 0)
      v['aws:tagkeys'] = keys.map((k) => (k === TENANT_TAG_KEY.toLowerCase() ? TENANT_TAG_KEY : (original.get(`aws:requesttag/${k}`)?.split('/')[1] ?? k)));
    // A condition value `${aws:PrincipalTag/X}` names the caller's own tag: the caller's
    // administrator sets it (break-glass approval), so it takes the value compared with it.
    for (const [k, conds] of byKey) {
      for (const c of conds) {
        for (const x of c.values) {
          const m = VAR_RE.exec(x);
          if (m && /^aws:principaltag\//i.test(m[1]) && v[m[1].toLowerCase()] === undefined && typeof v[k] === 'string') v[m[1].toLowerCase()] = v[k];
        }
      }
    }
    return requestContext(v);
  };
  const total = () => score(identity, p.arn, p.account, ctxOf(), needed()) - penalty();
  let best = total();
  for (let round = 0; round < 3; round++) {
    let improved = false;
    for (const k of free) {
      const keep = values[k];
      let chosen = keep;
      const sk = sessionKeyOf(k);
      for (const cand of [undefined, ...candidates([...byKey.get(k)!, ...((sk && guardConds.get(sk)) || [])])]) {
        values[k] = cand;
        const s = total();
        if (s > best) {
          best = s;
          chosen = cand;
          improved = true;
        }
      }
      values[k] = chosen;
    }
    if (!improved) break;
  }
  const request: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(ctxOf())) if (v !== undefined) request[k] = v.length === 1 && k !== 'aws:tagkeys' ? v[0] : [...v];
  const session: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v !== 'string') continue;
    const tag = TAG_RE.exec(original.get(k) ?? k);
    if (tag && tag[1].toLowerCase() !== TENANT_TAG_KEY.toLowerCase()) session[`aws:PrincipalTag/${tag[1]}`] = v;
    else if (k === 'sts:sourceidentity') session['aws:SourceIdentity'] = v;
    else if (k === 'aws:multifactorauthpresent' || k === 'aws:multifactorauthage') session[original.get(k) ?? k] = v;
  }
  if (session['aws:MultiFactorAuthPresent'] === 'true' && session['aws:MultiFactorAuthAge'] === undefined) session['aws:MultiFactorAuthAge'] = '1';
  const solved = { request, session };
  cache.set(p, solved);
  return solved;
}

/** What every session of the role carries beyond the tenant tag (see the module comment). */
export function sessionContextFromTrust(p: Principal): Record<string, string> {
  return solveTrust(p).session;
}

/** The solved AssumeRole request context with `overrides` (lowercase keys; undefined removes one). */
export function trustRequestContext(p: Principal, overrides: Record<string, string | string[] | undefined> = {}): Context {
  const merged: Record<string, string | string[] | undefined> = { ...solveTrust(p).request, ...overrides };
  return requestContext(merged);
}

/** Whether the trust lets a caller call `actions` on the role with the solved context plus overrides. */
export function trustAllows(p: Principal, actions: readonly string[], overrides: Record<string, string | string[] | undefined> = {}): boolean {
  const identity = asIdentity(p.trust);
  const context = trustRequestContext(p, overrides);
  return actions.every(
    (action) =>
      evaluate({ principalArn: 'arn:aws:iam::000000000000:role/caller', principalAccount: p.account, action, resource: p.arn, context }, { identity }).decision ===
      'Allowed',
  );
}

export { STS_ACTIONS };
