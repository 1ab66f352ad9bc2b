/**
 * Probe generation for one (principal, resource) cell of the matrix: the kind's hand-written
 * probes (resource-kinds.ts: the shapes that need a namespace, LeadingKeys, an encryption
 * context) plus the dataset's actions (actions.ts), the object-key shapes the statements can
 * tell apart (object-keys.ts) and the variants of the condition keys the caller controls
 * (condition-variants.ts). Everything is derived from the statements evaluated in the cell, so
 * a variant is generated only where it can change a decision.
 */
import { TenantResource } from '../inventory';
import { Statement } from '../policy-model';
import { ProbeTemplate } from '../resource-kinds';
import { actionMatch } from '../engine/patterns';
import { actionClasses, supportsKey } from './actions';
import { conditionVariants, ContextVariant } from './condition-variants';
import { DEFAULT_KEY, objectKeyShapes, prefixShapes } from './object-keys';

export * from './actions';
export * from './condition-variants';
export * from './object-keys';
export * from './role-chains';
export * from './database-master';

export interface ProbeSet {
  readonly owned: readonly ProbeTemplate[];
  readonly pooled: readonly ProbeTemplate[];
  readonly crossTenant: readonly ProbeTemplate[];
  /** KMS keys: data actions that carry an encryption context, probed per store the key encrypts. */
  readonly keyData: readonly ProbeTemplate[];
  readonly variants: readonly ContextVariant[];
  /** How many dataset actions the representatives stand for (reported, not evaluated). */
  readonly datasetActions: number;
}

const S3_SECURE = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };
/** Attacker-chosen values for keys an action supports (the dataset says which). */
const ATTACKER_VALUES: Readonly<Record<string, string>> = {
  's3:x-amz-server-side-encryption': 'aws:kms',
  's3:x-amz-server-side-encryption-aws-kms-key-id': '{keyArn}',
};
const PARTITION_KEYS = ['dynamodb:LeadingKeys', 's3:prefix'];
const OBJECT_KEY = `{ns}${DEFAULT_KEY}`;

function actionPatterns(statements: readonly Statement[]): string[] {
  const out: string[] = [];
  for (const st of statements) out.push(...(st.actions ?? []), ...(st.notActions ?? []));
  return out;
}

function contextFor(r: TenantResource, action: { conditionKeys: readonly string[]; action: string }): Record<string, string> {
  const ctx: Record<string, string> = r.type === 'AWS::S3::Bucket' ? { ...S3_SECURE } : { 'aws:SecureTransport': 'true' };
  for (const [k, v] of Object.entries(ATTACKER_VALUES)) if (action.conditionKeys.some((c) => c.toLowerCase() === k)) ctx[k] = v;
  return ctx;
}

/** The probes of one cell; `statements` = the principal's identity, boundary and session policy plus the resource policy. */
export function probeSet(r: TenantResource, statements: readonly Statement[]): ProbeSet {
  const kind = r.kind;
  const hand = new Set([...(kind.ownedProbes ?? []), ...(kind.pooledProbes ?? []), ...(kind.crossTenantProbes ?? [])].map((t) => t.action));
  const owned: ProbeTemplate[] = [...(kind.ownedProbes ?? [])];
  const pooled: ProbeTemplate[] = [...(kind.pooledProbes ?? [])];
  const crossTenant: ProbeTemplate[] = [...(kind.crossTenantProbes ?? [])];
  const keyData: ProbeTemplate[] = [];
  let datasetActions = 0;
  const classes = actionClasses(r.type, actionPatterns(statements), hand, Object.keys(ATTACKER_VALUES));
  for (const c of classes) {
    datasetActions += c.size;
    const a = c.representative;
    const context = contextFor(r, a);
    if (c.scope === 'object') {
      owned.push({ action: a.action, resource: `{arn}/${OBJECT_KEY}`, context });
      pooled.push({ action: a.action, resource: `{arn}/${OBJECT_KEY}`, context });
      continue;
    }
    const resource = c.scope === 'index' ? '{arn}/index/{index}' : '{arn}';
    owned.push({ action: a.action, resource, context });
    // In a pooled store an action addressed by partition carries the victim's; any other
    // action on the store acts on every tenant's part at once.
    const partitionKey = PARTITION_KEYS.find((k) => supportsKey(a, k));
    if (partitionKey) pooled.push({ action: a.action, resource, context: { ...context, [partitionKey]: '{ns}' } });
    else if (r.type === 'AWS::KMS::Key' && a.conditionKeys.some((k) => /^kms:encryptioncontext:/i.test(k))) keyData.push({ action: a.action, resource: '{arn}' });
    // Reading a pooled store's own configuration (its location, policy, encryption settings)
    // reveals no tenant's data; every other level (write, permissions, tagging, list) acts on all.
    else if (!(a.accessLevels.length === 1 && a.accessLevels[0] === 'Read')) crossTenant.push({ action: a.action, resource, context });
  }
  // Object keys of the shapes the statements can tell apart.
  const shapes = r.type === 'AWS::S3::Bucket' ? objectKeyShapes(r.arn.split(':::')[1] ?? '', statements) : [];
  const names = (st: Statement, action: string) =>
    st.actions ? st.actions.some((p) => actionMatch(action, p)) : !(st.notActions ?? []).some((p) => actionMatch(action, p));
  const prefixes = r.type === 'AWS::S3::Bucket' ? prefixShapes(statements) : [];
  const withPrefixes = (t: ProbeTemplate): ProbeTemplate[] =>
    t.context?.['s3:prefix'] === '{ns}'
      ? [t, ...prefixes.filter((x) => x.statements.some((st) => names(st, t.action))).map((x) => ({ ...t, context: { ...t.context, 's3:prefix': `{ns}${x.suffix}` } }))]
      : [t];
  const withShapes = (ts: ProbeTemplate[]) =>
    (shapes.length === 0
      ? ts
      : ts.flatMap((t) =>
          t.resource.endsWith(OBJECT_KEY)
            ? [
                t,
                ...shapes
                  .filter((x) => x.statements.some((st) => names(st, t.action)))
                  .map((x) => ({ ...t, resource: t.resource.slice(0, -DEFAULT_KEY.length) + x.suffix })),
              ]
            : [t],
        )
    ).flatMap(withPrefixes);
  return {
    owned: withShapes(owned),
    pooled: withShapes(pooled),
    crossTenant,
    keyData,
    variants: conditionVariants(statements),
    datasetActions,
  };
}
