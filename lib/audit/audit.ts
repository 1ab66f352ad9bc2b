/**
 * The audit pipeline: load -> resolve -> inventory -> evaluate -> findings. A pure core that
 * returns data; cli-audit.ts prints it and sets the exit code.
 */
import { LoadedAssembly, loadAssembly } from './assembly-loader';
import { AuditConfig, EMPTY_CONFIG } from './config';
import { AuditEngine, BuiltinEngine } from './engine/engine';
import {
  cacheFindings,
  coverageFindings,
  Finding,
  grammarFindings,
  inventoryFindings,
  matrixFindings,
  modelFindings,
  reachFindings,
  rlsFindings,
  searchFindings,
} from './findings';
import { BLUEPRINT_GRAMMAR, grammarOf, IdGrammar, UUID_GRAMMAR } from './id-grammar';
import { Resolver, ResolverOptions } from './intrinsics';
import { buildInventory, Inventory } from './inventory';
import { MatrixProgress, MatrixResult, runMatrix } from './matrix';
import { EveryTenantReach, everyTenantReach } from './reach';
import { buildTenantModel, TenantModel } from './tenant-model';

export interface AuditOptions extends ResolverOptions {
  /** @default the builtin engine */
  readonly engine?: AuditEngine;
  /** The declared part of the tenant model (config.ts). @default none: everything is inferred */
  readonly config?: AuditConfig;
  /** Stage messages (loaded, inventory, ...). */
  readonly onProgress?: (message: string) => void;
  /** Called after each principal's row of the matrix: principals done, total, requests so far. */
  readonly onMatrixProgress?: MatrixProgress;
  /** Internal: evaluate every pair one by one instead of once per shape (the result is the same; see matrix.ts). */
  readonly exhaustive?: boolean;
}

export interface AuditResult {
  readonly assemblyDir: string;
  readonly engine: string;
  readonly stacks: number;
  readonly model: TenantModel;
  readonly inventory: Inventory;
  readonly matrix: MatrixResult;
  readonly reach: readonly EveryTenantReach[];
  readonly findings: Finding[];
  readonly durationMs: number;
  /** Template text by assembly-relative file name (for line numbers in SARIF). */
  readonly templates: ReadonlyMap<string, string>;
}

const SEVERITY_ORDER = { error: 0, warning: 1, note: 2 } as const;

/** The id grammar: declared, else UUIDs when the TenantId tags hold UUIDs and no blueprint id, else the blueprint's. */
function chooseGrammar(assembly: LoadedAssembly, config: AuditConfig): { grammar: IdGrammar; evidence: string } {
  if (config.tenantIdPattern) {
    const grammar = grammarOf(config);
    const derived = grammar.analysis ? `; ${grammar.analysis.evidence}` : '';
    return { grammar, evidence: `tenantIdPattern "${config.tenantIdPattern}" (config ${config.file ?? ''})${derived}` };
  }
  const values = new Set<string>();
  for (const st of assembly.stacks) {
    if (typeof st.tags.TenantId === 'string') values.add(st.tags.TenantId);
    for (const r of Object.values(st.template.Resources)) {
      const tags = r.Properties?.Tags;
      if (Array.isArray(tags)) for (const t of tags) if (t?.Key === 'TenantId' && typeof t.Value === 'string') values.add(t.Value);
    }
  }
  const uuids = [...values].filter((v) => UUID_GRAMMAR.isValid(v));
  if (uuids.length > 0 && ![...values].some((v) => BLUEPRINT_GRAMMAR.isValid(v))) {
    return { grammar: UUID_GRAMMAR, evidence: `uuid (inferred: TenantId tags hold UUIDs, e.g. ${uuids[0]})` };
  }
  return { grammar: BLUEPRINT_GRAMMAR, evidence: 'blueprint (default: lib/core/tenant-id.ts; set tenantIdPattern to change it)' };
}

export async function runAudit(dir: string, options: AuditOptions = {}): Promise<AuditResult> {
  const started = Date.now();
  const assembly = loadAssembly(dir);
  const config = options.config ?? EMPTY_CONFIG;
  options.onProgress?.(`loaded ${assembly.stacks.length} stacks from ${assembly.root}${config.file ? `; config ${config.file}` : ''}`);
  const { grammar, evidence } = chooseGrammar(assembly, config);
  const resolver = new Resolver(assembly, options);
  const inventory = buildInventory(assembly, resolver, config, grammar);
  const model = buildTenantModel(inventory, config, grammar, evidence);
  options.onProgress?.(
    `inventory: ${inventory.principals.length} roles, ${inventory.stores.length} data stores (${inventory.resources.length} probed), ${inventory.cacheUsers.length} cache users, ${inventory.searchDomains.length} search domains`,
  );
  const engine = options.engine ?? new BuiltinEngine();
  const matrix = await runMatrix(inventory, engine, options.onMatrixProgress, grammar, { exhaustive: options.exhaustive === true });
  const reach = everyTenantReach(inventory, grammar);
  const findings = [
    ...matrixFindings(matrix, inventory, grammar),
    ...coverageFindings(matrix, model),
    ...modelFindings(model),
    ...rlsFindings(model),
    ...grammarFindings(grammar),
    ...reachFindings(reach),
    ...inventoryFindings(inventory, resolver.unresolved),
    ...cacheFindings(inventory, grammar, config),
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
    model,
    inventory,
    matrix,
    reach,
    findings,
    durationMs: Date.now() - started,
    templates: new Map(assembly.stacks.map((s) => [s.templateFile, s.templateText])),
  };
}

/** True when the result should fail CI: any error or warning. Notes do not fail. */
export function hasFailingFindings(r: AuditResult): boolean {
  return r.findings.some((f) => f.severity !== 'note');
}
