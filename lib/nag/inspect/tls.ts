/**
 * Whether a bucket or queue policy of the same template denies requests without TLS
 * (`Deny`, `Bool aws:SecureTransport = false`: the pattern of S3 User Guide
 * security-best-practices and SQS Developer Guide sqs-security-best-practices).
 */
import { CfnResource } from 'aws-cdk-lib';
import { statementsOf } from './policies';
import { asList } from './values';
import { refersTo, render, stackResources } from './template';

export function deniesInsecureTransport(node: CfnResource, policyType: string, targetProperty: string, logicalId: string): boolean {
  for (const candidate of stackResources(node)) {
    if (candidate.cfnResourceType !== policyType) continue;
    const targets = asList(render(candidate).properties[targetProperty] as unknown);
    if (!targets.some((t) => refersTo(t, logicalId))) continue;
    for (const st of statementsOf(candidate, ['resource'])) {
      if (st.effect !== 'Deny') continue;
      const values = st.conditions.Bool?.['aws:SecureTransport'] ?? [];
      const allActions = st.actions.some((a) => a === '*' || /^(s3|sqs):\*$/.test(a));
      if (values.includes('false') && allActions) return true;
    }
  }
  return false;
}
