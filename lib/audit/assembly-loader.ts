/**
 * Loads a cloud assembly (`cdk.out`): manifest.json, every stack artifact, nested stages
 * (`cdk:cloud-assembly` artifacts, recursively) and nested stacks (`AWS::CloudFormation::Stack`
 * resources whose template the CDK wrote next to the parent, named by `aws:asset:path`).
 * Reads files only: works on any CDK app's output.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A problem with the input (exit code 2 at the CLI). */
export class AssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyError';
  }
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Default?: unknown; Type?: string }>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
}

export interface LoadedStack {
  /** Artifact id (or `<parent>/<logicalId>` for a nested stack). */
  readonly id: string;
  readonly stackName: string;
  /** Template path relative to the root assembly folder (for reports and SARIF). */
  readonly templateFile: string;
  readonly templateText: string;
  readonly template: CfnTemplate;
  /** Stack-level tags from the manifest (the CDK copies stack tags there). */
  readonly tags: Readonly<Record<string, string>>;
  readonly account?: string;
  readonly region?: string;
  readonly parent?: { readonly stack: LoadedStack; readonly logicalId: string };
  /** Construct paths by logical id from the artifact metadata (when the template has none). */
  readonly metadataPaths: ReadonlyMap<string, string>;
}

export interface LoadedAssembly {
  readonly root: string;
  readonly stacks: readonly LoadedStack[];
}

function readJson(file: string, what: string): { text: string; value: unknown } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AssemblyError(`${what} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`);
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch (e) {
    throw new AssemblyError(`${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkTemplate(value: unknown, file: string): CfnTemplate {
  if (!isObject(value)) throw new AssemblyError(`template ${file}: top level must be an object`);
  const res = value.Resources ?? {};
  if (!isObject(res)) throw new AssemblyError(`template ${file}: "Resources" must be an object`);
  for (const [id, r] of Object.entries(res)) {
    if (!isObject(r) || typeof r.Type !== 'string') {
      throw new AssemblyError(`template ${file}: resource ${id} must be an object with a string "Type"`);
    }
    if (r.Properties !== undefined && !isObject(r.Properties)) {
      throw new AssemblyError(`template ${file}: resource ${id} "Properties" must be an object`);
    }
  }
  return { ...(value as object), Resources: res } as CfnTemplate;
}

function envOf(env: unknown): { account?: string; region?: string } {
  const m = typeof env === 'string' ? /^aws:\/\/([^/]+)\/(.+)$/.exec(env) : null;
  if (!m) return {};
  return {
    ...(/^\d{12}$/.test(m[1]) ? { account: m[1] } : {}),
    ...(m[2] !== 'unknown-region' ? { region: m[2] } : {}),
  };
}

/** Loads every stack of the assembly in `dir`. Throws AssemblyError on bad input. */
export function loadAssembly(dir: string): LoadedAssembly {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new AssemblyError(`cloud assembly folder ${dir} not found (run "npx cdk synth" first, or pass the folder)`);
  }
  const stacks: LoadedStack[] = [];
  loadManifestDir(root, root, stacks, new Set());
  return { root, stacks };
}

function loadManifestDir(root: string, dir: string, out: LoadedStack[], seen: Set<string>): void {
  if (seen.has(dir)) return;
  seen.add(dir);
  const { value: manifest } = readJson(path.join(dir, 'manifest.json'), 'manifest');
  if (!isObject(manifest) || (manifest.artifacts !== undefined && !isObject(manifest.artifacts))) {
    throw new AssemblyError(`manifest ${path.join(dir, 'manifest.json')}: "artifacts" must be an object`);
  }
  const artifacts = (manifest.artifacts ?? {}) as Record<string, unknown>;
  for (const [id, art] of Object.entries(artifacts)) {
    if (!isObject(art)) throw new AssemblyError(`manifest ${dir}: artifact ${id} must be an object`);
    const props = isObject(art.properties) ? art.properties : {};
    if (art.type === 'aws:cloudformation:stack') {
      if (typeof props.templateFile !== 'string') {
        throw new AssemblyError(`manifest ${dir}: stack artifact ${id} has no properties.templateFile`);
      }
      const abs = path.join(dir, props.templateFile);
      const { text, value } = readJson(abs, 'template');
      const tags = isObject(props.tags) ? (props.tags as Record<string, string>) : {};
      const metadataPaths = new Map<string, string>();
      let metadata: unknown = art.metadata;
      if (typeof art.additionalMetadataFile === 'string' && fs.existsSync(path.join(dir, art.additionalMetadataFile))) {
        metadata = { ...(isObject(metadata) ? metadata : {}), ...(readJson(path.join(dir, art.additionalMetadataFile), 'metadata').value as object) };
      }
      if (isObject(metadata)) {
        for (const [cpath, entries] of Object.entries(metadata)) {
          for (const e of Array.isArray(entries) ? entries : []) {
            if (isObject(e) && e.type === 'aws:cdk:logicalId' && typeof e.data === 'string') metadataPaths.set(e.data, cpath.replace(/^\//, ''));
          }
        }
      }
      const stack: LoadedStack = {
        id,
        stackName: typeof props.stackName === 'string' ? props.stackName : id,
        templateFile: path.relative(root, abs),
        templateText: text,
        template: checkTemplate(value, abs),
        tags,
        ...envOf(art.environment),
        metadataPaths,
      };
      out.push(stack);
      loadNestedStacks(root, dir, stack, out);
    } else if (art.type === 'cdk:cloud-assembly') {
      if (typeof props.directoryName !== 'string') {
        throw new AssemblyError(`manifest ${dir}: nested assembly ${id} has no properties.directoryName`);
      }
      loadManifestDir(root, path.join(dir, props.directoryName), out, seen);
    }
  }
}

function loadNestedStacks(root: string, dir: string, parent: LoadedStack, out: LoadedStack[]): void {
  for (const [logicalId, r] of Object.entries(parent.template.Resources)) {
    if (r.Type !== 'AWS::CloudFormation::Stack') continue;
    const assetPath = r.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') continue; // not a CDK nested stack: nothing on disk to read
    const abs = path.join(dir, assetPath);
    const { text, value } = readJson(abs, 'nested stack template');
    const stack: LoadedStack = {
      id: `${parent.id}/${logicalId}`,
      stackName: `${parent.stackName}-${logicalId}`,
      templateFile: path.relative(root, abs),
      templateText: text,
      template: checkTemplate(value, abs),
      tags: parent.tags,
      ...(parent.account ? { account: parent.account } : {}),
      ...(parent.region ? { region: parent.region } : {}),
      parent: { stack: parent, logicalId },
      metadataPaths: new Map(),
    };
    out.push(stack);
    loadNestedStacks(root, dir, stack, out);
  }
}

/** The `aws:cdk:path` of a resource, when the CDK wrote one. */
export function constructPathOf(stack: LoadedStack, logicalId: string): string | undefined {
  const p = stack.template.Resources[logicalId]?.Metadata?.['aws:cdk:path'];
  return typeof p === 'string' ? p : stack.metadataPaths.get(logicalId);
}
