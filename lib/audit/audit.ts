/**
 * The audit pipeline: load -> resolve -> inventory -> evaluate -> findings. A pure core that
 * returns data; cli-audit.ts prints it and sets the exit code.
 */
import { loadAssembly } from './assembly-loader';
import { AuditEngine, BuiltinEngine } from './engine/engine';
import { cacheFindings, Finding, inventoryFindings, matrixFindings, searchFindings } from './findings';
import { Resolver, ResolverOptions } from './intrinsics';
import { buildInventory, Inventory } from './inventory';
import { MatrixResult, runMatrix } from './matrix';

export interface AuditOptions extends ResolverOptions {
  /** @default the builtin engine */
  readonly engine?: AuditEngine;
  /** Called after each principal's row of the matrix. */
  readonly onProgress?: (message: string) => void;
}

export interface AuditResult {
  readonly assemblyDir: string;
  readonly engine: string;
  readonly stacks: number;
  readonly inventory: Inventory;
  readonly matrix: MatrixResult;
  readonly findings: Finding[];
  readonly durationMs: number;
  /** Template text by assembly-relative file name (for line numbers in SARIF). */
  readonly templates: ReadonlyMap<string, string>;
}

const SEVERITY_ORDER = { error: 0, warning: 1, note: 2 } as const;

export async function runAudit(dir: string, options: AuditOptions = {}): Promise<AuditResult> {
  const started = Date.now();
  const assembly = loadAssembly(dir);
  options.onProgress?.(`loaded ${assembly.stacks.length} stacks from ${assembly.root}`);
  const resolver = new Resolver(assembly, options);
  const inventory = buildInventory(assembly, resolver);
  options.onProgress?.(
    `inventory: ${inventory.principals.length} roles, ${inventory.resources.length} tenant resources, ${inventory.cacheUsers.length} cache users, ${inventory.searchDomains.length} search domains`,
  );
  const engine = options.engine ?? new BuiltinEngine();
  const matrix = await runMatrix(inventory, engine, (done, total) => options.onProgress?.(`matrix: principal ${done}/${total}`));
  const findings = [
    ...matrixFindings(matrix),
    ...inventoryFindings(inventory, resolver.unresolved),
    ...cacheFindings(inventory),
    ...searchFindings(inventory),
  ].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.rule.localeCompare(b.rule) ||
      a.templateFile.localeCompare(b.templateFile) ||
      a.logicalId.localeCompare(b.logicalId) ||
      (a.action ?? '').localeCompare(b.action ?? ''),
  );
  return {
    assemblyDir: assembly.root,
    engine: engine.name,
    stacks: assembly.stacks.length,
    inventory,
    matrix,
    findings,
    durationMs: Date.now() - started,
    templates: new Map(assembly.stacks.map((s) => [s.templateFile, s.templateText])),
  };
}

/** True when the result should fail CI: any error or warning. Notes do not fail. */
export function hasFailingFindings(r: AuditResult): boolean {
  return r.findings.some((f) => f.severity !== 'note');
}
