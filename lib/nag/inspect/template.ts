/**
 * The resource as CloudFormation will receive it: type, properties (with tags and raw
 * overrides applied), DeletionPolicy. Rules read this rather than L1 properties so that an
 * `addPropertyOverride` cannot hide a violation (cdk-nag's own rules read L1 properties and miss
 * overrides, cdk-nag README "Rules and Property Overrides").
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { TENANT_TAG_KEY } from '../../core/namespace';
import * as fs from 'fs';
import * as path from 'path';
import { memoized, synthesizedTemplateDirs } from './memo';

export interface RenderedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  /** As written in the template; may be an intrinsic with the AWS::LanguageExtensions transform. */
  readonly deletionPolicy?: unknown;
  readonly updateReplacePolicy?: unknown;
}

export function render(node: CfnResource): RenderedResource {
  return memoized('render', node, () => renderFromAssembly(node) ?? renderNow(node));
}

/**
 * During a validation-plugin walk, the resource as this synth wrote it to its template: the
 * synthesizer writes `Stack.resolve` of every element's `_toCloudFormation()` (aws-cdk-lib
 * core/lib/stack.js `_toCloudFormation`), which is what `renderNow` computes for one resource,
 * so reading it back saves resolving the whole tree a second time.
 * test/nag/render-from-assembly.test.ts checks both views are equal for every resource of the
 * blueprint. `undefined` (use renderNow) outside a plugin walk or when the template is not found.
 */
function renderFromAssembly(node: CfnResource): RenderedResource | undefined {
  const dirs = synthesizedTemplateDirs();
  if (dirs.length === 0) return undefined;
  const stack = Stack.of(node);
  const template = memoized('synthesizedTemplate', stack, () => {
    for (const dir of dirs) {
      const file = path.join(dir, stack.templateFile);
      if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources?: Record<string, Record<string, unknown>> };
    }
    return undefined;
  });
  const logicalId = stack.resolve(node.logicalId) as string;
  const body = template?.Resources?.[logicalId];
  if (!body) return undefined;
  return {
    logicalId,
    type: String(body.Type),
    properties: (body.Properties as Record<string, unknown>) ?? {},
    deletionPolicy: body.DeletionPolicy,
    updateReplacePolicy: body.UpdateReplacePolicy,
  };
}

/** The resource rendered from the tree (`Stack.resolve`), as the synthesizer renders it. */
export function renderNow(node: CfnResource): RenderedResource {
  const stack = Stack.of(node);
  // _toCloudFormation is @internal in aws-cdk-lib but is what the synthesizer writes; it is the
  // only view that includes raw overrides.
  const fragment = stack.resolve((node as unknown as { _toCloudFormation(): object })._toCloudFormation()) as {
    Resources: Record<string, Record<string, unknown>>;
  };
  const [logicalId, body] = Object.entries(fragment.Resources)[0];
  return {
    logicalId,
    type: String(body.Type),
    properties: (body.Properties as Record<string, unknown>) ?? {},
    deletionPolicy: body.DeletionPolicy,
    updateReplacePolicy: body.UpdateReplacePolicy,
  };
}

/** Every resource of the node's template, rendered. */
export function renderStack(node: CfnResource): RenderedResource[] {
  return stackResources(node).map(render);
}

/** Tags in either CloudFormation shape: `[{Key, Value}]` (most types) or `{key: value}` (SSM, ...). */
export function tagsOf(resource: RenderedResource): Map<string, unknown> {
  const tags = resource.properties.Tags;
  const out = new Map<string, unknown>();
  if (Array.isArray(tags)) {
    for (const t of tags) if (t && typeof t === 'object' && 'Key' in t) out.set(String((t as { Key: unknown }).Key), (t as { Value: unknown }).Value);
  } else if (tags && typeof tags === 'object') {
    for (const [k, v] of Object.entries(tags)) out.set(k, v);
  }
  return out;
}

/**
 * The tenant a resource belongs to: its own `TenantId` tag, else its stack's tenant. `undefined`
 * for shared resources. The value may be a token.
 */
export function tenantOf(node: CfnResource, resource: RenderedResource): unknown {
  return tagsOf(resource).get(TENANT_TAG_KEY) ?? stackTenant(node);
}

/** True when the value is `{Ref: logicalId}` or `{Fn::GetAtt: [logicalId, ...]}` of this resource. */
export function refersTo(value: unknown, logicalId: string): boolean {
  if (!value || typeof value !== 'object') return false;
  const o = value as Record<string, unknown>;
  if (o.Ref === logicalId) return true;
  const getAtt = o['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[0] === logicalId;
}

/** The CfnResources of the node's stack. */
export function stackResources(node: CfnResource): CfnResource[] {
  const stack = Stack.of(node);
  return memoized('stackResources', stack, () => stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack));
}

/**
 * The stack's tenant: the stack's own `TenantId` tag, else the `TenantId` value that EVERY tagged
 * resource of the stack carries (TenantStack tags every taggable resource). `undefined` for shared
 * stacks: one tenant-tagged resource (a silo tenant's key in the platform) does not make the
 * platform that tenant's stack.
 */
export function stackTenant(node: CfnResource): unknown {
  return memoized('stackTenant', Stack.of(node), () => stackTenantNow(node));
}

function stackTenantNow(node: CfnResource): unknown {
  const own = Stack.of(node).tags.tagValues()[TENANT_TAG_KEY];
  if (own !== undefined) return own;
  const tagged = renderStack(node).filter((r) => tagsOf(r).size > 0);
  const values = new Set(tagged.map((r) => JSON.stringify(tagsOf(r).get(TENANT_TAG_KEY) ?? null)));
  if (values.size !== 1) return undefined;
  const value = JSON.parse([...values][0]);
  return value === null ? undefined : value;
}
