/**
 * One request of the abuse matrix (matrix.ts), in a module of its own so that the matrix and the
 * per-shape evaluation (shapes.ts) can both name it without importing each other.
 */
import { AuthzRequest } from './engine/builtin-engine';
import { Principal, TenantResource } from './inventory';
import { Statement } from './policy-model';

/** The cell row of a session without a TenantId tag. */
export const NO_TAG = '(no tag)';

/** One request of the matrix. `actingAs` null = a session without a TenantId tag. */
export interface Probe {
  readonly principal: Principal;
  readonly actingAs: string | null;
  readonly resource: TenantResource;
  /** The tenant whose data the request touches; '*' = every tenant at once (root listing, `_all`). */
  readonly victim: string;
  readonly action: string;
  readonly resourceArn: string;
  readonly request: AuthzRequest;
  /** The acting tenant's own data: must be allowed somewhere, else the proof about the principal is vacuous. */
  readonly own?: boolean;
  /** The session policy for the acting tenant (declared `sessionPolicies`). */
  readonly session?: readonly Statement[];
}
