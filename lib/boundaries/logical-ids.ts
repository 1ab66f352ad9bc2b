/**
 * Logical ids allocated once per CloudFormation element.
 *
 * aws-cdk-lib computes an element's logical id lazily and without caching: every `Ref` and
 * `Fn::GetAtt` to it, in every resolve pass (references, templates, the nag packs' rendering),
 * calls the stack's `allocateLogicalId` again, which hashes the element's construct path (MD5).
 * In the blueprint a resource is referenced by its policies, grants and parameters, so at 1,000
 * tenants that hashing is about a second of synth.
 *
 * Why memoizing is exact: `Stack.allocateLogicalId(element)` (aws-cdk-lib core/lib/stack.js,
 * `makeUniqueId` of the element's scopes below the stack) is a pure function of the element's
 * construct path, and a construct's path never changes. What may change later, a
 * `renameLogicalId` or an `overrideLogicalId`, is applied after allocation by aws-cdk-lib
 * (`getLogicalId` = `applyRename(allocateLogicalId(element))`; an override bypasses both), so it
 * still takes effect. Stacks use it by overriding `allocateLogicalId`, the hook aws-cdk-lib
 * documents for customizing logical ids.
 */
import { CfnElement } from 'aws-cdk-lib';

const allocated = new WeakMap<CfnElement, string>();

/** `allocate()` for this element the first time; the same id afterwards. */
export function allocateLogicalIdOnce(element: CfnElement, allocate: () => string): string {
  let id = allocated.get(element);
  if (id === undefined) {
    id = allocate();
    allocated.set(element, id);
  }
  return id;
}
