/**
 * TenantIsolationChecks: the cdk-nag pack that checks what AwsSolutions does not know about —
 * whether tenant data is reachable across tenants. Register it like any cdk-nag 3 pack:
 *
 *   Validations.of(app).addPlugins(new TenantIsolationChecks(app));
 *
 * Rule ids are `TI-<id>` (lib/nag/rules); acknowledge a finding with
 * `acknowledgeFinding(construct, 'TI-IAM1[MyStatementSid]', reason)` (lib/nag/acknowledge.ts,
 * a thin layer over aws-cdk-lib's `Validations.of(construct).acknowledge`).
 */
import { CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import { forgetInspectionMemo, withInspectionMemo } from './inspect/memo';
import { withFindAllMemo } from './inspect/tree-memo';
import { PACK_PREFIX, TenantIsolationRule } from './rule';
import { TENANT_ISOLATION_RULES } from './rules';

export interface TenantIsolationChecksProps extends NagPackProps {
  /**
   * The rules to apply.
   * @default TENANT_ISOLATION_RULES (all of them)
   */
  readonly rules?: readonly TenantIsolationRule[];
}

export class TenantIsolationChecks extends NagPack {
  public readonly name = 'TenantIsolationChecks';
  private readonly rules: readonly TenantIsolationRule[];
  private walkingStack?: Stack;

  constructor(scope?: IConstruct, props: TenantIsolationChecksProps = {}) {
    super(scope, props);
    this.packName = PACK_PREFIX;
    this.rules = props.rules ?? TENANT_ISOLATION_RULES;
  }

  /**
   * One walk of the tree, with the inspect helpers' memo on (lib/nag/inspect/memo.ts): each
   * resource is rendered once per walk instead of once per rule and per statement.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return withFindAllMemo(() => withInspectionMemo(() => super.validateScope(scope)));
  }

  /**
   * The validation-plugin entry point (`cdk synth`): the same walk, and the rules may read the
   * resources from the templates this synth has just written (lib/nag/inspect/template.ts).
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const dirs = [...new Set(context.stackTemplates.map((s) => path.dirname(s.templatePath)))];
    return withFindAllMemo(() => withInspectionMemo(() => super.validate(context), dirs));
  }

  protected checkResource(node: CfnResource): void {
    const top = topLevelStack(node);
    if (top !== this.walkingStack) {
      this.walkingStack = top;
      forgetInspectionMemo();
    }
    for (const rule of this.rules) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: rule.level ?? NagMessageLevel.ERROR,
        rule: rule.check,
        node,
      });
    }
  }
}

/** The stack whose template CloudFormation deploys the node (through any nested stacks). */
function topLevelStack(node: CfnResource): Stack {
  let stack = Stack.of(node);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}
