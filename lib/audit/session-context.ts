/** The session context a role's trust policy guarantees (shared by the matrix and the model's reach checks). */
import { TENANT_TAG_KEY } from '../core/namespace';
import { Principal } from './inventory';

/** A value that satisfies a positive pattern: `?` -> `1`, `*` -> nothing (`SUP-?*` -> `SUP-1`). */
const witness = (pattern: string) => pattern.replace(/\?/g, '1').replace(/\*/g, '');

/**
 * What the trust policy makes every session of the role carry, beyond the tenant tag: other
 * session tags it requires (`aws:RequestTag/K` -> `aws:PrincipalTag/K`), a source identity,
 * MFA. The attacker holds a session that passed the trust, so probes carry them: otherwise a
 * Deny on their absence would refuse every probe and the proof would be vacuous.
 */
export function sessionContextFromTrust(p: Principal): Record<string, string> {
  const out: Record<string, string> = {};
  for (const st of p.trust) {
    if (st.effect !== 'Allow') continue;
    for (const c of st.conditions) {
      const op = c.operator.toLowerCase();
      // A value that names another variable (`${aws:PrincipalTag/X}`) is the caller's: keep the literal witness of another condition.
      if (!/^(stringequals|stringlike|bool)$/.test(op) || c.values.length === 0 || c.values[0].includes('${')) continue;
      const key = c.key.toLowerCase();
      const tag = /^aws:requesttag\/(.+)$/i.exec(c.key);
      if (tag && tag[1].toLowerCase() !== TENANT_TAG_KEY.toLowerCase()) out[`aws:PrincipalTag/${tag[1]}`] = witness(c.values[0]);
      else if (key === 'sts:sourceidentity') out['aws:SourceIdentity'] = witness(c.values[0]);
      else if (key === 'aws:multifactorauthpresent' && c.values[0].toLowerCase() === 'true') {
        out['aws:MultiFactorAuthPresent'] = 'true';
        out['aws:MultiFactorAuthAge'] = '1';
      }
    }
  }
  return out;
}
