/**
 * `builtin`: the project's own IAM evaluator (Apache-2.0), for requests within one account.
 *
 * Evaluation logic (IAM User Guide, reference_policies_evaluation-logic, "policy evaluation
 * within a single account"):
 * 1. An explicit Deny in any policy (identity, permission boundary, resource) wins.
 * 2. A permission boundary, when present, must allow too (except grants a resource policy makes
 *    to the session ARN itself).
 * 3. Either an identity-policy Allow or a resource-policy Allow naming the principal grants
 *    access; a resource policy that names only the account (`...:root`) delegates to IAM.
 * 4. KMS (KMS Developer Guide, key-policy-default): the key policy must allow, directly or by
 *    delegating to the account, in which case an identity policy must also allow.
 *
 * Unknown condition operators are treated as "may hold" in Allow statements and "does not hold"
 * in Deny statements, and are reported: for a leak finder, the uncertain side is the open one.
 */
import { PrincipalSet, Statement } from '../policy-model';
import { evaluateCondition } from './conditions';
import { actionMatch, arnMatch, Context } from './patterns';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface AuthzRequest {
  /** The role (or user) ARN. */
  readonly principalArn: string;
  /** `arn:aws:sts::<acct>:assumed-role/<name>/<session>` when the caller is a role session. */
  readonly sessionArn?: string;
  readonly principalAccount: string;
  readonly action: string;
  readonly resource: string;
  /** Context keys lowercased (use `requestContext`). */
  readonly context: Context;
}

export interface PolicySet {
  readonly identity: readonly Statement[];
  readonly boundary?: readonly Statement[];
  /**
   * A session policy passed on AssumeRole: like a boundary it must allow too, and its Deny
   * wins; a resource policy naming the session ARN itself is not limited by it (IAM User
   * Guide, access_policies "Session policies").
   */
  readonly session?: readonly Statement[];
  readonly resource?: readonly Statement[];
  /** True for KMS keys: without a key-policy Allow nothing is allowed. */
  readonly resourcePolicyRequired?: boolean;
}

export interface Evaluation {
  readonly decision: Decision;
  /** The statements that granted access (empty unless Allowed). */
  readonly allowedBy: readonly Statement[];
  /** The first explicit Deny that matched. */
  readonly deniedBy?: Statement;
  /** Operators the evaluator did not know, if any decided the outcome. */
  readonly unsupported: readonly string[];
}

/** Builds a context with lowercased keys from plain values. */
export function requestContext(values: Record<string, string | readonly string[] | undefined>): Context {
  const out: Record<string, readonly string[]> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = typeof v === 'string' ? [v] : v;
  }
  return out;
}

type PrincipalMatch = 'session' | 'direct' | 'account' | 'none';

function accountOf(arn: string): string | undefined {
  return arn.split(':')[4];
}

function matchPrincipalSet(set: PrincipalSet, req: AuthzRequest): PrincipalMatch {
  if (set.any) return 'direct';
  let best: PrincipalMatch = 'none';
  for (const p of set.aws) {
    if (req.sessionArn && p === req.sessionArn) return 'session';
    if (p === req.principalArn) best = 'direct';
    else if (best === 'none' && (p === req.principalAccount || p === `arn:${req.principalArn.split(':')[1]}:iam::${req.principalAccount}:root`)) {
      best = 'account';
    }
  }
  return best;
}

function statementPrincipal(st: Statement, req: AuthzRequest): PrincipalMatch {
  if (st.principals) return matchPrincipalSet(st.principals, req);
  if (st.notPrincipals) return matchPrincipalSet(st.notPrincipals, req) === 'none' ? 'direct' : 'none';
  return 'none';
}

function matchesActionAndResource(st: Statement, req: AuthzRequest): boolean {
  if (st.actions) {
    if (!st.actions.some((a) => actionMatch(req.action, a))) return false;
  } else if (st.notActions) {
    if (st.notActions.some((a) => actionMatch(req.action, a))) return false;
  } else return false;
  if (st.resources) {
    // A resource pattern with a missing variable matches nothing.
    return st.resources.some((r) => arnMatch(req.resource, r, req.context) === true);
  }
  if (st.notResources) {
    // NotResource with a variable the request lacks: AWS "might" treat the whole statement as
    // invalid (IAM User Guide, reference_policies_variables). The audit takes the open reading:
    // the statement does not apply, so such a Deny protects nothing.
    let excluded = false;
    for (const r of st.notResources) {
      const m = arnMatch(req.resource, r, req.context);
      if (m === undefined) return false;
      if (m) excluded = true;
    }
    return !excluded;
  }
  // Resource policies may omit Resource (e.g. some services); treat as all resources of the policy.
  return true;
}

function conditionsHold(st: Statement, req: AuthzRequest, unsupported: string[]): boolean {
  for (const c of st.conditions) {
    const r = evaluateCondition(c, req.context);
    if (r === 'unsupported') {
      unsupported.push(c.operator);
      if (st.effect === 'Deny') return false;
      continue;
    }
    if (!r) return false;
  }
  return true;
}

function applies(st: Statement, req: AuthzRequest, unsupported: string[]): boolean {
  return matchesActionAndResource(st, req) && conditionsHold(st, req, unsupported);
}

/** Evaluates one request against the policies that apply to it. */
export function evaluate(req: AuthzRequest, policies: PolicySet): Evaluation {
  const unsupported: string[] = [];
  const denies = (sts: readonly Statement[] | undefined, isResource: boolean): Statement | undefined =>
    sts?.find((st) => st.effect === 'Deny' && (!isResource || statementPrincipal(st, req) !== 'none') && applies(st, req, unsupported));
  const deniedBy = denies(policies.identity, false) ?? denies(policies.boundary, false) ?? denies(policies.session, false) ?? denies(policies.resource, true);
  if (deniedBy) return { decision: 'ExplicitlyDenied', allowedBy: [], deniedBy, unsupported };

  const identityAllows = policies.identity.filter((st) => st.effect === 'Allow' && applies(st, req, unsupported));
  const boundaryAllows =
    (policies.boundary ? policies.boundary.some((st) => st.effect === 'Allow' && applies(st, req, unsupported)) : true) &&
    (policies.session ? policies.session.some((st) => st.effect === 'Allow' && applies(st, req, unsupported)) : true);
  let resourceDirect: Statement[] = [];
  let resourceSession = false;
  let resourceAccount = false;
  for (const st of policies.resource ?? []) {
    if (st.effect !== 'Allow') continue;
    const pm = statementPrincipal(st, req);
    if (pm === 'none' || !applies(st, req, unsupported)) continue;
    if (pm === 'account') resourceAccount = true;
    else {
      resourceDirect = [...resourceDirect, st];
      if (pm === 'session') resourceSession = true;
    }
  }

  const allowed = (by: readonly Statement[]): Evaluation => ({ decision: 'Allowed', allowedBy: by, unsupported });
  const implicit: Evaluation = { decision: 'ImplicitlyDenied', allowedBy: [], unsupported };
  if (resourceDirect.length > 0 && (boundaryAllows || resourceSession)) return allowed(resourceDirect);
  if (policies.resourcePolicyRequired) {
    return resourceAccount && identityAllows.length > 0 && boundaryAllows ? allowed(identityAllows) : implicit;
  }
  if (identityAllows.length > 0 && boundaryAllows) return allowed(identityAllows);
  return implicit;
}

/** Account id of an ARN (helper for callers building requests). */
export { accountOf };
