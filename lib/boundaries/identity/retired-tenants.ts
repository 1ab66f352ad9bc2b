/**
 * Refuses sessions of offboarded tenants on TenantAccessRole.
 *
 * ABAC grants follow the session tag, so removing a tenant's resources does not stop a session
 * tagged with its id from reaching the shared pool (its S3 prefix, its tag-matched queues). An
 * explicit Deny naming the retired and purged ids closes that path whatever the broker does.
 *
 * This is the one TenantAccessRole policy that grows, and only with offboarded tenants: each id
 * costs its length + 3 characters. Ids are packed into managed policies of at most
 * RETIRED_POLICY_BUDGET characters (IAM: 6,144 per managed policy) and at most
 * MAX_RETIRED_POLICIES of them (IAM: 10 managed policies per role by default; the boundaries use
 * the others). Beyond that, synth fails with the fix. Purged ids stay on the list: a purged id
 * must never get a working session again.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TENANT_TAG_KEY } from '../../core/namespace';
import { PropProblems, TenantIdInput } from '../validation';

/** Characters of tenant ids per managed policy (6,144 less the statement around them). */
export const RETIRED_POLICY_BUDGET = 5800;
export const MAX_RETIRED_POLICIES = 3;

export interface RetiredTenantsDenyProps {
  readonly role: iam.IRole;
  /** Retired and purged tenants (TenantId rules), sorted. */
  readonly tenants: readonly TenantIdInput[];
}

/** Splits ids into groups whose JSON list stays within `budget` characters. */
export function packTenantIds(ids: readonly string[], budget = RETIRED_POLICY_BUDGET): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const id of ids) {
    const cost = id.length + 3; // "id",
    if (used + cost > budget && current.length > 0) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(id);
    used += cost;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export class RetiredTenantsDeny extends Construct {
  public readonly policies: iam.ManagedPolicy[] = [];

  constructor(scope: Construct, id: string, props: RetiredTenantsDenyProps) {
    super(scope, id);
    const problems = new PropProblems(this);
    const ids = props.tenants.map((t, i) => problems.tenantId(`tenants[${i}]`, t)?.value).filter((v): v is string => v !== undefined);
    problems.throwIfAny();
    const groups = packTenantIds(ids);
    if (groups.length > MAX_RETIRED_POLICIES) {
      problems.addMessage(
        'tenants',
        `${props.tenants.length} retired/purged tenants need ${groups.length} deny policies on ` +
          `TenantAccessRole, more than the ${MAX_RETIRED_POLICIES} reserved (IAM allows 10 managed policies per role ` +
          `by default). Raise the IAM quota "managed policies per role" (up to 20) and MAX_RETIRED_POLICIES, or refuse ` +
          `these ids in an organization SCP and drop them from this list.`,
      );
      problems.throwIfAny();
    }
    groups.forEach((ids, i) => {
      const policy = new iam.ManagedPolicy(this, `Deny${i}`, {
        description: 'Refuses sessions of retired and purged tenants (offboarding)',
        statements: [
          new iam.PolicyStatement({
            sid: 'DenyRetiredTenantSessions',
            effect: iam.Effect.DENY,
            actions: ['*'],
            resources: ['*'],
            // A missing tag is denied by DenyAllWithoutTenantTag; here the tag is present.
            conditions: { StringEquals: { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: ids } },
          }),
        ],
      });
      props.role.addManagedPolicy(policy);
      this.policies.push(policy);
    });
  }
}
