/**
 * The evaluation engine the abuse matrix runs on: `builtin` (this project's evaluator) or `aws`
 * (IAM SimulateCustomPolicy, engine-aws.ts). Both answer batches, so the remote one can group
 * requests into as few API calls as possible.
 */
import { Statement } from '../policy-model';
import { AuthzRequest, Decision, evaluate, PolicySet } from './builtin-engine';

export interface EngineItem {
  readonly request: AuthzRequest;
  readonly policies: PolicySet;
}

export interface EngineResult {
  readonly decision: Decision;
  /** Statements that granted access, when the engine can tell. */
  readonly allowedBy: readonly Statement[];
  readonly unsupported: readonly string[];
}

export interface AuditEngine {
  readonly name: 'builtin' | 'aws';
  evaluateBatch(items: readonly EngineItem[]): Promise<EngineResult[]>;
}

export class BuiltinEngine implements AuditEngine {
  public readonly name = 'builtin' as const;
  public async evaluateBatch(items: readonly EngineItem[]): Promise<EngineResult[]> {
    return items.map((i) => evaluate(i.request, i.policies));
  }
}
