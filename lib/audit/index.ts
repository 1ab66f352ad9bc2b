/**
 * The audit API (`import { runAudit, renderText } from 'tenant-isolation-blueprint/audit'`):
 * load a synthesized cloud assembly (cdk.out) of any CDK app, evaluate every principal against
 * every other tenant's resources, and get the findings as data, or rendered as text, JSON, SARIF,
 * Markdown or HTML. It needs no aws-cdk-lib: it reads templates, not constructs.
 *
 *   const result = await runAudit('cdk.out');
 *   if (hasFailingFindings(result)) { console.error(renderText(result)); process.exitCode = 1; }
 *
 * The `tenant-isolation audit` command is `auditCommand` on the process's stdout/stderr.
 */
export { runAudit, hasFailingFindings } from './audit';
export type { AuditOptions, AuditResult } from './audit';
export { AssemblyError, loadAssembly, constructPathOf } from './assembly-loader';
export type { CfnResource, CfnTemplate, LoadedAssembly, LoadedStack } from './assembly-loader';
export { PolicyFormatError } from './policy-model';
export type { Condition, PrincipalSet, SourceRef, Statement } from './policy-model';
export type { Finding } from './findings';
export { RULES, ALL_RULES } from './rules';
export type { Rule, Severity } from './rules';
export type { Inventory, Principal, TenantResource, CacheUser, SearchDomain } from './inventory';
export type { Leak, MatrixResult, Probe } from './matrix';
export { DEFAULT_ACCOUNT, DEFAULT_REGION } from './intrinsics';
export type { ResolverOptions, Unresolved } from './intrinsics';
// Engines: the builtin policy evaluator (default) and the IAM policy simulator (needs AWS credentials).
export { BuiltinEngine } from './engine/engine';
export type { AuditEngine, EngineItem, EngineResult } from './engine/engine';
export { AwsSimulatorEngine } from './engine/aws-engine';
export type { AwsEngineOptions, IamSimulatorClient } from './engine/aws-engine';
// Reports.
export { renderText } from './report/text';
export { renderJson, JSON_SCHEMA_VERSION } from './report/json';
export { renderSarif } from './report/sarif';
export { renderMarkdown } from './report/markdown';
export { renderHtml } from './report/html';
export { summarize } from './report/summary';
// The tenant access surface: what every tenant-facing principal can do, symbolic and stable (for snapshots).
export { accessSurface, statementLines, SURFACE_FORMAT_VERSION } from './surface';
export type { TenantAccessSurface, SurfacePrincipal, SurfaceKind, SurfaceStatement, SurfaceFence } from './surface';
export { renderSurface, renderSurfaceText, SURFACE_LEGEND } from './report/surface';
export type { Summary } from './report/summary';
// The CLI command itself, for wrapping in another tool.
export { auditCommand, AUDIT_USAGE, EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS, FORMATS } from './cli-audit';
export type { CommandIo } from './cli-audit';
