/**
 * Break-glass approvals that EXPIRE, enforced by IAM.
 *
 * IAM compares `aws:CurrentTime` with literal dates only (`DateLessThan`; policy variables are
 * allowed in string and ARN comparisons, not in date comparisons: IAM User Guide,
 * reference_policies_variables and reference_policies_elements_condition_operators), so an expiry
 * cannot live in a tag. It lives in a policy document written at approval time, with the expiry
 * as a literal, and the place that document is written bounds what an approver can do with it:
 *
 * - BreakGlassRole's PERMISSIONS BOUNDARY is a customer-managed policy (`<role>-Approval`) created
 *   by the stack with one statement, `Deny *`: no approval, no read.
 * - To approve, a second person writes a new default version of that policy
 *   (`iam:CreatePolicyVersion --set-as-default`; the approver policy allows it on that one policy
 *   only) made by `breakGlassApprovalDocument`: Allow the break-glass reads while
 *   `aws:CurrentTime` < expiry and only for sessions tagged with the approved ticket.
 * - A boundary only ever NARROWS: effective permissions are the intersection of the role's own
 *   policies (reads only, Deny everything else) and the boundary (IAM User Guide,
 *   access_policies_boundaries). Whatever an approver writes there, it cannot grant more than the
 *   role's reads; it can only choose how long and for which ticket.
 * - After the expiry IAM refuses every read of every session, including sessions assumed before
 *   (the boundary is evaluated on each request). The approval tag on the requester (the trust's
 *   two-person rule, break-glass.ts) still decides who may assume the role at all.
 *
 * CDK-free (plain JSON), so approver tooling and tests use it without aws-cdk-lib.
 */
import { SUPPORT_KMS_ACTIONS, SUPPORT_LIST_ACTIONS, SUPPORT_OBJECT_READ_ACTIONS } from '../../core/storage-actions';
import { SUPPORT_TICKET_PATTERN, SUPPORT_TICKET_TAG_KEY } from '../../core/support-ticket';

/** Every action a break-glass session can ever be allowed (the role Denies everything else). */
export const BREAK_GLASS_READ_ACTIONS: readonly string[] = [...SUPPORT_OBJECT_READ_ACTIONS, ...SUPPORT_LIST_ACTIONS, ...SUPPORT_KMS_ACTIONS];

/** The boundary's name: `<role name>-Approval` (fixed, so approver tooling can find it). */
export function breakGlassApprovalPolicyName(roleName: string): string {
  return `${roleName}-Approval`;
}

/** Longest approval the tooling writes unless told otherwise. */
export const DEFAULT_MAX_APPROVAL_SECONDS = 4 * 3600;
/** Longest approval the tooling ever writes. */
export const MAX_APPROVAL_SECONDS = 12 * 3600;

/** The boundary's document while nothing is approved (the stack deploys this). */
export const NO_APPROVAL_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'NoBreakGlassApproval', Effect: 'Deny', Action: '*', Resource: '*' }],
} as const;

export interface BreakGlassApproval {
  /** The approved ticket (`SUP-<digits>`): only sessions tagged with it may read. */
  readonly ticket: string;
  /** When the approval ends (IAM compares `aws:CurrentTime` with it). */
  readonly expiresAt: Date;
  /** @default new Date() */
  readonly now?: Date;
  /** @default DEFAULT_MAX_APPROVAL_SECONDS (4 hours); at most MAX_APPROVAL_SECONDS */
  readonly maxDurationSeconds?: number;
}

/** The boundary document that approves `ticket` until `expiresAt`. Refuses bad or overlong approvals. */
export function breakGlassApprovalDocument(approval: BreakGlassApproval): { Version: string; Statement: unknown[] } {
  const now = approval.now ?? new Date();
  const max = approval.maxDurationSeconds ?? DEFAULT_MAX_APPROVAL_SECONDS;
  const problems: string[] = [];
  if (!SUPPORT_TICKET_PATTERN.test(approval.ticket)) problems.push(`ticket ${JSON.stringify(approval.ticket)} is not SUP-<1-12 digits>`);
  if (!(max > 0 && max <= MAX_APPROVAL_SECONDS)) problems.push(`maxDurationSeconds ${max} must be 1..${MAX_APPROVAL_SECONDS}`);
  const expires = approval.expiresAt.getTime();
  if (!Number.isFinite(expires)) problems.push('expiresAt is not a date');
  else if (expires <= now.getTime()) problems.push(`expiresAt ${approval.expiresAt.toISOString()} is not in the future`);
  else if (expires - now.getTime() > max * 1000) problems.push(`expiresAt ${approval.expiresAt.toISOString()} is more than ${max} s away`);
  if (problems.length > 0) throw new Error(`break-glass approval refused: ${problems.join('; ')}`);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'BreakGlassApprovedReads',
        Effect: 'Allow',
        Action: [...BREAK_GLASS_READ_ACTIONS],
        Resource: '*',
        Condition: {
          DateLessThan: { 'aws:CurrentTime': approval.expiresAt.toISOString() },
          StringEquals: { [`aws:PrincipalTag/${SUPPORT_TICKET_TAG_KEY}`]: approval.ticket },
        },
      },
    ],
  };
}
