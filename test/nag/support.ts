/**
 * Test support for cdk-nag packs: run a pack (or one TenantIsolationChecks rule) on a scope the
 * way `cdk synth` does, and return its findings as sorted data.
 */
import { App, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NagPack } from 'cdk-nag';
import { TenantIsolationChecks, TenantIsolationRule } from '../../lib/nag';
import { newTestApp } from '../helpers/app';

export interface Finding {
  /** `TI-IAM1[Sid]`, `AwsSolutions-IAM5[...]`, or the bare rule id for an evaluation error. */
  readonly id: string;
  readonly path: string;
  /** True when the rule could not evaluate a value (cdk-nag's error path). */
  readonly error: boolean;
}

const byIdAndPath = (a: Finding, b: Finding) => `${a.id} ${a.path}`.localeCompare(`${b.id} ${b.path}`);

/** Runs the pack over the scope after synthesis (tags are applied by aspects at synthesis). */
export function runPack(pack: NagPack, scope: IConstruct): Finding[] {
  const app = scope.node.root as App;
  app.synth({ force: true });
  return pack
    .validateScope(scope)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => ({
        id: v.ruleName,
        path: r.constructPath ?? '',
        error: v.description.startsWith('Rule threw an error'),
      })),
    )
    .sort(byIdAndPath);
}

/** Findings of one TenantIsolationChecks rule on a stack. */
export function ruleFindings(rule: TenantIsolationRule, stack: Stack): Finding[] {
  return runPack(new TenantIsolationChecks(undefined, { rules: [rule], verbose: true }), stack);
}

/** A fresh stack on an app with cdk.json's feature flags. */
export function newStack(id = 'Test'): Stack {
  return new Stack(newTestApp(), id);
}

export interface RuleCase {
  readonly name: string;
  readonly build: (stack: Stack) => void;
  /**
   * - `[]`: compliant (or not applicable);
   * - finding ids relative to the rule (`'[Sid]'` -> `TI-IAM1[Sid]`), with the construct path
   *   after a space when it matters: `'[Sid] Test/Policy/Resource'`;
   * - `'error'`: the rule reports that it could not evaluate a value.
   */
  readonly expected: readonly string[] | 'error';
}

/** Runs a table of cases for one rule; each case gets its own app and stack. */
export function describeRule(rule: TenantIsolationRule, cases: readonly RuleCase[]): void {
  const id = `TI-${rule.id}`;
  describe(`${id} (${rule.info.slice(0, 60)}...)`, () => {
    test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const stack = newStack();
      c.build(stack);
      const found = ruleFindings(rule, stack);
      if (c.expected === 'error') {
        expect(found.length).toBeGreaterThan(0);
        expect(found.every((f) => f.error && f.id === id)).toBe(true);
        return;
      }
      expect(found.every((f) => !f.error)).toBe(true);
      const withPaths = c.expected.some((e) => e.includes(' '));
      const actual = found.map((f) => `${f.id.slice(id.length)}${withPaths ? ` ${f.path}` : ''}`).sort();
      expect(actual).toEqual([...c.expected].sort());
    });
  });
}
