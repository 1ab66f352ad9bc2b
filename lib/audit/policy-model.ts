/**
 * The audit's policy model: IAM policy documents normalised once, after intrinsic resolution,
 * so the evaluator never sees CloudFormation syntax. Every statement remembers where it came from
 * (stack, logical id, construct path) so a finding can point at it.
 */

/** Where a policy statement or resource was declared. */
export interface SourceRef {
  readonly stack: string;
  readonly templateFile: string;
  readonly logicalId: string;
  /** From the `aws:cdk:path` metadata; undefined for templates not written by the CDK. */
  readonly constructPath?: string;
}

export interface PrincipalSet {
  /** `"*"` or `{"AWS": "*"}`. */
  readonly any: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
}

export interface Condition {
  /** Operator as written, e.g. `ForAllValues:StringLikeIfExists`. */
  readonly operator: string;
  /** Context key as written (matched case-insensitively). */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly principals?: PrincipalSet;
  readonly notPrincipals?: PrincipalSet;
  readonly conditions: readonly Condition[];
  readonly source?: SourceRef;
}

/** Thrown for a policy document the audit cannot read (exit code 2 at the CLI). */
export class PolicyFormatError extends Error {}

function list(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    throw new PolicyFormatError(`${what}: expected strings, got ${JSON.stringify(x)}`);
  });
}

function principalSet(v: unknown, what: string): PrincipalSet {
  if (v === '*') return { any: true, aws: [], service: [], federated: [] };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new PolicyFormatError(`${what}: Principal must be "*" or an object, got ${JSON.stringify(v)}`);
  }
  const o = v as Record<string, unknown>;
  const aws = list(o.AWS, `${what}.AWS`);
  return {
    any: aws.includes('*'),
    aws: aws.filter((a) => a !== '*'),
    service: list(o.Service, `${what}.Service`),
    federated: list(o.Federated, `${what}.Federated`),
  };
}

/**
 * The operator given to a condition block the audit could not read (a token it could not
 * resolve where an object belongs). The engine treats it as any unknown operator: true in an
 * Allow, false in a Deny — the open direction — and the inventory reports `TI-UNRESOLVED`.
 */
export const UNREADABLE_OPERATOR = 'TI:Unreadable';

/** Called for a part of a policy the audit cannot read; the part is then read in the open direction. */
export type OnUnreadable = (what: string, value: unknown) => void;

const UNRESOLVED_MARK = '{{unresolved:';

/** A value left by an intrinsic the resolver could not read (a string where an object belongs, or a placeholder). */
function isTokenLeftover(v: unknown): boolean {
  return typeof v === 'string' || JSON.stringify(v ?? null).includes(UNRESOLVED_MARK);
}

/**
 * Normalises a resolved policy document (no intrinsics left) into statements. With
 * `onUnreadable`, a part left unreadable by an unresolved token is reported there and read in
 * the open direction instead of failing the whole audit; a document that is malformed in
 * itself (Effect "Maybe", no Statement) still throws PolicyFormatError.
 */
export function parsePolicyDocument(doc: unknown, source: SourceRef | undefined, what: string, onUnreadable?: OnUnreadable): Statement[] {
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      if (onUnreadable && (doc as string).includes(UNRESOLVED_MARK)) {
        onUnreadable(`${what}: policy document`, doc);
        return [];
      }
      throw new PolicyFormatError(`${what}: policy document is a string but not JSON`);
    }
  }
  if (typeof doc !== 'object' || doc === null) throw new PolicyFormatError(`${what}: policy document must be an object`);
  const raw = (doc as Record<string, unknown>).Statement;
  if (raw === undefined) throw new PolicyFormatError(`${what}: policy document has no Statement`);
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((s, i) => {
    const w = `${what}.Statement[${i}]`;
    if (typeof s !== 'object' || s === null) throw new PolicyFormatError(`${w}: must be an object`);
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') {
      throw new PolicyFormatError(`${w}: Effect must be Allow or Deny, got ${JSON.stringify(st.Effect)}`);
    }
    const conditions: Condition[] = [];
    const unreadable = (part: string, value: unknown): boolean => {
      if (!onUnreadable || !isTokenLeftover(value)) return false;
      onUnreadable(`${w}.${part}`, value);
      conditions.push({ operator: UNREADABLE_OPERATOR, key: part, values: [] });
      return true;
    };
    if (st.Condition !== undefined) {
      if (typeof st.Condition !== 'object' || st.Condition === null) {
        if (!unreadable('Condition', st.Condition)) throw new PolicyFormatError(`${w}: Condition must be an object`);
      } else {
        for (const [operator, block] of Object.entries(st.Condition as Record<string, unknown>)) {
          if (typeof block !== 'object' || block === null || Array.isArray(block)) {
            if (!unreadable(`Condition.${operator}`, block)) throw new PolicyFormatError(`${w}: Condition.${operator} must be an object`);
            continue;
          }
          for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
            try {
              conditions.push({ operator, key, values: list(values, `${w}.Condition.${operator}.${key}`) });
            } catch (e) {
              if (!unreadable(`Condition.${operator}.${key}`, values)) throw e;
            }
          }
        }
      }
    }
    return {
      ...(typeof st.Sid === 'string' ? { sid: st.Sid } : {}),
      effect: st.Effect,
      ...(st.Action !== undefined ? { actions: list(st.Action, `${w}.Action`) } : {}),
      ...(st.NotAction !== undefined ? { notActions: list(st.NotAction, `${w}.NotAction`) } : {}),
      ...(st.Resource !== undefined ? { resources: list(st.Resource, `${w}.Resource`) } : {}),
      ...(st.NotResource !== undefined ? { notResources: list(st.NotResource, `${w}.NotResource`) } : {}),
      ...(st.Principal !== undefined ? { principals: principalSet(st.Principal, `${w}.Principal`) } : {}),
      ...(st.NotPrincipal !== undefined ? { notPrincipals: principalSet(st.NotPrincipal, `${w}.NotPrincipal`) } : {}),
      conditions,
      ...(source ? { source } : {}),
    } as Statement;
  });
}
