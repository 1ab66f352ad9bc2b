/**
 * Test support: the subset of EventBridge event-pattern matching and input transformation this
 * project uses, written from the EventBridge User Guide (eb-event-patterns,
 * eb-create-pattern-operators, eb-transform-target-input). Nothing local implements it:
 * aws-cdk-lib only renders patterns (aws-events), and the service's own TestEventPattern API
 * needs an AWS account. So this is a stand-in, and every operator it does not know THROWS: a
 * pattern this matcher cannot evaluate is never reported as matching or not matching.
 *
 * Matching rules implemented:
 * - every key of the pattern must match (AND); a nested object descends into the event;
 * - a leaf is an array of alternatives (OR); when the event value is an array, the leaf
 *   matches if any element matches one alternative;
 * - alternatives: exact string/number/boolean/null; `{ prefix }`, `{ suffix }` (each with a
 *   string or `{ "equals-ignore-case": s }`), `{ "equals-ignore-case": s }`, `{ exists: bool }`;
 * - a missing field matches only `{ exists: false }`.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function textOperand(op: string, operand: Json): { text: string; ignoreCase: boolean } {
  if (typeof operand === 'string') return { text: operand, ignoreCase: false };
  if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
    return { text: operand['equals-ignore-case'] as string, ignoreCase: true };
  }
  throw new Error(`unsupported operand for ${op}: ${JSON.stringify(operand)}`);
}

function matchesAlternative(alternative: Json, value: Json | undefined): boolean {
  if (!isObject(alternative)) {
    if (value === undefined) return false;
    return Array.isArray(value) ? value.some((v) => v === alternative) : value === alternative;
  }
  const keys = Object.keys(alternative);
  if (keys.length !== 1) throw new Error(`unsupported matcher ${JSON.stringify(alternative)}`);
  const [op] = keys;
  const operand = alternative[op];
  if (op === 'exists') {
    if (typeof operand !== 'boolean') throw new Error(`exists takes a boolean: ${JSON.stringify(operand)}`);
    return operand ? value !== undefined : value === undefined;
  }
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  const strings = values.filter((v): v is string => typeof v === 'string');
  if (op === 'prefix' || op === 'suffix') {
    const { text, ignoreCase } = textOperand(op, operand);
    const norm = (s: string) => (ignoreCase ? s.toLowerCase() : s);
    return strings.some((s) => (op === 'prefix' ? norm(s).startsWith(norm(text)) : norm(s).endsWith(norm(text))));
  }
  if (op === 'equals-ignore-case') {
    if (typeof operand !== 'string') throw new Error(`equals-ignore-case takes a string: ${JSON.stringify(operand)}`);
    return strings.some((s) => s.toLowerCase() === operand.toLowerCase());
  }
  throw new Error(`unsupported EventBridge operator ${op}`);
}

/** True when `event` matches `pattern` (EventBridge semantics, the subset above). */
export function matchesEventPattern(pattern: Json, event: Json | undefined): boolean {
  if (!isObject(pattern)) throw new Error(`a pattern level must be an object: ${JSON.stringify(pattern)}`);
  return Object.entries(pattern).every(([key, sub]) => {
    const value = isObject(event) ? event[key] : undefined;
    if (Array.isArray(sub)) return sub.some((alternative) => matchesAlternative(alternative, value));
    if (isObject(sub)) return matchesEventPattern(sub, value);
    throw new Error(`pattern leaf ${key} must be an array or an object: ${JSON.stringify(sub)}`);
  });
}

/** The value at a JSON path in dot notation (`$.detail.requestParameters.roleArn`); undefined when absent. */
export function valueAtPath(event: Json, path: string): Json | undefined {
  if (!path.startsWith('$')) throw new Error(`unsupported JSON path ${path}`);
  let cur: Json | undefined = event;
  for (const part of path.split('.').slice(1)) {
    if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new Error(`unsupported JSON path segment ${part} in ${path}`);
    cur = isObject(cur) ? cur[part] : undefined;
  }
  return cur;
}

/**
 * Applies an input transformer whose placeholders all stand OUTSIDE quotes (what
 * `RuleTargetInput.fromObject` renders): each `<name>` becomes the JSON of the value. A path
 * missing from the event becomes `null` (assumption: the EventBridge guide does not state it;
 * it only changes how an absent errorCode reads in the alert, never whether the alert fires).
 */
export function applyInputTransformer(inputPathsMap: Record<string, string>, inputTemplate: string, event: Json): Json {
  const text = inputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (m, name: string) => {
    const path = inputPathsMap[name];
    if (path === undefined) throw new Error(`template placeholder ${m} has no InputPathsMap entry`);
    const v = valueAtPath(event, path);
    return JSON.stringify(v === undefined ? null : v);
  });
  return JSON.parse(text) as Json;
}
