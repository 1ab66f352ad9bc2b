/**
 * Test support: evaluates synthesized IAM policies for one request, with
 * @cloud-copilot/iam-simulate (AGPL-3.0: a test-only oracle, never imported from lib/).
 *
 * Known gap of the oracle (AWS-FACTS.md): it ignores `kms:EncryptionContext:*` keys (reports them
 * "missing"). `evaluate` therefore renames such a key, in the policies and in the request alike,
 * to a plain string key the oracle does evaluate (`aws:RequestTag/<alias>`); single-valued
 * StringLike/StringNotLike semantics are identical, so the policy logic under test is unchanged.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { logicalIdsOfType, resolve, TemplateJson, TEST_ENV } from './template-resolver';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
export interface PolicyDocument {
  Version?: string;
  Statement: unknown[];
}

const KMS_CONTEXT_ALIAS = (key: string) => `aws:RequestTag/kmsctx-${key.slice('kms:EncryptionContext:'.length).replace(/[^A-Za-z0-9]/g, '-')}`;

export function aliasKmsContext<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/"kms:EncryptionContext:([^"]+)"/g, (_m, k: string) => `"${KMS_CONTEXT_ALIAS(`kms:EncryptionContext:${k}`)}"`));
}

export interface AttackRequest {
  /** The role whose session makes the request. */
  readonly roleArn: string;
  /** The session's `TenantId` tag; undefined for a session without the tag. */
  readonly tenant?: string;
  readonly action: string;
  readonly resource: string;
  readonly identityPolicies: readonly PolicyDocument[];
  readonly resourcePolicy?: PolicyDocument;
  /** The principal's permissions boundary, if any. */
  readonly permissionBoundaries?: readonly PolicyDocument[];
  /** Request context keys besides the principal's (e.g. `s3:prefix`). */
  readonly context?: Record<string, string | string[]>;
}

/** Runs one request through the oracle. Throws on a validation error (never counted as a denial). */
export async function evaluate(req: AttackRequest): Promise<Decision> {
  const context: Record<string, string | string[]> = {
    'aws:SecureTransport': 'true',
    'aws:PrincipalArn': req.roleArn,
    'aws:PrincipalAccount': TEST_ENV.account,
    ...(req.tenant !== undefined ? { 'aws:PrincipalTag/TenantId': req.tenant } : {}),
    ...aliasKmsContext(req.context ?? {}),
  };
  const result = await runSimulation(
    {
      identityPolicies: req.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy: aliasKmsContext(policy) as never })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: req.resourcePolicy ? (aliasKmsContext(req.resourcePolicy) as never) : undefined,
      ...(req.permissionBoundaries
        ? { permissionBoundaryPolicies: req.permissionBoundaries.map((policy, i) => ({ name: `boundary-${i}`, policy: aliasKmsContext(policy) as never })) }
        : {}),
      request: {
        action: req.action,
        principal: req.roleArn,
        resource: { resource: req.resource, accountId: TEST_ENV.account },
        contextVariables: context,
      },
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`oracle rejected the simulation of ${req.action} on ${req.resource}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

/** Identity policies attached to a role in a template: inline, AWS::IAM::Policy and managed policies. */
export function identityPoliciesOf(template: TemplateJson, roleLogicalId: string): PolicyDocument[] {
  const docs: PolicyDocument[] = [];
  const role = template.Resources[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role`);
  const refersToRole = (list: unknown) => JSON.stringify(list ?? []).includes(`{"Ref":"${roleLogicalId}"}`);
  for (const p of (role.Properties?.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []) {
    docs.push(resolve(template, p.PolicyDocument) as PolicyDocument);
  }
  const attachedManaged = JSON.stringify(role.Properties?.ManagedPolicyArns ?? []);
  for (const id of logicalIdsOfType(template, 'AWS::IAM::Policy')) {
    const props = template.Resources[id].Properties ?? {};
    if (refersToRole(props.Roles)) docs.push(resolve(template, props.PolicyDocument) as PolicyDocument);
  }
  for (const id of logicalIdsOfType(template, 'AWS::IAM::ManagedPolicy')) {
    const props = template.Resources[id].Properties ?? {};
    if (refersToRole(props.Roles) || attachedManaged.includes(`{"Ref":"${id}"}`)) {
      docs.push(resolve(template, props.PolicyDocument) as PolicyDocument);
    }
  }
  return docs;
}

/** The resolved ARN of a resource attribute (e.g. a role's `Arn`). */
export function arnOf(template: TemplateJson, logicalId: string): string {
  return resolve(template, { 'Fn::GetAtt': [logicalId, 'Arn'] }) as string;
}

/** The resolved policy document of the AWS::S3::BucketPolicy / SQS QueuePolicy that targets a resource. */
export function resourcePolicyFor(template: TemplateJson, policyType: string, targetProp: string, targetLogicalId: string): PolicyDocument {
  for (const id of logicalIdsOfType(template, policyType)) {
    const props = template.Resources[id].Properties ?? {};
    if (JSON.stringify(props[targetProp]).includes(`"${targetLogicalId}"`)) {
      return resolve(template, props.PolicyDocument) as PolicyDocument;
    }
  }
  throw new Error(`no ${policyType} targets ${targetLogicalId}`);
}

/** The resolved key policy of an AWS::KMS::Key. */
export function keyPolicyOf(template: TemplateJson, keyLogicalId: string): PolicyDocument {
  return resolve(template, template.Resources[keyLogicalId].Properties?.KeyPolicy) as PolicyDocument;
}

export interface ServiceRequest {
  /** The service principal, e.g. `cloudfront.amazonaws.com`. */
  readonly service: string;
  readonly action: string;
  readonly resource: string;
  readonly resourcePolicy: PolicyDocument;
  /** Context keys of the request (`aws:SourceArn`, `kms:EncryptionContext:aws:s3:arn`, ...). */
  readonly context?: Record<string, string | string[]>;
}

/**
 * Runs one request of an AWS service principal (no identity policies: only the resource policy
 * can allow it) through the oracle. Throws on a validation error.
 */
export async function evaluateService(req: ServiceRequest): Promise<Decision> {
  const result = await runSimulation(
    {
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: aliasKmsContext(req.resourcePolicy) as never,
      request: {
        action: req.action,
        principal: req.service,
        resource: { resource: req.resource, accountId: TEST_ENV.account },
        contextVariables: { 'aws:SecureTransport': 'true', ...aliasKmsContext(req.context ?? {}) },
      },
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`oracle rejected the simulation of ${req.action} on ${req.resource}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}
