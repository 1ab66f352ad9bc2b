/**
 * A TenantIsolationChecks rule: the check plus the metadata the pack reports and the README
 * table is generated from (scripts/nag-rules-table.ts), so they are written once.
 */
import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleResult } from 'cdk-nag';

/** cdk-nag prefixes every rule id with the pack name: `TI-IAM1`. */
export const PACK_PREFIX = 'TI';

export interface TenantIsolationRule {
  /** Stable id within the pack, e.g. `IAM1`. Never reuse or renumber: acknowledgements name it. */
  readonly id: string;
  /** Folder under lib/nag/rules/. */
  readonly area: string;
  /** One line: what is wrong. */
  readonly info: string;
  /** Why it matters, and what to do instead. */
  readonly explanation: string;
  /** @default NagMessageLevel.ERROR (fails synth) */
  readonly level?: NagMessageLevel;
  /**
   * Compliant, non-compliant, not applicable, or a list of findings (each acknowledgeable as
   * `TI-<id>[<finding>]`). Throws when a value cannot be evaluated (cdk-nag reports the error).
   */
  readonly check: (node: CfnResource) => NagRuleResult;
}

/** `TI-IAM1` */
export function ruleId(rule: TenantIsolationRule): string {
  return `${PACK_PREFIX}-${rule.id}`;
}
