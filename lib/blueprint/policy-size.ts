/**
 * Measures what IAM counts against its quotas: the policies attached to a role, as JSON without
 * white space (IAM quotas: managed policy 6,144 characters; inline policies 10,240 in total per
 * role; trust policy 2,048 by default). Used by tests and the synth benchmark.
 */
export interface RolePolicySizes {
  /** Trust policy characters. */
  readonly trust: number;
  /** Inline policies (AWS::IAM::Policy attached to the role, and the role's own Policies), total. */
  readonly inline: number;
  /** Each attached managed policy, by logical id. */
  readonly managed: Record<string, number>;
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

const size = (doc: unknown) => JSON.stringify(doc).length;

export function rolePolicySizes(template: Template, roleLogicalId: string): RolePolicySizes {
  const role = template.Resources[roleLogicalId];
  const ref = JSON.stringify({ Ref: roleLogicalId });
  let inline = ((role.Properties?.Policies as Array<{ PolicyDocument: unknown }>) ?? []).reduce((n, p) => n + size(p.PolicyDocument), 0);
  const managed: Record<string, number> = {};
  const attached = JSON.stringify(role.Properties?.ManagedPolicyArns ?? []);
  for (const [id, res] of Object.entries(template.Resources)) {
    const roles = JSON.stringify(res.Properties?.Roles ?? []);
    if (res.Type === 'AWS::IAM::Policy' && roles.includes(ref)) inline += size(res.Properties?.PolicyDocument);
    if (res.Type === 'AWS::IAM::ManagedPolicy' && (roles.includes(ref) || attached.includes(JSON.stringify({ Ref: id })))) {
      managed[id] = size(res.Properties?.PolicyDocument);
    }
  }
  return { trust: size(role.Properties?.AssumeRolePolicyDocument), inline, managed };
}
