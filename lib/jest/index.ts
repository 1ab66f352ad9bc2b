/**
 * `tenant-isolation-blueprint/jest`: the audit as jest assertions next to a team's other CDK tests.
 *
 *   import 'tenant-isolation-blueprint/jest';             // registers the matcher on jest's expect
 *   import { tenantAccessSurface } from 'tenant-isolation-blueprint/jest';
 *
 *   test('no tenant reaches another', async () => {
 *     await expect(app).toHaveNoCrossTenantAccess();       // an App, a Stage or a cdk.out folder
 *   });
 *   test('access surface', async () => {
 *     expect(await tenantAccessSurface(app)).toMatchSnapshot();
 *   });
 *
 * The matcher synthesizes an App or Stage in process, runs the audit in process (the same
 * pipeline, config and tenant model as `tenant-isolation audit`) and fails with the findings
 * formatted for a test log. Input it cannot audit (an app that does not synthesize, cdk-nag
 * errors included; a folder that is not a cloud assembly; a bad config; no tenant model) throws,
 * so the assertion fails with or without `.not`: never a pass.
 *
 * Nothing here loads jest or aws-cdk-lib: the matcher is registered on the `expect` jest puts in
 * the test's globals, and an App or Stage is recognised by its `synth()` method.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssemblyError } from '../audit/assembly-loader';
import { AuditResult, runAudit } from '../audit/audit';
import { AuditConfig, CONFIG_FILE_NAME, ConfigError, EMPTY_CONFIG, loadConfig } from '../audit/config';
import { Finding } from '../audit/findings';
import { PolicyFormatError } from '../audit/policy-model';
import { summaryLines, tenantsLabel } from '../audit/report/summary';
import { renderSurface } from '../audit/report/surface';
import { NoTenantModelError } from '../audit/tenant-model';

/** Options of the matcher and of `tenantAccessSurface`. */
export interface TenantIsolationOptions {
  /**
   * The audit's config file (the CLI's `--config`).
   * @default `tenant-isolation.json` next to the assembly folder when present (never one lying in the
   * system temp folder itself); for an App or Stage synthesized into a temporary folder,
   * `tenant-isolation.json` in the current directory when present
   */
  readonly config?: string;
  /** Account id for env-agnostic stacks (the CLI's `--account`). @default '111111111111' */
  readonly account?: string;
  /** Region for env-agnostic stacks (the CLI's `--region`). @default 'us-east-1' */
  readonly region?: string;
}

/** What the matcher accepts: a CDK `App` or `Stage` (anything with `synth()`), a `CloudAssembly`, or a cloud assembly folder. */
export type AuditTarget = string | { synth(options?: unknown): { readonly directory: string } } | { readonly directory: string };

/** Input the audit cannot judge: the assertion fails with this message, with or without `.not`. */
export class TenantIsolationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantIsolationInputError';
  }
}

/** The `aws:cdk:error` messages recorded in an assembly's manifests (cdk-nag Aspects, Annotations.addError). */
function synthErrors(dir: string, seen = new Set<string>()): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  type Metadata = Record<string, Array<{ type?: string; data?: unknown }>>;
  let manifest: { artifacts?: Record<string, { type?: string; metadata?: Metadata; additionalMetadataFile?: string; properties?: { directoryName?: string } }> };
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return []; // the audit's loader reports a missing or broken manifest with its own words
  }
  const out: string[] = [];
  for (const art of Object.values(manifest.artifacts ?? {})) {
    let metadata: Metadata = art.metadata ?? {};
    // aws-cdk-lib 2.2xx writes a stack's metadata to <stack>.metadata.json beside the manifest.
    if (art.additionalMetadataFile) {
      try {
        metadata = { ...metadata, ...(JSON.parse(fs.readFileSync(path.join(dir, art.additionalMetadataFile), 'utf8')) as Metadata) };
      } catch {
        // unreadable: the loader reads the same file for construct paths and reports it
      }
    }
    for (const [where, entries] of Object.entries(metadata)) {
      for (const e of entries ?? []) if (e.type === 'aws:cdk:error') out.push(`${where}: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}`);
    }
    if (art.type === 'cdk:cloud-assembly' && art.properties?.directoryName) out.push(...synthErrors(path.join(dir, art.properties.directoryName), seen));
  }
  return out;
}

function describeValue(target: unknown): string {
  if (typeof target === 'string') return JSON.stringify(target);
  if (target === null || target === undefined) return String(target);
  return typeof target === 'object' ? (target.constructor?.name ?? 'object') : typeof target;
}

/** The assembly folder of a target, synthesizing an App or Stage; throws TenantIsolationInputError. */
function assemblyOf(target: unknown): { dir: string; synthesized: boolean } {
  if (typeof target === 'string') {
    if (!fs.existsSync(path.join(target, 'manifest.json'))) {
      throw new TenantIsolationInputError(`${JSON.stringify(target)} is not a cloud assembly folder (no manifest.json): pass a cdk.out folder, an App or a Stage`);
    }
    return { dir: target, synthesized: false };
  }
  if (typeof target === 'object' && target !== null && typeof (target as { synth?: unknown }).synth === 'function') {
    let dir: string;
    try {
      dir = (target as { synth(): { directory: string } }).synth().directory;
    } catch (e) {
      throw new TenantIsolationInputError(`the app does not synthesize, so nothing can be audited: ${(e as Error).message}`);
    }
    return { dir, synthesized: true };
  }
  if (typeof target === 'object' && target !== null && typeof (target as { directory?: unknown }).directory === 'string') {
    return assemblyOf((target as { directory: string }).directory);
  }
  throw new TenantIsolationInputError(`expected a CDK App, a Stage, a CloudAssembly or a cloud assembly folder path, got ${describeValue(target)}`);
}

/** The same folder, through symbolic links (the system temp folder often is one: /tmp on macOS). */
function realFolder(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function configFor(dir: string, synthesized: boolean, options: TenantIsolationOptions): AuditConfig {
  if (options.config) return loadConfig(dir, options.config);
  // Next to the assembly folder, unless that is the system temp folder itself (where aws-cdk-lib
  // and tests put their assemblies): a tenant-isolation.json there belongs to nobody in particular.
  const parent = realFolder(path.dirname(path.resolve(dir)));
  const nextTo = path.join(parent, CONFIG_FILE_NAME);
  if (parent !== realFolder(os.tmpdir()) && fs.existsSync(nextTo)) return loadConfig(dir);
  const inCwd = path.resolve(CONFIG_FILE_NAME);
  return synthesized && fs.existsSync(inCwd) ? loadConfig(dir, inCwd) : EMPTY_CONFIG;
}

/**
 * Synthesizes (App, Stage) or reads (folder) the assembly and runs the audit in process, as
 * `tenant-isolation audit` does. Throws TenantIsolationInputError for input it cannot audit.
 */
export async function auditTarget(target: AuditTarget, options: TenantIsolationOptions = {}): Promise<AuditResult> {
  const { dir, synthesized } = assemblyOf(target);
  const errors = synthErrors(dir);
  if (errors.length > 0) {
    throw new TenantIsolationInputError(`the app's synthesis reported ${errors.length} error(s), so it does not synthesize:\n${errors.map((e) => `  ${e}`).join('\n')}`);
  }
  try {
    const config = configFor(dir, synthesized, options);
    return await runAudit(dir, { config, ...(options.account ? { account: options.account } : {}), ...(options.region ? { region: options.region } : {}) });
  } catch (e) {
    if (e instanceof AssemblyError || e instanceof ConfigError || e instanceof PolicyFormatError || e instanceof NoTenantModelError) {
      throw new TenantIsolationInputError(`the audit cannot judge ${synthesized ? 'the app' : JSON.stringify(dir)}: ${e.message}`);
    }
    throw e;
  }
}

/** The tenant access surface of an App, Stage or cdk.out folder as text, for `toMatchSnapshot()`. */
export async function tenantAccessSurface(target: AuditTarget, options: TenantIsolationOptions = {}): Promise<string> {
  return renderSurface(await auditTarget(target, options));
}

/** One finding for a test log: rule, severity, principal and tenants on one line, then where and why. */
export function formatFinding(f: Finding): string {
  const head = [
    f.severity.toUpperCase(),
    f.rule,
    f.action,
    f.principal ? `principal ${f.principal}` : undefined,
    f.tenants ? `tenants ${tenantsLabel(f.tenants)}` : undefined,
  ]
    .filter(Boolean)
    .join('  ');
  const where = `${f.constructPath ?? f.logicalId} (${f.templateFile}${f.logicalId ? `#${f.logicalId}` : ''}${f.statementSid ? `, statement ${f.statementSid}` : ''})`;
  return [head, `    at ${where}`, `    ${f.why}${f.occurrences > 1 ? ` (${f.occurrences} requests)` : ''}`].join('\n');
}

/** The findings that fail the matcher (as the CLI's exit code 1): errors and warnings. */
const failing = (r: AuditResult) => r.findings.filter((f) => f.severity !== 'note');

/** The matcher: passes when the audit finds no error or warning; `.not` passes when it finds some. */
async function toHaveNoCrossTenantAccess(received: AuditTarget, options: TenantIsolationOptions = {}) {
  const r = await auditTarget(received, options);
  const found = failing(r);
  const summary = summaryLines(r).map((l) => `  ${l}`);
  if (found.length === 0) {
    return {
      pass: true,
      message: () => ['expected the audit to find cross-tenant access, but it found none:', ...summary].join('\n'),
    };
  }
  return {
    pass: false,
    message: () =>
      [
        `expected no cross-tenant access, but the audit found ${found.length} finding(s):`,
        ...found.map((f) => `  ${formatFinding(f).replace(/\n/g, '\n  ')}`),
        '',
        ...summary,
      ].join('\n'),
  };
}

/** The matchers, for `expect.extend(tenantIsolationMatchers)` where the global `expect` is not jest's. */
export const tenantIsolationMatchers = { toHaveNoCrossTenantAccess };

/** The matcher's type, for `declare module 'expect' { interface Matchers<R> extends TenantIsolationMatchers<R> {} }` (@jest/globals). */
export interface TenantIsolationMatchers<R> {
  /** Audits an App, Stage or cdk.out folder in process; must be awaited. */
  toHaveNoCrossTenantAccess(options?: TenantIsolationOptions): Promise<R>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // The type parameters of @types/jest's declaration, which this one merges with.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends TenantIsolationMatchers<R> {}
  }
}

// Registered on import when jest's expect is a global (jest's default, injectGlobals).
const globalExpect = (globalThis as { expect?: { extend?: (m: Record<string, unknown>) => void } }).expect;
if (typeof globalExpect?.extend === 'function') globalExpect.extend(tenantIsolationMatchers);
