/**
 * Condition operators (IAM User Guide, reference_policies_elements_condition_operators and
 * reference_policies_condition-single-vs-multi-valued-context-keys).
 *
 * Absent keys (AWS-FACTS.md): `...IfExists` is true, `ForAllValues:` is true, `ForAnyValue:` is
 * false, a negated operator (`StringNotEquals`, `StringNotLike`, `ArnNotLike`, ...) is true and a
 * positive one false. A policy value whose variable is missing matches nothing, so a negated
 * operator over it is true.
 */
import { Condition } from '../policy-model';
import { arnMatch, Context, exactMatch, globMatch } from './patterns';

/** The outcome of one condition; `unsupported` when the operator is unknown to the evaluator. */
export type ConditionOutcome = boolean | 'unsupported';

type Matcher = (requestValue: string, policyValue: string, ctx: Context) => boolean | undefined;

const num = (s: string) => (/^-?\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : NaN);
const date = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s) * 1000 : Date.parse(s));

function compare(parse: (s: string) => number, test: (a: number, b: number) => boolean): Matcher {
  return (rv, pv) => {
    const a = parse(rv);
    const b = parse(pv);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
}

function ipv4(s: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s.trim());
  if (!m) return undefined;
  return m.slice(1).reduce((acc, x) => acc * 256 + Number(x), 0);
}

const ipMatch: Matcher = (rv, pv) => {
  const [net, bitsText] = pv.split('/');
  const a = ipv4(rv);
  const n = ipv4(net);
  if (a === undefined || n === undefined) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(n / size);
};

/** Positive base operators; the negated ones are their complements. */
const POSITIVE: Record<string, Matcher> = {
  stringequals: (rv, pv, ctx) => exactMatch(rv, pv, ctx),
  stringequalsignorecase: (rv, pv, ctx) => exactMatch(rv, pv, ctx, true),
  stringlike: (rv, pv, ctx) => globMatch(rv, pv, ctx),
  arnequals: (rv, pv, ctx) => arnMatch(rv, pv, ctx),
  arnlike: (rv, pv, ctx) => arnMatch(rv, pv, ctx),
  numericequals: compare(num, (a, b) => a === b),
  numericlessthan: compare(num, (a, b) => a < b),
  numericlessthanequals: compare(num, (a, b) => a <= b),
  numericgreaterthan: compare(num, (a, b) => a > b),
  numericgreaterthanequals: compare(num, (a, b) => a >= b),
  dateequals: compare(date, (a, b) => a === b),
  datelessthan: compare(date, (a, b) => a < b),
  datelessthanequals: compare(date, (a, b) => a <= b),
  dategreaterthan: compare(date, (a, b) => a > b),
  dategreaterthanequals: compare(date, (a, b) => a >= b),
  bool: (rv, pv, ctx) => exactMatch(rv.toLowerCase(), pv.toLowerCase(), ctx),
  binaryequals: (rv, pv, ctx) => exactMatch(rv, pv, ctx),
  ipaddress: ipMatch,
};

const NEGATED: Record<string, string> = {
  stringnotequals: 'stringequals',
  stringnotequalsignorecase: 'stringequalsignorecase',
  stringnotlike: 'stringlike',
  arnnotequals: 'arnequals',
  arnnotlike: 'arnlike',
  numericnotequals: 'numericequals',
  datenotequals: 'dateequals',
  notipaddress: 'ipaddress',
};

interface ParsedOperator {
  readonly set?: 'all' | 'any';
  readonly ifExists: boolean;
  readonly base: string;
  readonly negated: boolean;
}

const opCache = new Map<string, ParsedOperator | undefined>();

function parseOperator(op: string): ParsedOperator | undefined {
  if (opCache.has(op)) return opCache.get(op);
  let rest = op.toLowerCase();
  let set: 'all' | 'any' | undefined;
  if (rest.startsWith('forallvalues:')) {
    set = 'all';
    rest = rest.slice('forallvalues:'.length);
  } else if (rest.startsWith('foranyvalue:')) {
    set = 'any';
    rest = rest.slice('foranyvalue:'.length);
  }
  const ifExists = rest.endsWith('ifexists');
  if (ifExists) rest = rest.slice(0, -'ifexists'.length);
  let parsed: ParsedOperator | undefined;
  if (rest === 'null') parsed = { set, ifExists, base: 'null', negated: false };
  else if (POSITIVE[rest]) parsed = { set, ifExists, base: rest, negated: false };
  else if (NEGATED[rest]) parsed = { set, ifExists, base: NEGATED[rest], negated: true };
  opCache.set(op, parsed);
  return parsed;
}

/** True when the evaluator knows the operator. */
export function isSupportedOperator(op: string): boolean {
  return parseOperator(op) !== undefined;
}

/** Evaluates one condition against the request context. */
export function evaluateCondition(c: Condition, ctx: Context): ConditionOutcome {
  const op = parseOperator(c.operator);
  if (!op) return 'unsupported';
  const requestValues = ctx[c.key.toLowerCase()];
  const present = requestValues !== undefined && requestValues.length > 0;
  if (op.base === 'null') {
    const wantAbsent = (c.values[0] ?? '').toLowerCase() === 'true';
    return wantAbsent ? !present : present;
  }
  if (!present) {
    if (op.ifExists || op.set === 'all') return true;
    if (op.set === 'any') return false;
    return op.negated;
  }
  const matcher = POSITIVE[op.base];
  // One request value against the policy values: positive = any policy value matches;
  // negated = no policy value matches (a value with a missing variable matches nothing).
  const single = (rv: string): boolean => {
    const hit = c.values.some((pv) => matcher(rv, pv, ctx) === true);
    return op.negated ? !hit : hit;
  };
  const values = requestValues!;
  if (op.set === 'all') return values.every(single);
  if (op.set === 'any') return values.some(single);
  return op.negated ? values.every(single) : values.some(single);
}
