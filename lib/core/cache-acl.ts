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
 *
 * The same module is the ACL model every checker uses (TI-CACHE1/2 at synth, the audit's cache
 * checks): `parseAccessString` reads any access string, `commandReach` classifies every command
 * and subcommand of the reference engine (cache-command-table.ts, generated from a real server's
 * `COMMAND` table), and `unconfinedCommands` says which commands a user keeps that its key and
 * channel patterns do not confine. test/boundaries/cache/cache-acl-model.test.ts proves the table
 * equals the server's and that nag and audit agree on a grant of every command.
 */
import { CACHE_COMMAND_TABLE, CACHE_COMMAND_TABLE_ENGINE } from './cache-command-table';
import { cacheKeyPrefix, TenantRef } from './namespace';

/**
 * Data commands. Each declares its keys (COMMAND INFO key specs), so the key pattern confines
 * it; a test proves that against the real server's command table.
 */
export const KEYED_TENANT_COMMANDS: readonly string[] = [
  // strings
  'append',
  'decr',
  'decrby',
  'get',
  'getdel',
  'getex',
  'getrange',
  'getset',
  'incr',
  'incrby',
  'incrbyfloat',
  'lcs',
  'mget',
  'mset',
  'msetnx',
  'psetex',
  'set',
  'setex',
  'setnx',
  'setrange',
  'strlen',
  'substr',
  // key lifecycle (within the tenant's own keys)
  'copy',
  'del',
  'exists',
  'expire',
  'expireat',
  'expiretime',
  'persist',
  'pexpire',
  'pexpireat',
  'pexpiretime',
  'pttl',
  'rename',
  'renamenx',
  'touch',
  'ttl',
  'type',
  'unlink',
  // hashes (HSCAN iterates one hash, a declared key)
  'hdel',
  'hexists',
  'hget',
  'hgetall',
  'hincrby',
  'hincrbyfloat',
  'hkeys',
  'hlen',
  'hmget',
  'hmset',
  'hrandfield',
  'hscan',
  'hset',
  'hsetnx',
  'hstrlen',
  'hvals',
  // lists
  'blmove',
  'blmpop',
  'blpop',
  'brpop',
  'brpoplpush',
  'lindex',
  'linsert',
  'llen',
  'lmove',
  'lmpop',
  'lpop',
  'lpos',
  'lpush',
  'lpushx',
  'lrange',
  'lrem',
  'lset',
  'ltrim',
  'rpop',
  'rpoplpush',
  'rpush',
  'rpushx',
  // sets
  'sadd',
  'scard',
  'sdiff',
  'sdiffstore',
  'sinter',
  'sintercard',
  'sinterstore',
  'sismember',
  'smembers',
  'smismember',
  'smove',
  'spop',
  'srandmember',
  'srem',
  'sscan',
  'sunion',
  'sunionstore',
  // sorted sets
  'bzmpop',
  'bzpopmax',
  'bzpopmin',
  'zadd',
  'zcard',
  'zcount',
  'zdiff',
  'zdiffstore',
  'zincrby',
  'zinter',
  'zintercard',
  'zinterstore',
  'zlexcount',
  'zmpop',
  'zmscore',
  'zpopmax',
  'zpopmin',
  'zrandmember',
  'zrange',
  'zrangebylex',
  'zrangebyscore',
  'zrangestore',
  'zrank',
  'zrem',
  'zremrangebylex',
  'zremrangebyrank',
  'zremrangebyscore',
  'zrevrange',
  'zrevrangebylex',
  'zrevrangebyscore',
  'zrevrank',
  'zscan',
  'zscore',
  'zunion',
  'zunionstore',
  // hyperloglog, bitmaps
  'pfadd',
  'pfcount',
  'bitcount',
  'bitfield',
  'bitfield_ro',
  'bitop',
  'bitpos',
  'getbit',
  'setbit',
  // transactions: WATCH declares keys
  'watch',
];

/**
 * Pub/sub commands: they name channels, which the `&pattern` confines. PSUBSCRIBE is allowed
 * only with a pattern literally equal to the tenant's own (`tenant:<id>:*`): Redis compares
 * subscription patterns as strings, it does not ask whether one pattern covers another.
 */
export const CHANNEL_TENANT_COMMANDS: readonly string[] = ['publish', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'spublish', 'ssubscribe', 'sunsubscribe'];

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
  discard: "drops this connection's queued transaction",
  unwatch: "forgets this connection's WATCHed keys",
  'client|setname': 'names this connection',
  'client|getname': "reads this connection's name",
  'client|id': "reads this connection's id",
  readonly: 'cluster mode: lets this connection read from replicas',
  readwrite: 'cluster mode: undoes READONLY on this connection',
  asking: 'cluster mode: follows an ASK redirect on this connection',
  'cluster|slots': 'cluster topology (slot ranges and node endpoints); no key names or data',
  'cluster|shards': 'cluster topology (slot ranges and node endpoints); no key names or data',
  'cluster|nodes': 'cluster topology (slot ranges and node endpoints); no key names or data',
  command: "the server's static command table (names, arity, key positions); no data",
};

/**
 * Refused on purpose although some declare keys — kept as a list so reviewers see the choice
 * (everything not allowed is refused anyway; this list is documentation and a test fixture).
 */
export const REFUSED_WITH_REASON: Readonly<Record<string, string>> = {
  keys: "no declared keys: lists every tenant's keys",
  scan: "no declared keys: iterates every tenant's keys",
  randomkey: "no declared keys: returns any tenant's key name",
  dbsize: "no declared keys: counts every tenant's keys",
  flushall: "no declared keys: erases every tenant's keys",
  flushdb: "no declared keys: erases every tenant's keys",
  swapdb: 'no declared keys: swaps whole databases',
  select: 'switches database; a serverless cache has only database 0',
  move: "moves a key into another database, outside the cache's single namespace",
  migrate: 'copies keys to another server',
  dump: 'serialised values are not needed by a cache and ease exfiltration',
  restore: 'writes raw serialised values',
  object: 'encoding and idle-time introspection; not needed by a cache',
  pfmerge:
    "Redis 7.0.15 lets `PFMERGE <destkey>` with no source key past the key pattern (key extraction fails, the ACL sees no key): it creates or probes another tenant's key. Proven in test/cache; refused until the engine checks it",
  sort: 'BY/GET patterns read external keys (Redis refuses them without ~*, refused here outright)',
  sort_ro: 'BY/GET patterns read external keys',
  eval: 'scripts: shared script cache, undeclared keys in Redis < 7',
  evalsha: "scripts: shared script cache (another tenant's script by hash)",
  eval_ro: 'scripts',
  evalsha_ro: 'scripts',
  script: 'SCRIPT FLUSH/EXISTS/LOAD act on the cache shared by all users',
  fcall: 'functions are libraries shared by all users',
  fcall_ro: 'functions',
  function: 'FUNCTION LOAD/DELETE/FLUSH change libraries other tenants call',
  client:
    "CLIENT LIST/INFO/KILL/PAUSE see or act on other tenants' connections; CLIENT TRACKING BCAST PREFIX receives invalidations for any prefix (accepted by Redis 7.0 for a user confined to its own keys)",
  monitor: 'streams every command of every client',
  info: 'keyspace sizes, client and command statistics of the whole server',
  config: 'server configuration',
  acl: 'user administration (ACL LIST shows every tenant user)',
  pubsub: "PUBSUB CHANNELS/NUMSUB/NUMPAT list other tenants' channels",
  slowlog: "shows other clients' commands with their arguments",
  latency: 'server diagnostics',
  memory: 'server memory diagnostics',
  debug: 'server debugging',
  module: 'loads code into the server',
  wait: 'replication barrier; not needed',
  waitaof: 'replication barrier; not needed',
  reset: 'returns the connection to the default user',
  shutdown: 'stops the server',
  save: 'persistence',
  bgsave: 'persistence',
  bgrewriteaof: 'persistence',
  lastsave: 'persistence',
  replicaof: 'replication',
  slaveof: 'replication',
  failover: 'replication',
  sync: 'replication',
  psync: 'replication',
  role: 'replication topology',
  time: 'not needed',
  lolwut: 'not needed',
  'cluster|getkeysinslot': "lists any tenant's keys in a slot",
  'cluster|countkeysinslot': "counts any tenant's keys in a slot",
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
  return [options.enabled === false ? 'off' : 'on', 'resetchannels', '-@all', ...tenantAllowedCommands().map((c) => `+${c}`), `~${prefix}*`, `&${prefix}*`].join(' ');
}

/**
 * The access string of each cell's mandatory `default` user (a user group must contain a user
 * named `default`; ElastiCache User Guide, Clusters.RBAC): disabled, no commands, no keys, no
 * channels. An unauthenticated connection is the default user, so it can run nothing.
 */
export const DISABLED_DEFAULT_USER_ACCESS_STRING = 'off resetchannels -@all';

// ---------------------------------------------------------------------------------------------
// The ACL model: reading any access string and deciding what its patterns do not confine.
// ---------------------------------------------------------------------------------------------

/**
 * Keyless commands and subcommands that the tenant allow-list does not grant but that reach no
 * other tenant (connection-local or static), each with its reason. A grant of one of them is not
 * a finding; every other keyless command is (listing, counting, erasing, administering).
 * Every `<container>|help` subcommand is static help text and is reviewed here as a rule.
 */
export const REVIEWED_CONFINED_KEYLESS: Readonly<Record<string, string>> = {
  time: 'returns the server clock',
  lolwut: 'prints the server version as art',
  lastsave: 'timestamp of the last snapshot; no data',
  select: "switches this connection's database; the key and channel patterns apply in every database",
  wait: "waits for this connection's writes to replicate",
  reset: 'returns this connection to the default user (disabled in every cell)',
  pfselftest: 'tests the HyperLogLog implementation on internal data',
  'client|info': 'describes this connection only',
  'client|reply': 'switches replies of this connection',
  'client|caching': "tracking hint for this connection's next command (needs CLIENT TRACKING, which is not confined)",
  'client|trackinginfo': 'tracking state of this connection',
  'client|getredir': 'tracking redirect of this connection',
  'cluster|keyslot': 'hash slot of the given string; no data',
  'acl|whoami': 'the user name of this connection',
  'acl|cat': "the server's static list of ACL categories",
  'acl|genpass': "returns random bytes from the server's generator",
  'cluster|myid': "this node's id; no data",
};

/**
 * Commands that declare keys and still reach beyond the key pattern, each with its reason: the
 * pattern decides which key names a command may touch, not where the value goes.
 */
export const KEYED_BUT_UNCONFINED: Readonly<Record<string, string>> = {
  migrate: 'copies keys to a server the caller names: the key pattern does not bound the destination',
  move: "moves a key into another database, outside the cache's single namespace",
  pfmerge: REFUSED_WITH_REASON.pfmerge,
};

/** How far a command reaches when a user's key and channel patterns are its own. */
export type CommandReach =
  /** declares keys: the key patterns confine it */
  | 'keys'
  /** pub/sub on named channels: the channel patterns confine it */
  | 'channels'
  /** connection-local or static: reaches no data (KEYLESS_TENANT_COMMANDS, REVIEWED_CONFINED_KEYLESS) */
  | 'connection'
  /** reaches beyond the patterns: other tenants' keys, channels, connections, or the whole server */
  | 'unconfined';

const containerOf = (command: string) => command.split('|')[0];

/**
 * The reach of one command or subcommand (`client|list`). A name the reference table does not
 * hold is `unconfined`: nothing proves what it touches.
 */
export function commandReach(command: string): CommandReach {
  const c = command.toLowerCase();
  if (c in KEYED_BUT_UNCONFINED) return 'unconfined';
  if (CHANNEL_TENANT_COMMANDS.includes(c)) return 'channels';
  const entry = CACHE_COMMAND_TABLE[c];
  if (entry?.keys) return 'keys';
  if (c in KEYLESS_TENANT_COMMANDS || containerOf(c) in KEYLESS_TENANT_COMMANDS) return 'connection';
  if (c in REVIEWED_CONFINED_KEYLESS || (c.includes('|') && c.endsWith('|help') && entry)) return 'connection';
  return 'unconfined';
}

/**
 * Cache access strings read as Redis ACL rules (ElastiCache User Guide, Clusters.RBAC
 * "Specifying permissions using an access string"; Redis ACL rules): `on|off`, `~pattern`,
 * `%R~` / `%W~` / `%RW~`, `allkeys`, `resetkeys`, `&pattern`, `allchannels`, `resetchannels`,
 * `+@category`, `-@category`, `+cmd`, `-cmd`, `+cmd|sub`, `-cmd|sub`, `allcommands`,
 * `nocommands`, `reset`. Rules apply left to right; for a command the last matching rule wins.
 */
export interface AccessString {
  /** `on` was the last on/off token. */
  readonly enabled: boolean;
  /** Key patterns (after `~`, `%R~`, `%W~`, `%RW~`; `allkeys` is `*`), any access mode. */
  readonly keyPatterns: readonly string[];
  /** Channel patterns (after `&`; `allchannels` is `*`). */
  readonly channelPatterns: readonly string[];
  /** Command rules in order (`@all` for allcommands/nocommands). */
  readonly commandRules: ReadonlyArray<{ readonly allow: boolean; readonly target: string }>;
  /** Whether any rule grants a command or category. */
  readonly grantsCommands: boolean;
  /** Tokens that are no ACL rule. */
  readonly unknownTokens: readonly string[];
}

export function parseAccessString(text: string): AccessString {
  let enabled = false;
  let keyPatterns: string[] = [];
  let channelPatterns: string[] = [];
  let commandRules: Array<{ allow: boolean; target: string }> = [];
  const unknownTokens: string[] = [];
  for (const raw of text.trim().split(/\s+/).filter(Boolean)) {
    const t = raw.toLowerCase();
    if (t === 'on') enabled = true;
    else if (t === 'off') enabled = false;
    else if (t === 'allkeys') keyPatterns.push('*');
    else if (t === 'resetkeys') keyPatterns = [];
    else if (t === 'allchannels') channelPatterns.push('*');
    else if (t === 'resetchannels') channelPatterns = [];
    else if (t === 'allcommands') commandRules.push({ allow: true, target: '@all' });
    else if (t === 'nocommands') commandRules.push({ allow: false, target: '@all' });
    else if (t === 'reset') {
      // Redis: `resetpass resetkeys resetchannels off -@all` (ElastiCache refuses it; read as Redis does).
      enabled = false;
      keyPatterns = [];
      channelPatterns = [];
      commandRules = [];
    } else if (/^(%r?w?~|~)/.test(t)) keyPatterns.push(raw.replace(/^%[RrWw]*~|^~/, ''));
    else if (t.startsWith('&')) channelPatterns.push(raw.slice(1));
    else if (t.length > 1 && (t.startsWith('+') || t.startsWith('-'))) commandRules.push({ allow: t[0] === '+', target: t.slice(1) });
    else if (t === 'nopass' || t === 'resetpass') {
      /* credentials: not an authorization question */
    } else unknownTokens.push(raw);
  }
  return { enabled, keyPatterns, channelPatterns, commandRules, grantsCommands: commandRules.some((r) => r.allow), unknownTokens };
}

/** The commands a rule list is evaluated on: every runnable entry of the table, and any name a rule gives that the table lacks. */
function runnableCommands(acl: AccessString): string[] {
  const known = Object.keys(CACHE_COMMAND_TABLE).filter((c) => !CACHE_COMMAND_TABLE[c].subcommands);
  const named = acl.commandRules.map((r) => r.target).filter((t) => !t.startsWith('@') && !(t in CACHE_COMMAND_TABLE) && !(containerOf(t) in CACHE_COMMAND_TABLE));
  return [...new Set([...known, ...named])];
}

/**
 * Commands the server runs for any user, whatever its rules (Redis `no-auth` commands: a
 * connection must be able to authenticate and leave). All four are connection-local.
 */
export const RUN_WITHOUT_ACL_CHECK: readonly string[] = ['auth', 'hello', 'quit', 'reset'];

/**
 * Whether the user may run `command` (`name` or `container|sub`), the way the server decides:
 * the last rule that matches it wins. `+container` grants every subcommand; `-container|sub`
 * removes one. `+cmd|arg` on a command without subcommands (first-argument form) counts as a
 * grant of the command (it allows part of it), `-cmd|arg` as no removal: both err toward allowed.
 */
export function commandAllowed(acl: AccessString, command: string): boolean {
  const c = command.toLowerCase();
  if (RUN_WITHOUT_ACL_CHECK.includes(c)) return true;
  const categories = CACHE_COMMAND_TABLE[c]?.categories ?? [];
  const container = containerOf(c);
  const isSub = c.includes('|') && CACHE_COMMAND_TABLE[container]?.subcommands === true;
  let allowed = false;
  for (const r of acl.commandRules) {
    const t = r.target;
    let matches: boolean;
    if (t === '@all') matches = true;
    else if (t.startsWith('@')) matches = categories.includes(t.slice(1));
    else if (t === c || t === container) matches = true;
    else if (!isSub && containerOf(t) === c)
      matches = r.allow; // first-argument form
    else matches = false;
    if (matches) allowed = r.allow;
  }
  return allowed;
}

/**
 * The commands (container names: `client` for CLIENT LIST) the user may run that its key and
 * channel patterns do not confine (commandReach `unconfined`), sorted. Empty for a tenant user
 * of this blueprint. Evaluated against the reference engine's full command table, so a category
 * grant (`+@read`, `+@all -@dangerous`) is judged by every command and subcommand it reaches.
 */
export function unconfinedCommands(acl: AccessString): readonly string[] {
  // It reads only the command rules (key and channel patterns do not enter it), and every tenant
  // user of a cell has the same ones: evaluated once per distinct rule list, for TI-CACHE1 and the
  // audit alike (about 1.5 s each at 1,000 tenants otherwise). The result is the same.
  const key = JSON.stringify(acl.commandRules.map((r) => [r.allow, r.target]));
  let found = unconfinedByRules.get(key);
  if (found === undefined) {
    if (unconfinedByRules.size >= MAX_MEMOIZED_RULE_LISTS) unconfinedByRules.clear();
    const out = new Set<string>();
    for (const c of runnableCommands(acl)) {
      if (commandReach(c) === 'unconfined' && commandAllowed(acl, c)) out.add(containerOf(c));
    }
    found = Object.freeze([...out].sort());
    unconfinedByRules.set(key, found);
  }
  return found;
}

const unconfinedByRules = new Map<string, readonly string[]>();
const MAX_MEMOIZED_RULE_LISTS = 256;

/** Which engine's command table the model evaluates against. */
export const CACHE_ACL_MODEL_ENGINE = CACHE_COMMAND_TABLE_ENGINE;

/** Redis glob (stringmatchlen): `*`, `?`, `[...]` with ranges and `^`, and `\` escapes. */
export function redisGlobMatch(pattern: string, value: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let cls = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('^')) cls = '^' + cls.slice(1);
        re += `[${cls}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(value);
}
