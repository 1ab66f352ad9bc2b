/**
 * The finding id cdk-nag 3 gives an IAM5 wildcard on a resource (`AwsSolutions-IAM5[Resource::<arn>]`),
 * computed from the ARN as written in code, so an acknowledgement follows the qualifier and the
 * bucket name instead of hard-coding them. cdk-nag renders `{Ref: X}` as `<X>` and policy
 * variables `${k}` as `<k>`; anything else (GetAtt, ...) is refused here, not guessed.
 */
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export function iam5ResourceFindingId(scope: IConstruct, arn: string): string {
  const resolved = Stack.of(scope).resolve(arn) as unknown;
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && 'Ref' in v) return `<${(v as { Ref: string }).Ref}>`;
    if (v && typeof v === 'object' && 'Fn::Join' in v) {
      const [sep, parts] = (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      return parts.map(render).join(sep);
    }
    throw new Error(`${scope.node.path}: cannot render ${JSON.stringify(v)} as a cdk-nag finding id`);
  };
  return `AwsSolutions-IAM5[Resource::${render(resolved).replace(/\$\{([^}]+)\}/g, '<$1>')}]`;
}
