/**
 * Real-server attacks on the cache boundary. A real redis-server gets exactly the access strings
 * the CDK app synthesized; tenant `acme` then attacks tenant `acme-corp` (same first letters)
 * and the server itself, and every attack must fail with the specific refusal.
 */
import Redis from 'ioredis';
import { describeWithEngine } from '../../helpers/engines';
import { CellServer, startCellServer } from '../../helpers/cache-cell-server';
import { findRedisServer, refusal, REDIS_SERVER_HINT } from '../../helpers/redis-server';

const REDIS = findRedisServer();

// Refusal texts of Redis 7.0 (and the Valkey wording, should the suite run against Valkey).
const KEY_REFUSED = /^NOPERM (this user has no permissions to access one of the keys used as arguments|No permissions to access a key)$/;
const CHANNEL_REFUSED = /^NOPERM (this user has no permissions to access one of the channels used as arguments|No permissions to access a channel)$/;
const commandRefused = (cmd: string) => new RegExp(`^NOPERM (this user|User \\S+) has no permissions to run the '${cmd.replace(/[|]/g, '\\|')}' command$`);
const WRONGPASS = /^WRONGPASS invalid username-password pair or user is disabled\.$/;
const NOAUTH = /^NOAUTH Authentication required\.$/;

const A = 'tenant:acme:';
const B = 'tenant:acme-corp:';

/** Keys of `acme-corp` that `acme` must not read, change, move or learn anything about. */
const KEY_ATTACKS: Array<[string, string[]]> = [
  // read
  ["GET another tenant's key", ['GET', `${B}secret`]],
  ['GETRANGE', ['GETRANGE', `${B}secret`, '0', '-1']],
  ['STRLEN (size oracle)', ['STRLEN', `${B}secret`]],
  ['EXISTS (existence oracle)', ['EXISTS', `${B}secret`]],
  ['TYPE (existence oracle)', ['TYPE', `${B}secret`]],
  ['TTL', ['TTL', `${B}secret`]],
  ['HGETALL', ['HGETALL', `${B}h`]],
  ['HSCAN', ['HSCAN', `${B}h`, '0']],
  ['LRANGE', ['LRANGE', `${B}l`, '0', '-1']],
  ['SMEMBERS', ['SMEMBERS', `${B}s`]],
  ['ZRANGE', ['ZRANGE', `${B}z`, '0', '-1']],
  ['PFCOUNT', ['PFCOUNT', `${B}hll`]],
  ['LCS against own key', ['LCS', `${A}x`, `${B}secret`]],
  // write
  ['SET', ['SET', `${B}secret`, 'pwned']],
  ['SETNX a new key in the other prefix', ['SETNX', `${B}planted`, 'x']],
  ['APPEND', ['APPEND', `${B}secret`, 'x']],
  ['INCR', ['INCR', `${B}counter`]],
  ['GETSET', ['GETSET', `${B}secret`, 'x']],
  ['HSET', ['HSET', `${B}h`, 'f', 'x']],
  ['LPUSH', ['LPUSH', `${B}l`, 'x']],
  ['SADD', ['SADD', `${B}s`, 'x']],
  // delete
  ['DEL', ['DEL', `${B}secret`]],
  ['UNLINK', ['UNLINK', `${B}secret`]],
  ['GETDEL', ['GETDEL', `${B}secret`]],
  ['DEL mixing own and other keys', ['DEL', `${A}x`, `${B}secret`]],
  // rename, copy
  ['RENAME other key into own prefix', ['RENAME', `${B}secret`, `${A}stolen`]],
  ['RENAME own key over other key', ['RENAME', `${A}x`, `${B}secret`]],
  ['RENAMENX', ['RENAMENX', `${B}secret`, `${A}stolen`]],
  ['COPY other key into own prefix', ['COPY', `${B}secret`, `${A}copied`]],
  ['COPY own key over other key', ['COPY', `${A}x`, `${B}secret`, 'REPLACE']],
  // expire
  ['EXPIRE', ['EXPIRE', `${B}secret`, '1']],
  ['PEXPIREAT', ['PEXPIREAT', `${B}secret`, '1']],
  ['PERSIST', ['PERSIST', `${B}secret`]],
  // multi-key commands mixing own and other keys
  ['MGET', ['MGET', `${A}x`, `${B}secret`]],
  ['MSET', ['MSET', `${A}x`, '1', `${B}secret`, 'pwned']],
  ['SUNIONSTORE into own key', ['SUNIONSTORE', `${A}dst`, `${A}s`, `${B}s`]],
  ['SINTER', ['SINTER', `${A}s`, `${B}s`]],
  ['SINTERCARD (numkeys)', ['SINTERCARD', '2', `${A}s`, `${B}s`]],
  ['SMOVE', ['SMOVE', `${B}s`, `${A}s`, 'm1']],
  ['LMOVE', ['LMOVE', `${B}l`, `${A}l`, 'LEFT', 'RIGHT']],
  ['LMPOP (numkeys)', ['LMPOP', '2', `${A}l`, `${B}l`, 'LEFT']],
  ['BLPOP', ['BLPOP', `${A}l`, `${B}l`, '0.01']],
  ['ZUNIONSTORE (numkeys)', ['ZUNIONSTORE', `${A}z`, '2', `${A}z`, `${B}z`]],
  ['ZRANGESTORE', ['ZRANGESTORE', `${A}z2`, `${B}z`, '0', '-1']],
  ['BITOP', ['BITOP', 'OR', `${A}bits`, `${B}secret`]],
  // names that merely look close
  ['the bare name tenant:acme-corp', ['GET', 'tenant:acme-corp']],
  ['own id without the delimiter (tenant:acme)', ['GET', 'tenant:acme']],
  ['own id followed by other letters (tenant:acmex:)', ['SET', 'tenant:acmex:k', 'x']],
  ['upper-case look-alike (tenant:ACME:)', ['SET', 'tenant:ACME:k', 'x']],
  ['a key outside every tenant prefix', ['SET', 'global-config', 'x']],
];

/** Commands `acme` may not run at all, with the command name the server reports. */
const COMMAND_ATTACKS: Array<[string, string[], string]> = [
  // enumeration
  ['KEYS *', ['KEYS', '*'], 'keys'],
  ['KEYS even with its own pattern', ['KEYS', `${A}*`], 'keys'],
  ['SCAN', ['SCAN', '0'], 'scan'],
  ['SCAN MATCH another prefix', ['SCAN', '0', 'MATCH', `${B}*`], 'scan'],
  ['RANDOMKEY', ['RANDOMKEY'], 'randomkey'],
  ['DBSIZE', ['DBSIZE'], 'dbsize'],
  ['INFO keyspace', ['INFO', 'keyspace'], 'info'],
  ['PUBSUB CHANNELS', ['PUBSUB', 'CHANNELS'], 'pubsub|channels'],
  ['PUBSUB NUMSUB', ['PUBSUB', 'NUMSUB', `${B}events`], 'pubsub|numsub'],
  ['PUBSUB NUMPAT', ['PUBSUB', 'NUMPAT'], 'pubsub|numpat'],
  ['PUBSUB SHARDCHANNELS', ['PUBSUB', 'SHARDCHANNELS'], 'pubsub|shardchannels'],
  ['CLUSTER GETKEYSINSLOT', ['CLUSTER', 'GETKEYSINSLOT', '0', '10'], 'cluster|getkeysinslot'],
  ['CLUSTER COUNTKEYSINSLOT', ['CLUSTER', 'COUNTKEYSINSLOT', '0'], 'cluster|countkeysinslot'],
  ['OBJECT ENCODING', ['OBJECT', 'ENCODING', `${B}secret`], 'object|encoding'],
  ['MEMORY USAGE', ['MEMORY', 'USAGE', `${B}secret`], 'memory|usage'],
  // indirect reach: scripts, functions, SORT, serialisation, other databases and servers
  ['EVAL declaring the other key', ['EVAL', "return redis.call('GET', KEYS[1])", '1', `${B}secret`], 'eval'],
  ['EVAL with an undeclared key', ['EVAL', "return redis.call('GET', 'tenant:acme-corp:secret')", '0'], 'eval'],
  ['EVAL_RO', ['EVAL_RO', "return redis.call('GET', KEYS[1])", '1', `${B}secret`], 'eval_ro'],
  ['EVALSHA', ['EVALSHA', 'a'.repeat(40), '0'], 'evalsha'],
  ['SCRIPT LOAD', ['SCRIPT', 'LOAD', 'return 1'], 'script|load'],
  ['SCRIPT EXISTS', ['SCRIPT', 'EXISTS', 'a'.repeat(40)], 'script|exists'],
  ['SCRIPT FLUSH', ['SCRIPT', 'FLUSH'], 'script|flush'],
  ['FUNCTION LOAD', ['FUNCTION', 'LOAD', "#!lua name=x\nredis.register_function('f', function() return 1 end)"], 'function|load'],
  ['FUNCTION LIST', ['FUNCTION', 'LIST'], 'function|list'],
  ['FUNCTION FLUSH', ['FUNCTION', 'FLUSH'], 'function|flush'],
  ['FCALL', ['FCALL', 'f', '0'], 'fcall'],
  ['SORT ... BY another prefix', ['SORT', `${A}l`, 'BY', `${B}*`], 'sort'],
  ['SORT ... GET another prefix', ['SORT', `${A}l`, 'GET', `${B}*`], 'sort'],
  ['SORT_RO ... GET', ['SORT_RO', `${A}l`, 'GET', `${B}*`], 'sort_ro'],
  ['DUMP', ['DUMP', `${B}secret`], 'dump'],
  ['RESTORE', ['RESTORE', `${A}r`, '0', 'x'], 'restore'],
  ['MIGRATE', ['MIGRATE', '127.0.0.1', '1', `${B}secret`, '0', '100'], 'migrate'],
  ['MOVE to another database', ['MOVE', `${A}x`, '1'], 'move'],
  ['SELECT another database', ['SELECT', '1'], 'select'],
  ['SWAPDB', ['SWAPDB', '0', '1'], 'swapdb'],
  // flushing
  ['FLUSHALL', ['FLUSHALL'], 'flushall'],
  ['FLUSHALL ASYNC', ['FLUSHALL', 'ASYNC'], 'flushall'],
  ['FLUSHDB', ['FLUSHDB'], 'flushdb'],
  // configuration, users, server administration
  ['CONFIG SET', ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], 'config|set'],
  ['CONFIG GET', ['CONFIG', 'GET', '*'], 'config|get'],
  ['CONFIG RESETSTAT', ['CONFIG', 'RESETSTAT'], 'config|resetstat'],
  ['ACL SETUSER (widen itself)', ['ACL', 'SETUSER', 'tib-acme', '~*', '+@all'], 'acl|setuser'],
  ['ACL SETUSER (disable the other tenant)', ['ACL', 'SETUSER', 'tib-acme-corp', 'off'], 'acl|setuser'],
  ['ACL DELUSER', ['ACL', 'DELUSER', 'tib-acme-corp'], 'acl|deluser'],
  ['ACL LIST', ['ACL', 'LIST'], 'acl|list'],
  ['ACL GETUSER', ['ACL', 'GETUSER', 'tib-acme-corp'], 'acl|getuser'],
  ['ACL LOG', ['ACL', 'LOG'], 'acl|log'],
  ['SHUTDOWN', ['SHUTDOWN', 'NOSAVE'], 'shutdown'],
  ['SAVE', ['SAVE'], 'save'],
  ['BGSAVE', ['BGSAVE'], 'bgsave'],
  ['REPLICAOF', ['REPLICAOF', '127.0.0.1', '1'], 'replicaof'],
  ['MODULE LIST', ['MODULE', 'LIST'], 'module|list'],
  ["SLOWLOG GET (other clients' arguments)", ['SLOWLOG', 'GET'], 'slowlog|get'],
  ['LATENCY LATEST', ['LATENCY', 'LATEST'], 'latency|latest'],
  ['MEMORY STATS', ['MEMORY', 'STATS'], 'memory|stats'],
  // other clients
  ['CLIENT LIST', ['CLIENT', 'LIST'], 'client|list'],
  ['CLIENT INFO', ['CLIENT', 'INFO'], 'client|info'],
  ['CLIENT KILL', ['CLIENT', 'KILL', 'USER', 'tib-acme-corp'], 'client|kill'],
  ['CLIENT PAUSE', ['CLIENT', 'PAUSE', '10'], 'client|pause'],
  ['CLIENT TRACKING BCAST on another prefix', ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', B], 'client|tracking'],
  ['MONITOR', ['MONITOR'], 'monitor'],
  // Redis 7.0.15 lets `PFMERGE <destkey>` (no source) past the key pattern, so PFMERGE is refused outright.
  ['PFMERGE with only a destination in another prefix', ['PFMERGE', `${B}planted-hll`], 'pfmerge'],
  ['PFMERGE mixing prefixes', ['PFMERGE', `${A}hll`, `${B}hll`], 'pfmerge'],
];

/** Pub/sub reach into another tenant's channels. */
const CHANNEL_ATTACKS: Array<[string, string[]]> = [
  ['SUBSCRIBE by name', ['SUBSCRIBE', `${B}events`]],
  ['SUBSCRIBE own and other channel together', ['SUBSCRIBE', `${A}events`, `${B}events`]],
  ['PSUBSCRIBE tenant:*', ['PSUBSCRIBE', 'tenant:*']],
  ['PSUBSCRIBE *', ['PSUBSCRIBE', '*']],
  ['PSUBSCRIBE own id without the delimiter', ['PSUBSCRIBE', 'tenant:acme*']],
  ['PSUBSCRIBE the other prefix', ['PSUBSCRIBE', `${B}*`]],
  ['SSUBSCRIBE', ['SSUBSCRIBE', `${B}events`]],
  ['PUBLISH', ['PUBLISH', `${B}events`, 'forged']],
  ['SPUBLISH', ['SPUBLISH', `${B}events`, 'forged']],
];

describeWithEngine('redis-server', REDIS !== undefined, REDIS_SERVER_HINT, () => {
  let cell: CellServer;
  let acme: Redis;
  let acmeCorp: Redis;
  let snapshot: string;

  /** Everything acme-corp owns, as the admin sees it: must be identical after the attacks. */
  const snapshotOfB = async () => {
    const admin = cell.server.admin;
    return JSON.stringify({
      keys: ((await admin.keys(`${B}*`)) as string[]).sort(),
      secret: await admin.get(`${B}secret`),
      ttl: await admin.ttl(`${B}secret`),
      h: await admin.hgetall(`${B}h`),
      l: await admin.lrange(`${B}l`, 0, -1),
      s: ((await admin.smembers(`${B}s`)) as string[]).sort(),
      z: await admin.zrange(`${B}z`, '0', '-1', 'WITHSCORES'),
      users: await admin.call('ACL', 'LIST'),
    });
  };

  beforeAll(async () => {
    cell = await startCellServer(REDIS!);
    const admin = cell.server.admin;
    await admin.set(`${B}secret`, 'acme-corp-data');
    await admin.hset(`${B}h`, 'f', 'v');
    await admin.rpush(`${B}l`, 'b1', 'b2');
    await admin.sadd(`${B}s`, 'm1', 'm2');
    await admin.zadd(`${B}z`, 1, 'z1');
    await admin.pfadd(`${B}hll`, 'x');
    await admin.set(`${B}counter`, '7');
    await admin.set(`${B}w1`, '3');
    await admin.set(`${A}x`, 'acme-data');
    await admin.rpush(`${A}l`, '1', '2');
    await admin.sadd(`${A}s`, 'm1');
    snapshot = await snapshotOfB();
    acme = cell.as('acme');
    acmeCorp = cell.as('acme-corp');
  });

  afterAll(async () => {
    await cell?.server.stop();
  });

  test('the server holds the synthesized users, confined to their own prefix', async () => {
    // initech is retired: its user exists in the template but is no member of the user group.
    expect([...cell.users.keys()].sort()).toEqual(['tib-acme', 'tib-acme-corp']);
    const user = (await cell.server.admin.call('ACL', 'GETUSER', 'tib-acme')) as unknown[];
    const field = (name: string) => user[user.indexOf(name) + 1];
    expect(field('keys')).toBe('~tenant:acme:*');
    expect(field('channels')).toBe('&tenant:acme:*');
    expect(field('flags')).toEqual(['on']);
  });

  describe("acme against acme-corp's keys: refused", () => {
    test.each(KEY_ATTACKS)('%s', async (_name, argv) => {
      expect(await refusal(acme.call(argv[0], ...argv.slice(1)))).toMatch(KEY_REFUSED);
    });

    test("acme-corp against acme's keys: refused too", async () => {
      expect(await refusal(acmeCorp.call('GET', `${A}x`))).toMatch(KEY_REFUSED);
      expect(await refusal(acmeCorp.call('SET', `${A}x`, 'pwned'))).toMatch(KEY_REFUSED);
      expect(await refusal(acmeCorp.call('DEL', `${A}x`))).toMatch(KEY_REFUSED);
    });

    test('a MULTI/EXEC transaction with one foreign key is refused at queue time and aborted as a whole', async () => {
      const c = cell.as('acme');
      expect(await c.call('MULTI')).toBe('OK');
      expect(await c.call('SET', `${A}tx`, '1')).toBe('QUEUED');
      expect(await refusal(c.call('GET', `${B}secret`))).toMatch(KEY_REFUSED);
      expect(await refusal(c.call('EXEC'))).toMatch(/^EXECABORT Transaction discarded because of previous errors\.$/);
      expect(await cell.server.admin.exists(`${A}tx`)).toBe(0);
    });

    test("WATCH on another tenant's key is refused", async () => {
      expect(await refusal(acme.call('WATCH', `${B}secret`))).toMatch(KEY_REFUSED);
    });
  });

  describe('acme against the server: refused', () => {
    test.each(COMMAND_ATTACKS)('%s', async (_name, argv, reported) => {
      expect(await refusal(acme.call(argv[0], ...argv.slice(1)))).toMatch(commandRefused(reported));
    });

    test('DEBUG: refused by the ACL (the server refuses it even earlier, by configuration)', async () => {
      expect(await refusal(acme.call('DEBUG', 'SLEEP', '0'))).toMatch(/^ERR DEBUG command not allowed/);
      expect(await cell.server.admin.call('ACL', 'DRYRUN', 'tib-acme', 'DEBUG', 'SLEEP', '0')).toBe("This user has no permissions to run the 'debug' command");
    });

    test('RESET cannot be refused by any ACL (no_auth command): it drops the connection to the disabled default user', async () => {
      // This is why every cell replaces ElastiCache's built-in `default` user (on, nopass, ~* +@all):
      // with it, RESET would turn any tenant connection into a full-access one.
      const c = cell.as('acme');
      expect(await c.call('RESET')).toBe('RESET');
      expect(await refusal(c.call('GET', `${A}x`))).toMatch(NOAUTH);
      expect(await refusal(c.call('GET', `${B}secret`))).toMatch(NOAUTH);
    });
  });

  describe("acme against acme-corp's channels: refused", () => {
    test.each(CHANNEL_ATTACKS)('%s', async (_name, argv) => {
      const c = cell.as('acme'); // fresh connection: a successful SUBSCRIBE would change its mode
      expect(await refusal(c.call(argv[0], ...argv.slice(1)))).toMatch(CHANNEL_REFUSED);
    });

    test("acme's pattern subscription receives its own messages and none of acme-corp's", async () => {
      const sub = cell.as('acme');
      const received: string[] = [];
      sub.on('pmessage', (_p: string, channel: string, message: string) => received.push(`${channel}=${message}`));
      expect(await sub.psubscribe(`${A}*`)).toBe(1);
      expect(await acmeCorp.call('PUBLISH', `${B}events`, 'corp-only')).toBe(0);
      expect(await acme.call('PUBLISH', `${A}events`, 'mine')).toBe(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(received).toEqual([`${A}events=mine`]);
    });
  });

  describe('authentication', () => {
    test('an unauthenticated connection is the disabled default user and can run nothing', async () => {
      const anon = cell.server.client(undefined, undefined, 2);
      expect(await refusal(anon.call('PING'))).toMatch(NOAUTH);
      expect(await refusal(anon.call('GET', `${B}secret`))).toMatch(NOAUTH);
      expect(await refusal(anon.call('KEYS', '*'))).toMatch(NOAUTH);
    });

    test('the default user cannot authenticate, even with its own password', async () => {
      expect(cell.defaultUser.accessString).toBe('off resetchannels -@all');
      const anon = cell.server.client(undefined, undefined, 2);
      expect(await refusal(anon.call('AUTH', 'default', cell.defaultPassword))).toMatch(WRONGPASS);
      expect(await refusal(anon.call('AUTH', cell.defaultPassword))).toMatch(WRONGPASS);
      expect(await refusal(anon.call('HELLO', '2', 'AUTH', 'default', cell.defaultPassword))).toMatch(WRONGPASS);
    });

    test("a retired tenant's user is not in the cell at all: it cannot authenticate", async () => {
      expect(cell.passwords.has('tib-initech')).toBe(false);
      const anon = cell.server.client(undefined, undefined, 2);
      expect(await refusal(anon.call('AUTH', 'tib-initech', 'any-password-at-all'))).toMatch(WRONGPASS);
    });

    test('acme cannot authenticate as acme-corp with its own password', async () => {
      const anon = cell.server.client(undefined, undefined, 2);
      expect(await refusal(anon.call('AUTH', 'tib-acme-corp', cell.passwords.get('tib-acme')!))).toMatch(WRONGPASS);
    });
  });

  test("after every attack, acme-corp's data and the users are exactly as before", async () => {
    expect(await snapshotOfB()).toBe(snapshot);
  });

  describe("acme's own cache work succeeds", () => {
    test('strings, counters and expiry', async () => {
      expect(await acme.set(`${A}page:1`, 'html', 'EX', 60)).toBe('OK');
      expect(await acme.get(`${A}page:1`)).toBe('html');
      expect(await acme.ttl(`${A}page:1`)).toBeGreaterThan(0);
      expect(await acme.incr(`${A}hits`)).toBe(1);
      expect(await acme.incrby(`${A}hits`, 5)).toBe(6);
      expect(await acme.expire(`${A}hits`, 30)).toBe(1);
      expect(await acme.persist(`${A}hits`)).toBe(1);
      expect(await acme.mset(`${A}a`, '1', `${A}b`, '2')).toBe('OK');
      expect(await acme.mget(`${A}a`, `${A}b`)).toEqual(['1', '2']);
      expect(await acme.getex(`${A}a`, 'PX', 5000)).toBe('1');
      expect(await acme.rename(`${A}b`, `${A}c`)).toBe('OK');
      expect(await acme.copy(`${A}c`, `${A}d`)).toBe(1);
      expect(await acme.del(`${A}a`, `${A}c`, `${A}d`)).toBe(3);
    });

    test('hashes, lists, sets, sorted sets, hyperloglog', async () => {
      expect(await acme.hset(`${A}user:1`, 'name', 'Ada', 'plan', 'pro')).toBe(2);
      expect(await acme.hgetall(`${A}user:1`)).toEqual({ name: 'Ada', plan: 'pro' });
      expect(await acme.lpush(`${A}jobs`, 'j1', 'j2')).toBe(2);
      expect(await acme.lrange(`${A}jobs`, 0, -1)).toEqual(['j2', 'j1']);
      expect(await acme.sadd(`${A}tags`, 't1', 't2')).toBe(2);
      expect(await acme.sunionstore(`${A}all`, `${A}tags`, `${A}s`)).toBe(3);
      expect(await acme.zadd(`${A}rank`, 2, 'b', 1, 'a')).toBe(2);
      expect(await acme.zrange(`${A}rank`, '0', '-1')).toEqual(['a', 'b']);
      expect(await acme.pfadd(`${A}visitors`, 'u1', 'u2')).toBe(1);
      expect(await acme.pfcount(`${A}visitors`)).toBe(2);
      expect(await acme.hscan(`${A}user:1`, '0')).toEqual(['0', expect.arrayContaining(['name', 'Ada'])]);
    });

    test('transactions and WATCH on its own keys', async () => {
      const c = cell.as('acme');
      expect(await c.call('WATCH', `${A}x`)).toBe('OK');
      expect(await c.multi().set(`${A}tx`, 'v').incr(`${A}txn`).exec()).toEqual([
        [null, 'OK'],
        [null, 1],
      ]);
    });

    test('connection commands', async () => {
      expect(await acme.ping()).toBe('PONG');
      expect(await acme.call('ECHO', 'hi')).toBe('hi');
      expect(await acme.call('CLIENT', 'SETNAME', 'worker-1')).toBe('OK');
      expect(await acme.call('CLIENT', 'GETNAME')).toBe('worker-1');
      expect(typeof (await acme.call('CLIENT', 'ID'))).toBe('number');
      expect(await acme.call('AUTH', 'tib-acme', cell.passwords.get('tib-acme')!)).toBe('OK');
      expect(Number(await acme.call('COMMAND', 'COUNT'))).toBeGreaterThan(100);
    });
  });
});
