/**
 * Offboarding cuts a tenant's OPEN cache connections, on a real redis-server.
 *
 * ElastiCache facts (ElastiCache User Guide, Clusters.RBAC; AWS-FACTS.md): modifying a user
 * (ModifyUser, e.g. its access string to `off`) keeps its open connections; removing the user from
 * the user group drops them. Redis has the same two behaviours for its own ACL: `ACL SETUSER u off`
 * leaves connections that already authenticated working (Redis ACL docs, "off"), `ACL DELUSER`
 * kills them. `applyUserGroupUpdate` below replays a CloudFormation update of one cell on the
 * server the way ElastiCache applies it — users leaving the group are removed (DELUSER), users
 * staying are modified in place (SETUSER) — and the tests act with a connection opened before
 * the offboard deploy.
 *
 * Before the fix, a retired tenant stayed in the group with its access string switched to `off`
 * (a ModifyUser): its connection kept reading. Now it leaves the group: the connection is closed.
 */
import { randomBytes } from 'crypto';
import { placeTenantsInCacheCells } from '../../../lib/core/placement';
import { parseRegistry, Registry } from '../../../lib/core/registry';
import { describeWithEngine } from '../../helpers/engines';
import { SynthesizedCache, synthesizeCache } from '../../helpers/cache-users';
import { findRedisServer, REDIS_SERVER_HINT, RedisTestServer, refusal } from '../../helpers/redis-server';

const CELL = 'tib-cache-0';

function registry(acmeCorpStatus: 'active' | 'retired'): Registry {
  const raw = parseRegistry(JSON.stringify({ version: 1, tenants: [{ id: 'acme' }, { id: 'acme-corp', status: acmeCorpStatus }] }), 'offboard test registry');
  return { ...raw, tenants: placeTenantsInCacheCells(raw.tenants) };
}

/** The tenant users of the cell's user group (not `default`), with their access strings. */
function members(synth: SynthesizedCache): Map<string, string> {
  const group = synth.groups.find((g) => g.userGroupId === CELL)!;
  const byId = new Map(synth.users.map((u) => [u.userId, u]));
  const out = new Map<string, string>();
  for (const id of group.userIds) {
    const u = byId.get(id)!;
    if (u.userName !== 'default') out.set(u.userName, u.accessString);
  }
  return out;
}

/** Replays an update of the cell's users and group on the server, as ElastiCache applies it. */
async function applyUserGroupUpdate(server: RedisTestServer, before: Map<string, string>, after: Map<string, string>, passwords: Map<string, string>): Promise<string[]> {
  const log: string[] = [];
  for (const [name] of before) {
    if (!after.has(name)) {
      await server.admin.call('ACL', 'DELUSER', name); // removed from the user group
      log.push(`remove ${name} from the group`);
    }
  }
  for (const [name, access] of after) {
    if (before.get(name) !== access) {
      // ModifyUser: same user, new access string; the password is unchanged.
      await server.admin.call('ACL', 'SETUSER', name, 'reset', `>${passwords.get(name)}`, ...access.trim().split(/\s+/));
      log.push(`modify ${name}`);
    }
  }
  return log;
}

describeWithEngine('redis-server', findRedisServer() !== undefined, REDIS_SERVER_HINT, () => {
  let server: RedisTestServer;
  const passwords = new Map<string, string>();
  const synthActive = synthesizeCache(registry('active'));
  const synthRetired = synthesizeCache(registry('retired'));

  beforeAll(async () => {
    server = await RedisTestServer.start(findRedisServer()!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function deployBefore(): Promise<void> {
    for (const [name, access] of members(synthActive)) {
      const pw = randomBytes(16).toString('hex');
      passwords.set(name, pw);
      await server.setUser(name, pw, access);
    }
    await server.admin.set('tenant:acme-corp:orders', 'acme-corp-data');
  }

  test('the synthesized offboard removes acme-corp from the group; its user stays, disabled', () => {
    expect([...members(synthActive).keys()].sort()).toEqual(['tib-acme', 'tib-acme-corp']);
    expect([...members(synthRetired).keys()]).toEqual(['tib-acme']);
    const retiredUser = synthRetired.users.find((u) => u.userName === 'tib-acme-corp')!;
    expect(retiredUser.accessString.startsWith('off ')).toBe(true);
  });

  test("after the offboard deploy, acme-corp's connection opened BEFORE it is cut, and it cannot come back", async () => {
    await deployBefore();
    const open = server.client('tib-acme-corp', passwords.get('tib-acme-corp')!);
    expect(await open.get('tenant:acme-corp:orders')).toBe('acme-corp-data');
    const acme = server.client('tib-acme', passwords.get('tib-acme')!);
    expect(await acme.set('tenant:acme:x', '1')).toBe('OK');

    const log = await applyUserGroupUpdate(server, members(synthActive), members(synthRetired), passwords);
    expect(log).toEqual(['remove tib-acme-corp from the group']);

    // The open connection is gone: the next command fails on a closed connection.
    const err = await refusal(open.get('tenant:acme-corp:orders'));
    expect(err).toMatch(/Connection is closed|ECONNRESET|EPIPE|Stream isn't writeable/);
    // A new connection cannot authenticate.
    const again = server.client(undefined, undefined, 2);
    expect(await refusal(again.call('AUTH', 'tib-acme-corp', passwords.get('tib-acme-corp')!))).toMatch(/WRONGPASS/);
    // acme is untouched.
    expect(await acme.get('tenant:acme:x')).toBe('1');
  });

  test('why removal is needed: the OLD way (stay in the group, access string `off`) leaves the open connection reading', async () => {
    await server.admin.call('ACL', 'DELUSER', 'tib-acme-corp', 'tib-acme');
    await deployBefore();
    const open = server.client('tib-acme-corp', passwords.get('tib-acme-corp')!);
    expect(await open.get('tenant:acme-corp:orders')).toBe('acme-corp-data');
    const retiredAccess = synthRetired.users.find((u) => u.userName === 'tib-acme-corp')!.accessString;
    const oldAfter = new Map([...members(synthRetired), ['tib-acme-corp', retiredAccess]]);
    expect(await applyUserGroupUpdate(server, members(synthActive), oldAfter, passwords)).toEqual(['modify tib-acme-corp']);
    // Still reading after "offboarding" by ModifyUser: the hole the group removal closes.
    expect(await open.get('tenant:acme-corp:orders')).toBe('acme-corp-data');
    const again = server.client(undefined, undefined, 2);
    expect(await refusal(again.call('AUTH', 'tib-acme-corp', passwords.get('tib-acme-corp')!))).toMatch(/WRONGPASS/);
  });
});
