/**
 * Reading a Redis/Valkey ACL access string (ElastiCache User Guide, Clusters.RBAC "Specifying
 * permissions using an access string"; Redis ACL rules) to the extent these rules need: which
 * key and channel patterns it reaches and which keyless or server-wide commands stay allowed
 * after the rules are applied in order.
 */
import { KEYLESS_TENANT_COMMANDS } from '../../../core/cache-acl';

/**
 * Commands that declare no keys or act on the whole server, so a key pattern does not confine
 * them (valkey-io/valkey#370, redis/redis#8152): listing, counting, erasing everyone's keys,
 * listing channels, or administering the server. Each with every ACL category a subcommand of it
 * is in (Redis 7.0 `ACL CAT <category>`); test/boundaries/cache/nag-rules.test.ts checks this table against a
 * real redis-server, so a category missing here fails the build.
 */
export const KEYLESS_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  keys: ['keyspace', 'read', 'slow', 'dangerous'],
  scan: ['keyspace', 'read', 'slow'],
  randomkey: ['keyspace', 'read', 'slow'],
  dbsize: ['keyspace', 'read', 'fast'],
  flushall: ['keyspace', 'write', 'slow', 'dangerous'],
  flushdb: ['keyspace', 'write', 'slow', 'dangerous'],
  swapdb: ['keyspace', 'write', 'fast', 'dangerous'],
  move: ['keyspace', 'write', 'fast'],
  migrate: ['keyspace', 'write', 'slow', 'dangerous'],
  info: ['slow', 'dangerous'],
  monitor: ['admin', 'slow', 'dangerous'],
  config: ['admin', 'slow', 'dangerous'],
  debug: ['admin', 'slow', 'dangerous'],
  shutdown: ['admin', 'slow', 'dangerous'],
  save: ['admin', 'slow', 'dangerous'],
  bgsave: ['admin', 'slow', 'dangerous'],
  bgrewriteaof: ['admin', 'slow', 'dangerous'],
  replicaof: ['admin', 'slow', 'dangerous'],
  slaveof: ['admin', 'slow', 'dangerous'],
  sync: ['admin', 'slow', 'dangerous'],
  psync: ['admin', 'slow', 'dangerous'],
  client: ['admin', 'slow', 'dangerous', 'connection'],
  acl: ['admin', 'slow', 'dangerous'],
  cluster: ['admin', 'slow', 'dangerous'],
  module: ['admin', 'slow', 'dangerous'],
  failover: ['admin', 'slow', 'dangerous'],
  pubsub: ['pubsub', 'slow'],
  script: ['slow', 'scripting'],
  function: ['write', 'slow', 'scripting'],
};

/**
 * Single subcommands of a keyless container that reach no other tenant: the reviewed list of the
 * cache boundary (lib/core/cache-acl.ts, each with its reason, proven against a real server).
 */
export const HARMLESS_SUBCOMMANDS: readonly string[] = Object.keys(KEYLESS_TENANT_COMMANDS).filter((c) => c.includes('|'));

export interface AccessString {
  /** `on` was the last on/off token. */
  readonly enabled: boolean;
  /** Key patterns (after `~`, `%R~`, `%W~`, `%RW~`; `allkeys` is `*`). */
  readonly keyPatterns: string[];
  /** Channel patterns (after `&`; `allchannels` is `*`). */
  readonly channelPatterns: string[];
  /** Keyless/server-wide commands allowed at the end. */
  readonly keylessCommands: string[];
  /** Whether any `+` rule (command or category) was given. */
  readonly grantsCommands: boolean;
}

export function parseAccessString(text: string): AccessString {
  let enabled = false;
  let grantsCommands = false;
  const keyPatterns: string[] = [];
  const channelPatterns: string[] = [];
  const allowed = new Set<string>();
  const inCategory = (cat: string) =>
    Object.keys(KEYLESS_COMMANDS).filter((c) => cat === 'all' || KEYLESS_COMMANDS[c].includes(cat));
  for (const raw of text.trim().split(/\s+/)) {
    const t = raw.toLowerCase();
    if (t === '') continue;
    if (t === 'on') enabled = true;
    else if (t === 'off') enabled = false;
    else if (t === 'allkeys') keyPatterns.push('*');
    else if (t === 'resetkeys') keyPatterns.length = 0;
    else if (t === 'allchannels') channelPatterns.push('*');
    else if (t === 'resetchannels') channelPatterns.length = 0;
    else if (t === 'allcommands') {
      grantsCommands = true;
      inCategory('all').forEach((c) => allowed.add(c));
    } else if (t === 'nocommands') allowed.clear();
    else if (/^(%r?w?~|~)/.test(t)) keyPatterns.push(raw.replace(/^%[RrWw]*~|^~/, ''));
    else if (t.startsWith('&')) channelPatterns.push(raw.slice(1));
    else if (t.startsWith('+@')) {
      grantsCommands = true;
      inCategory(t.slice(2)).forEach((c) => allowed.add(c));
    } else if (t.startsWith('-@')) inCategory(t.slice(2)).forEach((c) => allowed.delete(c));
    else if (t.startsWith('+')) {
      grantsCommands = true;
      const cmd = t.slice(1).split('|')[0];
      // A reviewed harmless subcommand (`+client|setname`, `+cluster|slots`) does not open its container.
      if (cmd in KEYLESS_COMMANDS && !HARMLESS_SUBCOMMANDS.includes(t.slice(1))) allowed.add(cmd);
    } else if (t.startsWith('-')) {
      // `-cmd|sub` removes one subcommand only: the container stays allowed.
      if (!t.includes('|')) allowed.delete(t.slice(1));
    }
  }
  return { enabled, keyPatterns, channelPatterns, keylessCommands: [...allowed].sort(), grantsCommands };
}
