/**
 * Test support: one shared cache cell on a real redis-server, built from the synthesized app.
 *
 * Registry: `acme` and `acme-corp` (pool, same letters at the start), `initech` (pool, retired)
 * and `globex` (silo, its own cell). The cell-0 users and the cell's `default` user are loaded
 * with the access strings read from the synthesized templates (cache-users.ts).
 */
import { randomBytes } from 'crypto';
import Redis from 'ioredis';
import { placeTenantsInCacheCells } from '../../lib/core/placement';
import { parseRegistry, Registry } from '../../lib/core/registry';
import { SynthesizedCache, SynthesizedCacheUser, synthesizeCache } from './cache-users';
import { RedisTestServer } from './redis-server';

export const CELL_REGISTRY: Registry = (() => {
  const raw = parseRegistry(
    JSON.stringify({
      version: 1,
      tenants: [
        { id: 'acme', tier: 'pool' },
        { id: 'acme-corp', tier: 'pool' },
        { id: 'globex', tier: 'silo' },
        { id: 'initech', tier: 'pool', status: 'retired' },
      ],
    }),
    'cache test registry',
  );
  return { ...raw, tenants: placeTenantsInCacheCells(raw.tenants) };
})();

export const SHARED_CELL = 'tib-cache-0';

export interface CellServer {
  readonly server: RedisTestServer;
  readonly synth: SynthesizedCache;
  /** Users loaded into the server (the cell's tenants), by user name. */
  readonly users: ReadonlyMap<string, SynthesizedCacheUser>;
  readonly defaultUser: SynthesizedCacheUser;
  readonly passwords: ReadonlyMap<string, string>;
  readonly defaultPassword: string;
  /** A connected client authenticated as the tenant's cache user (`tib-<tenant>`). */
  as(tenant: string): Redis;
}

export async function startCellServer(binary: string, synth: SynthesizedCache = synthesizeCache(CELL_REGISTRY)): Promise<CellServer> {
  const group = synth.groups.find((g) => g.userGroupId === SHARED_CELL);
  if (!group) throw new Error(`no user group ${SHARED_CELL} in the synthesized app`);
  const byId = new Map(synth.users.map((u) => [u.userId, u]));
  const members = group.userIds.map((id) => {
    const u = byId.get(id);
    if (!u) throw new Error(`user group ${SHARED_CELL} names unknown user ${id}`);
    return u;
  });
  const defaultUser = members.find((u) => u.userName === 'default');
  if (!defaultUser) throw new Error(`user group ${SHARED_CELL} has no user named default`);

  const server = await RedisTestServer.start(binary);
  const users = new Map<string, SynthesizedCacheUser>();
  const passwords = new Map<string, string>();
  for (const u of members.filter((m) => m !== defaultUser)) {
    const pw = randomBytes(20).toString('hex');
    await server.setUser(u.userName, pw, u.accessString);
    users.set(u.userName, u);
    passwords.set(u.userName, pw);
  }
  const defaultPassword = randomBytes(20).toString('hex');
  await server.setDefaultUser(defaultPassword, defaultUser.accessString);
  return {
    server,
    synth,
    users,
    defaultUser,
    passwords,
    defaultPassword,
    as: (tenant: string) => {
      const name = `tib-${tenant}`;
      const pw = passwords.get(name);
      if (!pw) throw new Error(`no cache user ${name} in ${SHARED_CELL}`);
      return server.client(name, pw);
    },
  };
}
