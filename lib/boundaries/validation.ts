/**
 * Props validation shared by every boundary construct: problems are collected, then reported all
 * at once as one aws-cdk-lib `ValidationError` whose message names the construct path, each prop
 * and its offending value (STYLE.md: fail fast, report everything, skip tokens).
 *
 * Values that are CDK tokens (`Token.isUnresolved`) are never judged: their value is only known
 * at deploy time, so a check on the placeholder string would fail or pass by accident.
 */
import { Token, ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TenantId } from '../core/tenant-id';

/** A tenant id as construct props take it: a plain string (checked here) or a parsed TenantId. */
export type TenantIdInput = string | TenantId;

/** One problem with one prop. */
export interface PropProblem {
  /** The prop, as a path into the props object (`tenants[3].id`, `quotas.users`). */
  readonly prop: string;
  readonly value: unknown;
  /** What the value must be (rendered `<prop>: <value> — must be <rule>`). */
  readonly rule?: string;
  /** A problem across values (rendered `<prop>: <message>`), e.g. a placement that does not fit. */
  readonly message?: string;
}

/** Collects the problems of one construct's props; `throwIfAny` reports them together. */
export class PropProblems {
  private readonly problems: PropProblem[] = [];

  constructor(private readonly scope: IConstruct) {}

  /** Records a problem unless `value` is an unresolved token. */
  public add(prop: string, value: unknown, rule: string): void {
    if (Token.isUnresolved(value)) return;
    this.problems.push({ prop, value, rule });
  }

  /** Records a problem that concerns a prop as a whole (its entries together), in its own words. */
  public addMessage(prop: string, message: string): void {
    this.problems.push({ prop, value: undefined, message });
  }

  /** Records a problem when `ok` is false (and `value` is not a token). */
  public check(ok: boolean, prop: string, value: unknown, rule: string): void {
    if (!ok) this.add(prop, value, rule);
  }

  /** Parses a tenant id prop; records the TenantId rule it breaks and returns undefined. */
  public tenantId(prop: string, value: unknown): TenantId | undefined {
    if (value instanceof TenantId) return value;
    if (Token.isUnresolved(value)) {
      this.problems.push({ prop, value, rule: 'known at synth, not a token (a tenant id names resources and policies)' });
      return undefined;
    }
    const problem = TenantId.check(value);
    if (problem) {
      this.problems.push({ prop, value, rule: `a valid tenant id: ${problem.message.replace(/^invalid tenant id \S+: /, '')}` });
      return undefined;
    }
    return TenantId.parse(value);
  }

  public get count(): number {
    return this.problems.length;
  }

  /** Throws one ValidationError listing every problem, each with its prop and value. */
  public throwIfAny(): void {
    if (this.problems.length === 0) return;
    const lines = this.problems.map((p) => `  - ${p.prop}: ${p.message ?? `${render(p.value)} — must be ${p.rule}`}`);
    const message = `${this.scope.node.path}: invalid props (${this.problems.length}):\n${lines.join('\n')}`;
    throwValidationError(this.scope, message);
  }
}

/**
 * aws-cdk-lib's error name is a branded literal type (`LiteralString`) that only its own `lit`
 * helper makes; every boundary error carries this one name, cast once here.
 */
const ERROR_NAME = 'TenantIsolationInvalidProps' as ConstructorParameters<typeof ValidationError>[0];

/** Throws aws-cdk-lib's ValidationError for `scope` (the CDK CLI shows it with the construct path). */
export function throwValidationError(scope: IConstruct, message: string): never {
  throw new ValidationError(ERROR_NAME, message, scope);
}

/** Parses one tenant id prop or throws the ValidationError (shorthand for single-tenant constructs). */
export function tenantIdProp(scope: IConstruct, prop: string, value: unknown): TenantId {
  const problems = new PropProblems(scope);
  const id = problems.tenantId(prop, value);
  problems.throwIfAny();
  return id!;
}

function render(value: unknown): string {
  if (value instanceof TenantId) return JSON.stringify(value.value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null && 'node' in value) return `construct ${(value as IConstruct).node.path}`;
  try {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}
