/**
 * Acknowledging one cdk-nag finding on the construct it is about, with the reason.
 *
 * cdk-nag 3 matches acknowledgements by exact id (`AwsSolutions-IAM5[Resource::...]`); there is
 * no prefix match, so each finding is named exactly. These helpers build the ids cdk-nag reports.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A CloudFormation value as cdk-nag flattens it in finding ids (cdk-nag
 * lib/utils/flatten-cfn-reference: `${x}` -> `<x>`, Ref -> `<Id>`, GetAtt -> `<Id.Attr>`).
 */
export function nagFlatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = value as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(nagFlatten).join(delimiter);
  }
  if (o['Fn::Sub']) return nagFlatten(o['Fn::Sub']);
  if (o['Fn::GetAtt']) {
    const [id, attr] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${nagFlatten(id)}.${nagFlatten(attr)}>`;
  }
  if (o['Fn::ImportValue']) return nagFlatten(o['Fn::ImportValue']);
  if (o.Ref) return `<${nagFlatten(o.Ref)}>`;
  return JSON.stringify(value);
}

/** `AwsSolutions-IAM5[Resource::<flattened ARN>]` for a resource ARN (tokens allowed) in `scope`'s stack. */
export function iam5ResourceFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${nagFlatten(Stack.of(scope).resolve(arn))}]`;
}

/** Acknowledges exactly one finding on `construct`, with a reason a reviewer can check. */
export function acknowledgeFinding(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/** One finding to acknowledge: its exact id and the reason. */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Acknowledges several findings on `construct`, each with its own reason. */
export function acknowledgeFindings(construct: IConstruct, findings: readonly Acknowledgement[]): void {
  Validations.of(construct).acknowledge(...findings.map((f) => ({ id: f.id, reason: f.reason })));
}
