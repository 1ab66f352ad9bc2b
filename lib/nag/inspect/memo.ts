/**
 * A memo for the inspect helpers, alive only while a pack walks a finished construct tree.
 *
 * Why it is safe: a validation plugin runs after synthesis (aws-cdk-lib
 * core/lib/private/synthesis.js calls validateTemplates once the templates are written), and no
 * rule mutates the tree, so `render(node)`, a stack's resource list and a stack's tenant are the
 * same every time they are asked for during one walk. Outside a walk (a rule called directly by
 * a test, a tree that is still being built) nothing is memoized: every call computes afresh.
 *
 * Why it matters: TI-IAM1 asks, for each statement, which resources of the stack are
 * tenant-owned, and the stack's tenant is read from every resource of the stack; without a memo
 * each of those re-renders the whole stack through `Stack.resolve` (quadratic in the stack's
 * size: the platform stack at 1,000 tenants has 310 resources).
 */

type Memo = Map<string, WeakMap<object, unknown>>;

let active: Memo | undefined;
let assemblyDirs: readonly string[] = [];

/**
 * Runs `fn` with memoization on; nested calls share the outer memo.
 *
 * `templateDirs`: folders holding the templates this very synth just wrote (the validation
 * context's template paths), which `render` may read instead of re-resolving the tree. Given
 * only by the validation-plugin entry point, never by `validateScope`, which may be called on a
 * tree changed since its last synthesis.
 */
export function withInspectionMemo<T>(fn: () => T, templateDirs: readonly string[] = []): T {
  if (active) return fn();
  active = new Map();
  assemblyDirs = templateDirs;
  try {
    return fn();
  } finally {
    active = undefined;
    assemblyDirs = [];
  }
}

/**
 * Forgets everything memoized so far (the walk stays memoized). The pack calls this when its
 * depth-first walk enters another top-level stack: the rules read only the node's own stack, so
 * what was memoized for the previous one is not asked for again (and if it were, it would be
 * computed afresh: a memo never changes a result), and memory stays bounded by one stack and its
 * nested stacks instead of the whole app.
 */
export function forgetInspectionMemo(): void {
  if (active) active = new Map();
}

/** The folders of the templates written by the synth being validated (empty outside a plugin walk). */
export function synthesizedTemplateDirs(): readonly string[] {
  return active ? assemblyDirs : [];
}

/**
 * `compute()` memoized under (`kind`, `key`) while a walk is active; computed afresh otherwise.
 * A computation that throws is not memoized (the next call throws the same way).
 */
export function memoized<T>(kind: string, key: object, compute: () => T): T {
  if (!active) return compute();
  let byKey = active.get(kind);
  if (!byKey) active.set(kind, (byKey = new WeakMap()));
  if (byKey.has(key)) return byKey.get(key) as T;
  const value = compute();
  byKey.set(key, value);
  return value;
}
