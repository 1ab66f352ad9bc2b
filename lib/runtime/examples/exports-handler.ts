/**
 * Reference handler for `GET /exports/:id`, the seed's example done right. Framework-free: a
 * function from `{ headers, params }` to `{ status, headers, body }`, so it drops into Express,
 * Fastify, API Gateway/Lambda or a test alike.
 *
 * The order is the point:
 * 1. The tenant comes from the VERIFIED bearer token (TenantTokenVerifier), first. An
 *    `X-Workspace` header may only select among the token's own tenants. No token or a bad one:
 *    401 before anything else runs.
 * 2. The lookup runs inside `withTenantTransaction`, so row-level security limits it to the
 *    context's tenant, and it asks only for `where id = $1`. Another tenant's id matches no row —
 *    the answer is the same 404, with the same body, as for an id that never existed.
 * 3. The download is a presigned URL for a key under the tenant's own prefix, signed with the
 *    tenant's own session (TenantAccessRole + TenantId tag), short-lived.
 *
 * Table (see docs/runtime.md): `exports(tenant_id, id uuid, object_key text)` protected by
 * `isolation.protect`, with `object_key` relative to the tenant prefix.
 */
import { ObjectKeyError, TenantTokenError } from '../../boundaries/identity/runtime/errors';
import { bearerToken, TenantTokenVerifier } from '../../boundaries/identity/runtime/tenant-context';
import { TenantObjectStore } from '../../boundaries/storage/runtime/tenant-objects';
import { TenantSqlPool, withTenantTransaction } from '../../boundaries/database/runtime/tenant-transaction';

export interface HandlerRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly params: Readonly<Record<string, string | undefined>>;
}

export interface HandlerResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface ExportsHandlerProps {
  readonly verifier: TenantTokenVerifier;
  readonly db: TenantSqlPool;
  readonly objects: TenantObjectStore;
  /**
   * Role to SET LOCAL ROLE to inside the transaction (PGlite and tests; see withTenantTransaction).
   * @default none: connect as the application role
   */
  readonly dbRole?: string;
  /**
   * Header that selects the active workspace among the token's tenants.
   * @default 'x-workspace'
   */
  readonly workspaceHeader?: string;
  /**
   * Called with unexpected errors (never with the expected refusals). Its output never reaches
   * the client.
   * @default console.error
   */
  readonly onError?: (err: unknown) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_STORE = { 'cache-control': 'no-store', 'content-type': 'application/json' };

/** One response for "missing" and "another tenant's": nothing tells them apart. */
export const NOT_FOUND: HandlerResponse = Object.freeze({ status: 404, headers: NO_STORE, body: Object.freeze({ error: 'not_found' }) });
const UNAUTHORIZED: HandlerResponse = Object.freeze({
  status: 401,
  headers: { ...NO_STORE, 'www-authenticate': 'Bearer' },
  body: Object.freeze({ error: 'unauthorized' }),
});

export function exportsHandler(props: ExportsHandlerProps): (req: HandlerRequest) => Promise<HandlerResponse> {
  const workspaceHeader = (props.workspaceHeader ?? 'x-workspace').toLowerCase();
  const onError = props.onError ?? ((err: unknown) => console.error('GET /exports/:id failed', err));

  return async (req) => {
    // 1. Tenant context from the verified token, before anything else.
    const token = bearerToken(req.headers);
    if (token === undefined) return UNAUTHORIZED;
    let ctx;
    try {
      ctx = await props.verifier.verify(token, { workspace: header(req.headers, workspaceHeader) });
    } catch (err) {
      if (err instanceof TenantTokenError) {
        if (err.code === 'workspace-not-member') return { status: 403, headers: NO_STORE, body: { error: 'forbidden' } };
        if (err.code === 'workspace-required') return { status: 400, headers: NO_STORE, body: { error: 'workspace_required' } };
        return UNAUTHORIZED;
      }
      onError(err);
      return { status: 500, headers: NO_STORE, body: { error: 'internal' } };
    }

    // A malformed id cannot name any export: same 404 as a missing one.
    const rawId = req.params.id;
    if (typeof rawId !== 'string' || !UUID.test(rawId)) return NOT_FOUND;
    const id = rawId.toLowerCase();

    try {
      // 2. RLS scopes the lookup to ctx's tenant; the query names only the id.
      const row = await withTenantTransaction(
        props.db,
        ctx,
        async (tx) => (await tx.query<{ id: string; object_key: string }>('select id, object_key from exports where id = $1', [id])).rows[0],
        { role: props.dbRole, readOnly: true },
      );
      if (row === undefined) return NOT_FOUND;

      // 3. A short-lived URL under the tenant's prefix, signed by the tenant's session.
      const download = await props.objects.presignGet(ctx, row.object_key);
      return {
        status: 200,
        headers: NO_STORE,
        body: { id: row.id, download: { url: download.url, expiresInSeconds: download.expiresInSeconds } },
      };
    } catch (err) {
      // A stored key that would leave the prefix is a data bug, reported, never served.
      onError(err instanceof ObjectKeyError ? new Error(`export ${id}: ${err.message}`) : err);
      return { status: 500, headers: NO_STORE, body: { error: 'internal' } };
    }
  };
}

function header(headers: HandlerRequest['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}
