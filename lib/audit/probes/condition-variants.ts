/**
 * Condition keys the caller can influence, evaluated both ways. A condition on such a key is
 * no boundary: the attacker makes it true by choosing the request (going through Athena sets
 * `aws:CalledVia`; calling from a VPC endpoint sets `aws:SourceVpce`; a tagging request carries
 * the `aws:RequestTag/*` and `aws:TagKeys` it wants; a direct KMS call carries the encryption
 * context it wants) or false by leaving the key out (IAM User Guide,
 * reference_policies_condition-keys: CalledVia, ViaAWSService, SourceVpce, SourceIp, RequestTag,
 * TagKeys; KMS Developer Guide, conditions-kms: kms:EncryptionContext).
 *
 * Only keys that some evaluated statement names produce variants, so the matrix grows only
 * where a variant can change a decision: for each statement with such a condition, the
 * assignment that satisfies it (an Allow) or falsifies it (a Deny), each key left absent, and
 * all of them at once.
 */
import { evaluateCondition } from '../engine/conditions';
import { Context } from '../engine/patterns';
import { Condition, Statement } from '../policy-model';
import { witness } from '../session-context';

/** Lowercased key patterns (prefix `*`) the caller controls in its own requests. */
export const INFLUENCEABLE_KEYS: readonly string[] = [
  'aws:calledvia',
  'aws:calledviafirst',
  'aws:calledvialast',
  'aws:viaawsservice',
  'aws:sourcevpce',
  'aws:sourcevpc',
  'aws:sourceip',
  'aws:vpcsourceip',
  'aws:requestedregion',
  'aws:useragent',
  'aws:referer',
  'aws:requesttag/*',
  'aws:tagkeys',
  's3:delimiter',
  's3:max-keys',
  's3:x-amz-*',
  's3:tlsversion',
  's3:signatureversion',
  's3:authtype',
  's3:locationconstraint',
  'kms:encryptioncontext:*',
  'kms:encryptioncontextkeys',
  'kms:viaservice',
  'kms:grantoperations',
  'kms:granteeprincipal',
];

/**
 * Keys that address whose data a request touches: the matrix sets them to the victim's
 * partition (the S3 prefix, DynamoDB partition keys, the object an S3 encryption context names),
 * so varying them would aim the probe at another tenant, not change how it is judged.
 */
export const ADDRESSING_KEYS: readonly string[] = ['s3:prefix', 'dynamodb:leadingkeys', 'kms:encryptioncontext:aws:s3:arn'];

const MULTI_VALUED = new Set(['aws:calledvia', 'aws:tagkeys', 'kms:encryptioncontextkeys', 'kms:grantoperations']);

export function isInfluenceable(key: string): boolean {
  const k = key.toLowerCase();
  if (ADDRESSING_KEYS.includes(k)) return false;
  return INFLUENCEABLE_KEYS.some((p) => (p.endsWith('*') ? k.startsWith(p.slice(0, -1)) : k === p));
}

/** Overrides of the probe context: key -> value ('' = absent, `\u0000` between the values of a multi-valued key). */
export type ContextVariant = Readonly<Record<string, string>>;

const TENANT_VAR = /\$\{aws:principaltag\/tenantid\}/gi;
/** Acting tenant used to test candidate values; `{actor}` is substituted per probe. */
const TRIAL_ACTOR = 'acme';

function candidates(conds: readonly Condition[]): string[] {
  const out = new Set<string>();
  for (const c of conds) {
    for (const v of c.values) {
      const actorised = v.replace(TENANT_VAR, '{actor}');
      if (/\$\{/.test(actorised)) continue;
      out.add(witness(actorised));
      if (/ipaddress/i.test(c.operator)) out.add(v.split('/')[0]);
    }
  }
  out.add('audit-other');
  out.delete('');
  return [...out];
}

function trial(key: string, value: string | undefined, base: Context): Context {
  const v = value === undefined ? undefined : value.replace(/\{actor\}/g, TRIAL_ACTOR).split('\u0000');
  return { ...base, 'aws:principaltag/tenantid': [TRIAL_ACTOR], [key]: v };
}

/** A value for `key` making every condition of `conds` true (want) or one of them false; undefined = none found. */
function solveKey(key: string, conds: readonly Condition[], want: boolean, base: Context): string | undefined {
  const multi = MULTI_VALUED.has(key);
  const options: Array<string | undefined> = [undefined, ...candidates(conds)];
  for (const o of options) {
    const ctx = trial(key, o, base);
    const held = conds.map((c) => evaluateCondition(c, ctx) === true);
    if (want ? held.every(Boolean) : held.some((h) => !h)) return o === undefined ? '' : o;
  }
  if (multi && want) {
    const all = candidates(conds).filter((x) => x !== 'audit-other');
    if (all.length > 0) return all.join('\u0000');
  }
  return undefined;
}

/**
 * The variants for the statements evaluated in one (principal, resource) cell; `base` is the
 * probe context they start from (lowercased keys). Empty when no statement names such a key.
 */
export function conditionVariants(statements: readonly Statement[], base: Context = {}): ContextVariant[] {
  const out = new Map<string, ContextVariant>();
  const add = (v: Record<string, string>) => {
    if (Object.keys(v).length === 0) return;
    const k = JSON.stringify(Object.entries(v).sort());
    if (!out.has(k)) out.set(k, v);
  };
  const combined: Record<string, string> = {};
  const keys = new Set<string>();
  for (const st of statements) {
    const byKey = new Map<string, Condition[]>();
    for (const c of st.conditions) {
      if (!isInfluenceable(c.key)) continue;
      const k = c.key.toLowerCase();
      byKey.set(k, [...(byKey.get(k) ?? []), c]);
      keys.add(k);
    }
    if (byKey.size === 0) continue;
    const v: Record<string, string> = {};
    if (st.effect === 'Allow') {
      for (const [k, conds] of byKey) {
        const x = solveKey(k, conds, true, base);
        if (x !== undefined) v[k] = x;
      }
    } else {
      // One falsified condition is enough to keep a Deny from applying.
      for (const [k, conds] of byKey) {
        const x = solveKey(k, conds, false, base);
        if (x !== undefined) {
          v[k] = x;
          break;
        }
      }
    }
    add(v);
    for (const [k, x] of Object.entries(v)) if (!(k in combined)) combined[k] = x;
  }
  for (const k of keys) add({ [k]: '' });
  add(combined);
  return [...out.values()];
}

/** Whether a variant key applies to an action: global keys to every action, service keys to their service. */
export function appliesTo(key: string, action: string): boolean {
  const svc = key.split(':')[0].toLowerCase();
  // The caller sets an encryption context only where it creates ciphertext; Decrypt must repeat
  // the context the data was encrypted under (KMS Developer Guide, encrypt_context).
  if (key.toLowerCase().startsWith('kms:encryptioncontext')) return /^kms:(encrypt|generatedatakey|reencryptto)/i.test(action);
  return svc === 'aws' || action.toLowerCase().startsWith(`${svc}:`);
}
