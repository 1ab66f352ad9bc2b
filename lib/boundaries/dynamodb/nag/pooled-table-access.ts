/**
 * TI-DDB1: item access on a pooled DynamoDB table must be confined by `dynamodb:LeadingKeys`, in
 * the form that does not fail open, and nothing that reads across partitions may be allowed.
 *
 * A pooled table is an `AWS::DynamoDB::Table` / `AWS::DynamoDB::GlobalTable` of the same stack
 * tagged `tenant-isolation:partition=tenant-leading-key` (lib/core/dynamodb-keys.ts). An Allow
 * reaches it when a resource is `*`, references it (`Ref`/`GetAtt`), or is a DynamoDB ARN whose
 * table part matches its name (with wildcards). Findings, per statement:
 * - `<sid>::Allows::<action>`: Scan, PartiQL, streams, export or vector search (POOLED_TABLE_UNCONFINED_ACTIONS);
 * - `<sid>::NoLeadingKeys`: item actions with no `dynamodb:LeadingKeys` condition;
 * - `<sid>::NoSetOperator`, `<sid>::ForAnyValue`, `<sid>::IfExists`: the key under an operator that
 *   lets a foreign or missing key through (a batch with one own key passes ForAnyValue; IfExists
 *   and ForAllValues are true when the key is absent);
 * - `<sid>::NoNullGuard`: `ForAllValues` without `Null: {dynamodb:LeadingKeys: false}` in the same
 *   statement — true for the empty set (IAM User Guide, reference_policies_condition_examples-multi-valued-context-keys);
 * - `<sid>::Pattern::<value>`: a value that is not one tenant's key pattern
 *   (`${aws:PrincipalTag/TenantId}`, `${aws:PrincipalTag/TenantId}#*`, a literal id or `<id>#*`).
 * Not seen here: grants in another stack naming the table (the audit sees those), and the table's
 * own resource policy.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { POOLED_TABLE_UNCONFINED_ACTIONS, TENANT_ITEM_ACTIONS } from '../../../core/dynamodb-actions';
import { DYNAMODB_KEY_DELIMITER, LEADING_KEYS_CONDITION_KEY, POOLED_TABLE_TAG_KEY, POOLED_TABLE_TAG_VALUE } from '../../../core/dynamodb-keys';
import { PRINCIPAL_TENANT } from '../../../core/namespace';
import { Conditions, reachedActions, Statement, statementsOf, wildcardMatches } from '../../../nag/inspect/policies';
import { RenderedResource, renderStack, tagsOf } from '../../../nag/inspect/template';
import { isLiteralTenantId } from '../../../nag/inspect/tenant-scope';
import { TenantIsolationRule } from '../../../nag/rule';

interface PooledTable {
  readonly logicalId: string;
  /** Literal table name, when the template gives one. */
  readonly name?: string;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

/** The pooled tag on a table, or on any replica of a global table (whose tags live per replica). */
function isPooled(r: RenderedResource): boolean {
  if (!TABLE_TYPES.has(r.type)) return false;
  if (tagsOf(r).get(POOLED_TABLE_TAG_KEY) === POOLED_TABLE_TAG_VALUE) return true;
  const replicas = Array.isArray(r.properties.Replicas) ? (r.properties.Replicas as Array<{ Tags?: unknown }>) : [];
  return replicas.some((rep) => tagsOf({ ...r, properties: { Tags: rep?.Tags } }).get(POOLED_TABLE_TAG_KEY) === POOLED_TABLE_TAG_VALUE);
}

function pooledTables(node: CfnResource): PooledTable[] {
  return renderStack(node)
    .filter(isPooled)
    .map((r) => ({ logicalId: r.logicalId, name: typeof r.properties.TableName === 'string' ? r.properties.TableName : undefined }));
}

/** True when the (flattened) resource string can name the table, its indexes or streams. */
function reachesTable(resource: string, table: PooledTable): boolean {
  if (resource === '*') return true;
  if (resource.includes(`<${table.logicalId}.`) || resource.includes(`<Ref:${table.logicalId}>`)) return true;
  if (table.name === undefined) return false;
  const at = resource.indexOf(':table/');
  if (at < 0) {
    // `arn:aws:dynamodb:*:*:*` and similar: a wildcard where the resource type would be.
    return /:dynamodb:/.test(resource) && /\*$/.test(resource) && !resource.includes(':global-table/');
  }
  const tablePart = resource.slice(at + ':table/'.length).split('/')[0];
  return wildcardMatches(tablePart, table.name);
}

/** `${aws:PrincipalTag/TenantId}`, `${...}#*`, `acme`, `acme#*`: patterns that cover exactly one tenant. */
function isTenantKeyPattern(value: string): boolean {
  const suffix = `${DYNAMODB_KEY_DELIMITER}*`;
  const head = value.endsWith(suffix) ? value.slice(0, -suffix.length) : value;
  return head === PRINCIPAL_TENANT || isLiteralTenantId(head);
}

function leadingKeyOf(keys: Record<string, string[]>): string[] | undefined {
  const k = Object.keys(keys).find((key) => key.toLowerCase() === LEADING_KEYS_CONDITION_KEY.toLowerCase());
  return k === undefined ? undefined : keys[k];
}

/** What is wrong with the statement's LeadingKeys confinement (empty when it is sound). */
export function leadingKeysProblems(conditions: Conditions): string[] {
  const problems: string[] = [];
  let confined = false;
  let forAll = false;
  for (const [op, keys] of Object.entries(conditions)) {
    const values = leadingKeyOf(keys);
    if (values === undefined || op === 'Null') continue;
    confined = true;
    if (/IfExists$/.test(op)) problems.push('IfExists');
    if (/^ForAnyValue:/.test(op)) problems.push('ForAnyValue');
    else if (!/^ForAllValues:/.test(op)) problems.push('NoSetOperator');
    else if (!/^ForAllValues:(StringEquals|StringLike)(IfExists)?$/.test(op)) problems.push(`Operator::${op}`);
    else forAll = true;
    for (const v of values) if (!isTenantKeyPattern(v)) problems.push(`Pattern::${v}`);
  }
  if (!confined) return ['NoLeadingKeys'];
  if (forAll) {
    const guard = conditions.Null ? leadingKeyOf(conditions.Null) : undefined;
    if (!guard || !guard.every((v) => v === 'false')) problems.push('NoNullGuard');
  }
  return [...new Set(problems)];
}

function statementFindings(st: Statement): string[] {
  const findings: string[] = [];
  for (const action of reachedActions(st, POOLED_TABLE_UNCONFINED_ACTIONS)) findings.push(`${st.label}::Allows::${action}`);
  if (reachedActions(st, TENANT_ITEM_ACTIONS).length > 0) {
    for (const p of leadingKeysProblems(st.conditions)) findings.push(`${st.label}::${p}`);
  }
  return findings;
}

function check(node: CfnResource): NagRuleResult {
  const statements = statementsOf(node, ['identity']);
  if (statements.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const tables = pooledTables(node);
  if (tables.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  for (const st of statements) {
    if (st.effect !== 'Allow') continue;
    const reaches = st.notResources.length > 0 || st.resources.some((r) => tables.some((t) => reachesTable(r, t)));
    if (!reaches) continue;
    for (const f of statementFindings(st)) findings.add(f);
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const PooledTableAccess: TenantIsolationRule = {
  id: 'DDB1',
  area: 'dynamodb',
  info: 'An IAM statement reaches a pooled DynamoDB table (tagged tenant-isolation:partition) without a sound dynamodb:LeadingKeys confinement, or allows Scan, PartiQL, streams or exports on it.',
  explanation:
    'dynamodb:LeadingKeys holds the partition keys of the request and is multivalued: ForAllValues is true when it is absent (Scan, a PartiQL statement without a key), so pair it with Null {dynamodb:LeadingKeys: false}; ForAnyValue lets a batch with one own key read foreign ones; IfExists passes requests without keys. ' +
    'Use ForAllValues:StringLike with ${aws:PrincipalTag/TenantId} and ${aws:PrincipalTag/TenantId}#* (# cannot occur in a TenantId) plus the Null guard, and never allow Scan, PartiQL, GetRecords or exports on a pooled table. ' +
    'Findings: <statement>::Allows::<action>, NoLeadingKeys, NoSetOperator, ForAnyValue, IfExists, NoNullGuard, Pattern::<value>.',
  check,
};
