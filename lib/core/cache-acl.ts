/**
 * Cache access strings: the one source of truth for what a tenant's ElastiCache user may do.
 *
 * The construct (lib/boundaries/cache/cache.ts) writes these strings into AWS::ElastiCache::User, the
 * real-server suite (test/cache) loads them from the synthesized template into redis-server,
 * and `policies/cache/` holds a reviewed copy that a test keeps equal to this module.
 *
 * Rules (Redis/Valkey ACL syntax, ElastiCache User Guide, Clusters.RBAC):
 * - An allow-list of COMMANDS by name, never categories: a category (`+@string`) silently grows
 *   when an engine upgrade adds a command, an explicit name does not.
 * - Every allowed command either declares its keys or channels (so the key pattern applies to
 *   it) or is a connection-local command reviewed below (KEYLESS_TENANT_COMMANDS). Commands that
 *   declare no keys ignore `~pattern` (valkey-io/valkey#370, redis/redis#8152): SCAN, KEYS,
 *   RANDOMKEY, DBSIZE, FLUSHALL... would list or erase every tenant's keys, so they are absent.
 * - Keys `~tenant:<id>:*` and channels `&tenant:<id>:*` (namespace.ts): the prefix ends in `:`,
 *   which a TenantId cannot contain, so `tenant:acme:*` never matches `tenant:acme-corp:x`. A
 *   TenantId's alphabet `[a-z0-9-]` holds no glob character (`* ? [ ] \`), so the id is literal.
 * - `resetchannels` first: under `acl-pubsub-default allchannels` (the Redis 6.2 default) adding
 *   `&pattern` to a user that already has all channels is an error, and the tenant would keep
 *   every channel. Starting from no channels makes the string mean the same on every server.
 * - No password and no `reset` inside (ElastiCache refuses both; passwords go through the API).
 */
import { cacheKeyPrefix, TenantRef } from './namespace';

/**
 * Data commands. Each declares its keys (COMMAND INFO key specs), so the key pattern confines
 * it; a test proves that against the real server's command table.
 */
export const KEYED_TENANT_COMMANDS: readonly string[] = [
  // strings
  'append', 'decr', 'decrby', 'get', 'getdel', 'getex', 'getrange', 'getset', 'incr', 'incrby',
  'incrbyfloat', 'lcs', 'mget', 'mset', 'msetnx', 'psetex', 'set', 'setex', 'setnx', 'setrange',
  'strlen', 'substr',
  // key lifecycle (within the tenant's own keys)
  'copy', 'del', 'exists', 'expire', 'expireat', 'expiretime', 'persist', 'pexpire', 'pexpireat',
  'pexpiretime', 'pttl', 'rename', 'renamenx', 'touch', 'ttl', 'type', 'unlink',
  // hashes (HSCAN iterates one hash, a declared key)
  'hdel', 'hexists', 'hget', 'hgetall', 'hincrby', 'hincrbyfloat', 'hkeys', 'hlen', 'hmget',
  'hmset', 'hrandfield', 'hscan', 'hset', 'hsetnx', 'hstrlen', 'hvals',
  // lists
  'blmove', 'blmpop', 'blpop', 'brpop', 'brpoplpush', 'lindex', 'linsert', 'llen', 'lmove',
  'lmpop', 'lpop', 'lpos', 'lpush', 'lpushx', 'lrange', 'lrem', 'lset', 'ltrim', 'rpop',
  'rpoplpush', 'rpush', 'rpushx',
  // sets
  'sadd', 'scard', 'sdiff', 'sdiffstore', 'sinter', 'sintercard', 'sinterstore', 'sismember',
  'smembers', 'smismember', 'smove', 'spop', 'srandmember', 'srem', 'sscan', 'sunion',
  'sunionstore',
  // sorted sets
  'bzmpop', 'bzpopmax', 'bzpopmin', 'zadd', 'zcard', 'zcount', 'zdiff', 'zdiffstore', 'zincrby',
  'zinter', 'zintercard', 'zinterstore', 'zlexcount', 'zmpop', 'zmscore', 'zpopmax', 'zpopmin',
  'zrandmember', 'zrange', 'zrangebylex', 'zrangebyscore', 'zrangestore', 'zrank', 'zrem',
  'zremrangebylex', 'zremrangebyrank', 'zremrangebyscore', 'zrevrange', 'zrevrangebylex',
  'zrevrangebyscore', 'zrevrank', 'zscan', 'zscore', 'zunion', 'zunionstore',
  // hyperloglog, bitmaps
  'pfadd', 'pfcount', 'bitcount', 'bitfield', 'bitfield_ro', 'bitop', 'bitpos',
  'getbit', 'setbit',
  // transactions: WATCH declares keys
  'watch',
];

/**
 * Pub/sub commands: they name channels, which the `&pattern` confines. PSUBSCRIBE is allowed
 * only with a pattern literally equal to the tenant's own (`tenant:<id>:*`): Redis compares
 * subscription patterns as strings, it does not ask whether one pattern covers another.
 */
export const CHANNEL_TENANT_COMMANDS: readonly string[] = [
  'publish', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe',
  'spublish', 'ssubscribe', 'sunsubscribe',
];

/**
 * Commands that declare no keys and are still allowed, each with the reason it cannot reach
 * another tenant. Everything else without keys is refused.
 */
export const KEYLESS_TENANT_COMMANDS: Readonly<Record<string, string>> = {
  auth: 'authenticates this connection (re-AUTH with a fresh token or rotated password)',
  hello: 'protocol negotiation and AUTH for this connection',
  ping: 'answers PONG; touches no data',
  echo: 'returns its argument',
  quit: 'closes this connection',
  multi: 'starts a transaction on this connection; each queued command is checked on its own',
  exec: 'runs the queued commands, each already checked at queue time',
  discard: 'drops this connection\'s queued transaction',
  unwatch: 'forgets this connection\'s WATCHed keys',
  'client|setname': 'names this connection',
  'client|getname': 'reads this connection\'s name',
  'client|id': 'reads this connection\'s id',
  readonly: 'cluster mode: lets this connection read from replicas',
  readwrite: 'cluster mode: undoes READONLY on this connection',
  asking: 'cluster mode: follows an ASK redirect on this connection',
  'cluster|slots': 'cluster topology (slot ranges and node endpoints); no key names or data',
  'cluster|shards': 'cluster topology (slot ranges and node endpoints); no key names or data',
  'cluster|nodes': 'cluster topology (slot ranges and node endpoints); no key names or data',
  command: 'the server\'s static command table (names, arity, key positions); no data',
};

/**
 * Refused on purpose although some declare keys — kept as a list so reviewers see the choice
 * (everything not allowed is refused anyway; this list is documentation and a test fixture).
 */
export const REFUSED_WITH_REASON: Readonly<Record<string, string>> = {
  keys: 'no declared keys: lists every tenant\'s keys',
  scan: 'no declared keys: iterates every tenant\'s keys',
  randomkey: 'no declared keys: returns any tenant\'s key name',
  dbsize: 'no declared keys: counts every tenant\'s keys',
  flushall: 'no declared keys: erases every tenant\'s keys',
  flushdb: 'no declared keys: erases every tenant\'s keys',
  swapdb: 'no declared keys: swaps whole databases',
  select: 'switches database; a serverless cache has only database 0',
  move: 'moves a key into another database, outside the cache\'s single namespace',
  migrate: 'copies keys to another server',
  dump: 'serialised values are not needed by a cache and ease exfiltration',
  restore: 'writes raw serialised values',
  object: 'encoding and idle-time introspection; not needed by a cache',
  pfmerge: 'Redis 7.0.15 lets `PFMERGE <destkey>` with no source key past the key pattern (key extraction fails, the ACL sees no key): it creates or probes another tenant\'s key. Proven in test/cache; refused until the engine checks it',
  sort: 'BY/GET patterns read external keys (Redis refuses them without ~*, refused here outright)',
  sort_ro: 'BY/GET patterns read external keys',
  eval: 'scripts: shared script cache, undeclared keys in Redis < 7',
  evalsha: 'scripts: shared script cache (another tenant\'s script by hash)',
  eval_ro: 'scripts', evalsha_ro: 'scripts',
  script: 'SCRIPT FLUSH/EXISTS/LOAD act on the cache shared by all users',
  fcall: 'functions are libraries shared by all users', fcall_ro: 'functions',
  function: 'FUNCTION LOAD/DELETE/FLUSH change libraries other tenants call',
  client: 'CLIENT LIST/INFO/KILL/PAUSE see or act on other tenants\' connections; CLIENT TRACKING BCAST PREFIX receives invalidations for any prefix (accepted by Redis 7.0 for a user confined to its own keys)',
  monitor: 'streams every command of every client',
  info: 'keyspace sizes, client and command statistics of the whole server',
  config: 'server configuration', acl: 'user administration (ACL LIST shows every tenant user)',
  pubsub: 'PUBSUB CHANNELS/NUMSUB/NUMPAT list other tenants\' channels',
  slowlog: 'shows other clients\' commands with their arguments',
  latency: 'server diagnostics', memory: 'server memory diagnostics',
  debug: 'server debugging', module: 'loads code into the server',
  wait: 'replication barrier; not needed', waitaof: 'replication barrier; not needed',
  reset: 'returns the connection to the default user',
  shutdown: 'stops the server', save: 'persistence', bgsave: 'persistence',
  bgrewriteaof: 'persistence', lastsave: 'persistence', replicaof: 'replication',
  slaveof: 'replication', failover: 'replication', sync: 'replication', psync: 'replication',
  role: 'replication topology', time: 'not needed', lolwut: 'not needed',
  'cluster|getkeysinslot': 'lists any tenant\'s keys in a slot',
  'cluster|countkeysinslot': 'counts any tenant\'s keys in a slot',
};

/** Every command a tenant user may run, sorted (ACL rule order does not matter for `+cmd`). */
export function tenantAllowedCommands(): string[] {
  return [...new Set([...KEYED_TENANT_COMMANDS, ...CHANNEL_TENANT_COMMANDS, ...Object.keys(KEYLESS_TENANT_COMMANDS)])].sort();
}

export interface TenantAccessStringOptions {
  /**
   * Whether the user may authenticate. Retired tenants keep their user (and their seat in the
   * cell) but `off`, so AUTH fails. Modifying a user keeps its open connections (AWS-FACTS.md):
   * retiring a tenant also means closing the application's pools for it.
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * The access string of a tenant's cache user:
 * `on resetchannels -@all +<commands...> ~tenant:<id>:* &tenant:<id>:*`.
 * `tenant` may be the literal id or, for templates, a placeholder reference.
 */
export function tenantAccessString(tenant: TenantRef, options: TenantAccessStringOptions = {}): string {
  const prefix = cacheKeyPrefix(tenant);
  return [
    options.enabled === false ? 'off' : 'on',
    'resetchannels',
    '-@all',
    ...tenantAllowedCommands().map((c) => `+${c}`),
    `~${prefix}*`,
    `&${prefix}*`,
  ].join(' ');
}

/**
 * The access string of each cell's mandatory `default` user (a user group must contain a user
 * named `default`; ElastiCache User Guide, Clusters.RBAC): disabled, no commands, no keys, no
 * channels. An unauthenticated connection is the default user, so it can run nothing.
 */
export const DISABLED_DEFAULT_USER_ACCESS_STRING = 'off resetchannels -@all';
