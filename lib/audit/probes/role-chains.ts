/**
 * Role chaining to any role, transitively. A tenant session that may call sts:AssumeRole on a
 * role T holds T's permissions afterwards, so T's reach counts for the tenant the chain started
 * from. The trust policy of T acts as its resource policy and must allow; if it only names the
 * account, an identity Allow of the caller is needed too (IAM User Guide, id_roles_use and
 * reference_policies_evaluation-logic-cross-account / roles: AssumeRole). Session tags carry
 * into T only when the caller marks them transitive, and passing them needs sts:TagSession in
 * T's trust (IAM User Guide, id_session-tags "Chaining roles with session tags"); so T's session
 * is evaluated both without the tenant tag and, when T's trust allows sts:TagSession, with it.
 *
 * Each chained session is a derived principal: T's policies, acting as the originating tenant,
 * with `chain` naming where it started and the statements that let it. The matrix evaluates it
 * like any tenant session; its leaks are TI-ROLE-CHAIN findings at the originating statement.
 * Tenant-owned and ABAC targets keep their own probes in the matrix (re-tagging, another
 * tenant's role); here the targets are every other role (platform roles, vended roles assumed
 * without their session policy).
 */
import { TENANT_TAG_KEY } from '../../core/namespace';
import { evaluate, requestContext } from '../engine/builtin-engine';
import { IdGrammar } from '../id-grammar';
import { Principal } from '../inventory';
import { Statement } from '../policy-model';
import { sessionContextFromTrust, trustRequestContext } from '../session-context';
import { isTenantFacing, sessionPolicyFor } from '../tenant-model';

export interface ChainOrigin {
  /** The tenant-facing principal the chain starts from. */
  readonly origin: Principal;
  /** Role names from the origin to this role. */
  readonly path: readonly string[];
  /** The origin-side statements that allowed the first sts:AssumeRole. */
  readonly allowedBy: readonly Statement[];
}

/** A role reached by chaining, acting for the originating tenant. */
export type ChainedPrincipal = Principal & { readonly chain: ChainOrigin };

export function isChained(p: Principal): p is ChainedPrincipal {
  return (p as Partial<ChainedPrincipal>).chain !== undefined;
}

/** The matrix and the reach checks both need the chains of one inventory: computed once. */
const computed = new WeakMap<readonly Principal[], { base: string; chained: ChainedPrincipal[] }>();

/** How deep chains are followed (AWS sets no depth limit; a cycle ends the walk). */
export const MAX_CHAIN_DEPTH = 4;

function mayAssume(from: Principal, actingAs: string | null, to: Principal, action: string): readonly Statement[] | undefined {
  const session = actingAs !== null ? sessionPolicyFor(from, actingAs) : undefined;
  if (from.sessionPolicy && !session) return undefined;
  const trustSide = Object.fromEntries(
    Object.entries(trustRequestContext(to)).filter(([k]) => !k.startsWith('aws:principaltag/') && k !== 'aws:principalarn' && k !== 'aws:principalaccount'),
  );
  const context = {
    ...trustSide,
    ...requestContext({
      'aws:PrincipalArn': from.arn,
      'aws:PrincipalAccount': from.account,
      ...Object.fromEntries(Object.entries(from.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
      ...sessionContextFromTrust(from),
      ...(actingAs !== null && from.abac ? { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: actingAs } : {}),
    }),
  };
  const res = evaluate(
    {
      principalArn: from.arn,
      sessionArn: `arn:aws:sts::${from.account}:assumed-role/${from.name}/audit-session`,
      principalAccount: from.account,
      action,
      resource: to.arn,
      context,
    },
    {
      identity: from.identity,
      ...(from.boundary ? { boundary: from.boundary } : {}),
      ...(session ? { session } : {}),
      resource: to.trust,
      resourcePolicyRequired: true,
    },
  );
  return res.decision === 'Allowed' ? res.allowedBy : undefined;
}

/**
 * Every role reachable from a tenant-facing principal by one or more sts:AssumeRole calls, as
 * derived principals (breadth first, cycles cut, at most MAX_CHAIN_DEPTH hops).
 */
export function chainedPrincipals(principals: readonly Principal[], grammar: IdGrammar): ChainedPrincipal[] {
  const hit = computed.get(principals);
  if (hit && hit.base === grammar.base) return hit.chained;
  const facing = principals.filter(isTenantFacing);
  const targets = principals.filter((t) => !t.abac && !t.owner);
  const out: ChainedPrincipal[] = [];
  for (const origin of facing) {
    const acting: Array<string | null> = origin.owner ? [origin.owner] : [grammar.base, null];
    const seen = new Set<string>([origin.arn]);
    let frontier: Array<{ from: Principal; path: string[]; allowedBy?: readonly Statement[] }> = [{ from: origin, path: [origin.name] }];
    for (let depth = 0; depth < MAX_CHAIN_DEPTH && frontier.length > 0; depth++) {
      const next: typeof frontier = [];
      for (const f of frontier) {
        for (const t of targets) {
          if (seen.has(t.arn)) continue;
          // The first hop acts as the origin's tenant; later hops are derived sessions.
          const as = f.from === origin ? acting : [null];
          let by: readonly Statement[] | undefined;
          for (const a of as) if (!by) by = mayAssume(f.from, a, t, 'sts:AssumeRole');
          if (!by) continue;
          seen.add(t.arn);
          const transitive = f.from === origin && origin.abac && as.some((a) => a !== null && mayAssume(f.from, a, t, 'sts:TagSession') !== undefined);
          const derived: ChainedPrincipal = {
            ...t,
            identity: t.identity,
            ...(t.boundary ? { boundary: t.boundary } : {}),
            ...(origin.owner ? { owner: origin.owner } : {}),
            // With a transitive tag the session is an ABAC one (the matrix also evaluates it untagged).
            abac: transitive,
            sessionPolicy: undefined,
            chain: { origin, path: [...f.path, t.name], allowedBy: f.allowedBy ?? by },
          };
          out.push(derived);
          next.push({ from: derived, path: derived.chain.path as string[], allowedBy: derived.chain.allowedBy });
        }
      }
      frontier = next;
    }
  }
  computed.set(principals, { base: grammar.base, chained: out });
  return out;
}
