/**
 * TI-IAM1: a statement that grants actions on tenant data must be scoped to one tenant.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { onlyDelegatesOrServices, reachedActions, Statement, statementsOf } from '../../../nag/inspect/policies';
import { memoized } from '../../../nag/inspect/memo';
import { renderStack, tenantOf } from '../../../nag/inspect/template';
import { hasTenantBindingCondition, namesTenant } from '../../../nag/inspect/tenant-scope';
import { TenantIsolationRule } from '../../../nag/rule';

/**
 * Concrete actions that read, write, list or decrypt tenant data. A statement's Action patterns
 * (`s3:*`, `s3:Get*`, `es:ESHttp*`, `*`) or NotAction are matched against these.
 */
export const TENANT_DATA_ACTIONS: readonly string[] = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectAttributes',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:RestoreObject',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListMultipartUploadParts',
  's3:AbortMultipartUpload',
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:PurgeQueue',
  'sqs:ChangeMessageVisibility',
  'es:ESHttpGet',
  'es:ESHttpHead',
  'es:ESHttpPost',
  'es:ESHttpPut',
  'es:ESHttpPatch',
  'es:ESHttpDelete',
  'elasticache:Connect',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/** `<Bucket.Arn>/*`, `<Ref:Queue>`: the logical id a resource string starts from, if any. */
function referencedLogicalId(resource: string): string | undefined {
  return /^<(?:Ref:)?([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?>/.exec(resource)?.[1];
}

function unscopedResources(node: CfnResource, st: Statement, secretsOnly: boolean): string[] {
  if (st.notResources.length > 0) return st.notResources.map((r) => `NotResource:${r}`);
  let tenantIds: Set<string> | undefined;
  const tenantOwned = (id: string) => {
    tenantIds ??= memoized(
      'tenantOwnedLogicalIds',
      Stack.of(node),
      () =>
        new Set(
          renderStack(node)
            .filter((r) => tenantOf(node, r) !== undefined)
            .map((r) => r.logicalId),
        ),
    );
    return tenantIds.has(id);
  };
  return st.resources.filter((r) => {
    if (namesTenant(r)) return false;
    const id = referencedLogicalId(r);
    if (id && tenantOwned(id)) return false;
    // A named secret (no wildcard) is one secret, not "the tenant secrets"; a tenant's own
    // secret is recognized above by its tag or its `tenants/<id>/` name.
    if (secretsOnly && !/[*?]/.test(r)) return false;
    return true;
  });
}

function check(node: CfnResource): NagRuleResult {
  const statements = statementsOf(node, ['identity', 'resource']);
  if (statements.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  for (const st of statements) {
    if (st.effect !== 'Allow' || onlyDelegatesOrServices(st)) continue;
    const reached = reachedActions(st, TENANT_DATA_ACTIONS);
    if (reached.length === 0) continue;
    if (hasTenantBindingCondition(st.conditions)) continue;
    const secretsOnly = reached.every((a) => a.startsWith('secretsmanager:'));
    if (unscopedResources(node, st, secretsOnly).length > 0) findings.push(st.label);
  }
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const TenantDataGrantScope: TenantIsolationRule = {
  id: 'IAM1',
  area: 'iam',
  info: 'An IAM statement grants actions on tenant data (S3 objects or listings, SQS, OpenSearch indexes, ElastiCache Connect, Secrets Manager, KMS) without tenant scope.',
  explanation:
    'Without ${aws:PrincipalTag/TenantId} or a literal tenant namespace in the resource, a tenant-tagged resource, or a condition that binds the request to one tenant (StringEquals/StringLike, no IfExists), every session of the principal reaches every tenant. ' +
    'Finding: the statement Sid (or #index). Resource-policy statements whose principals are only the account root or AWS services are skipped: they delegate to identity policies, which this rule checks.',
  check,
};
