/**
 * Turning rendered CloudFormation values into strings a rule can read, or refusing to.
 *
 * A rule reads the resource as CloudFormation will see it (after tags, overrides and
 * `Stack.resolve`). Intrinsics whose value is known to be harmless for tenant scoping are
 * rendered as placeholders: pseudo parameters (`<AWS::AccountId>`), references to resources of
 * the same template (`<Ref:Bucket>`, `<Bucket.Arn>`). Anything else (a template Parameter, an
 * import, `Fn::If`, `Fn::Select`, ...) may hide a wildcard or a tenant id, so the rule throws
 * `UnresolvableValueError`: cdk-nag turns a throwing rule into a violation of that rule ("Rule
 * threw an error during validation") instead of a pass (cdk-nag 3 NagPack.applyRule).
 */
import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { memoized } from './memo';

export class UnresolvableValueError extends Error {
  constructor(node: CfnResource, where: string, value: unknown) {
    super(
      `${node.node.path}: cannot evaluate ${where}: ${JSON.stringify(value)} is not known at synth time; ` +
        'use a literal or a reference to a resource of this template, or acknowledge the rule with the reason',
    );
    this.name = 'UnresolvableValueError';
  }
}

/** Logical ids of the CfnResources of the node's stack (not Parameters, Conditions, ...). */
function resourceLogicalIds(node: CfnResource): Set<string> {
  const stack = Stack.of(node);
  return memoized('resourceLogicalIds', stack, () => {
    const ids = new Set<string>();
    for (const c of stack.node.findAll()) {
      if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) ids.add(stack.resolve((c as CfnElement).logicalId));
    }
    return ids;
  });
}

export interface Flattener {
  /** The value as a string; throws UnresolvableValueError when it cannot be known. */
  (value: unknown, where: string): string;
}

/** A flattener bound to one resource (and its template's resource ids, looked up once). */
export function flattener(node: CfnResource): Flattener {
  let ids: Set<string> | undefined;
  const isResource = (id: string) => (ids ??= resourceLogicalIds(node)).has(id);

  const subst = (template: string, where: string): string =>
    // Fn::Sub: `${!x}` is a literal `${x}` (IAM policy variables are written that way).
    template.replace(/\$\{(!?)([^}]*)\}/g, (_m, bang: string, name: string) => {
      if (bang) return '${' + name + '}';
      if (name.startsWith('AWS::')) return `<${name}>`;
      const [id, attr] = name.split('.');
      if (isResource(id)) return attr ? `<${id}.${attr}>` : `<Ref:${id}>`;
      throw new UnresolvableValueError(node, where, '${' + name + '}');
    });

  const visit = (value: unknown, where: string): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1) {
        const [k] = keys;
        const v = o[k];
        if (k === 'Ref' && typeof v === 'string') {
          if (v.startsWith('AWS::')) return `<${v}>`;
          if (isResource(v)) return `<Ref:${v}>`;
        }
        if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string' && isResource(v[0])) {
          return `<${v[0]}.${String(v[1])}>`;
        }
        if (k === 'Fn::Join' && Array.isArray(v) && typeof v[0] === 'string' && Array.isArray(v[1])) {
          return (v[1] as unknown[]).map((item) => visit(item, where)).join(v[0]);
        }
        if (k === 'Fn::Sub' && typeof v === 'string') return subst(v, where);
      }
    }
    throw new UnresolvableValueError(node, where, value);
  };
  return visit;
}

/** A value that may be one item or a list, as IAM and CloudFormation allow. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** True when the value is a CloudFormation intrinsic (`{ Ref }`, `{ Fn::... }`) rather than data. */
export function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

/** Throws when the value is an intrinsic where the rule needs data (an object or a list). */
export function requireData<T>(node: CfnResource, value: T, where: string): T {
  if (isIntrinsic(value)) throw new UnresolvableValueError(node, where, value);
  return value;
}
