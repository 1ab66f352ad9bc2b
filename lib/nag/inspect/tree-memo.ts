/**
 * `node.findAll()` memoized while a nag pack walks the tree.
 *
 * Why it matters: several AwsSolutions rules look for related resources by walking the whole
 * stack once per resource they check: SQS3/SQS4 (`Stack.of(queue).node.findAll()` for every
 * queue, to find its policy or its dead-letter source), SMG4 (every secret, for its rotation
 * schedule), S10, ... On a stack with hundreds of resources that is quadratic; the walks alone
 * were about 0.8 s of a 1,000-tenant synth (docs/lifecycle.md, "Where synth time goes").
 *
 * Why the result is the same: `findAll(order)` is a function of the tree's structure only (each
 * node's children, in insertion order). In `constructs` that structure changes only through
 * `Node.addChild` (every new construct) and `Node.tryRemoveChild`; while the memo is on, both
 * drop every memoized list before they change anything, so a list is never served across a
 * change. Each call returns a fresh copy, so a caller that sorts or splices its list cannot
 * change what the next caller gets. Outside `withFindAllMemo` nothing is memoized.
 */
import { ConstructOrder, IConstruct, Node } from 'constructs';

let active = false;

/** Runs `fn` with `findAll` memoized (nested calls share the outer memo). */
export function withFindAllMemo<T>(fn: () => T): T {
  if (active) return fn();
  const proto = Node.prototype;
  // addChild is private in the typings; it is the one place constructs adds a child.
  const mutable = proto as unknown as { addChild: (this: Node, child: unknown, childName: string) => void };
  const findAll = proto.findAll;
  const addChild = mutable.addChild;
  const tryRemoveChild = proto.tryRemoveChild;
  let memo = new WeakMap<Node, Map<ConstructOrder, IConstruct[]>>();
  proto.findAll = function memoizedFindAll(this: Node, order: ConstructOrder = ConstructOrder.PREORDER): IConstruct[] {
    let byOrder = memo.get(this);
    if (!byOrder) memo.set(this, (byOrder = new Map()));
    let found = byOrder.get(order);
    if (!found) byOrder.set(order, (found = findAll.call(this, order)));
    return found.slice();
  };
  mutable.addChild = function forgetThenAddChild(this: Node, child: unknown, childName: string): void {
    memo = new WeakMap();
    addChild.call(this, child, childName);
  };
  proto.tryRemoveChild = function forgetThenRemoveChild(this: Node, childName: string): boolean {
    memo = new WeakMap();
    return tryRemoveChild.call(this, childName);
  };
  active = true;
  try {
    return fn();
  } finally {
    proto.findAll = findAll;
    mutable.addChild = addChild;
    proto.tryRemoveChild = tryRemoveChild;
    active = false;
  }
}
