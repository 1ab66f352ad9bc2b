/**
 * Cache access strings read as Redis ACL rules (ElastiCache User Guide, Clusters.RBAC; Redis
 * ACL docs): `on|off`, `~pattern`, `%R~` / `%W~` / `%RW~`, `allkeys`, `resetkeys`, `&pattern`,
 * `allchannels`, `resetchannels`, `+@category`, `-@category`, `+cmd`, `-cmd`, `+cmd|sub`,
 * `allcommands`, `nocommands`. Rules apply left to right; for a command the last matching rule wins.
 */

/** Commands that declare no keys but read, list or erase data of every tenant, with their Redis 7.0 ACL categories. */
export const KEYLESS_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  keys: ['keyspace', 'read', 'slow', 'dangerous'],
  scan: ['keyspace', 'read', 'slow'],
  randomkey: ['keyspace', 'read', 'slow'],
  dbsize: ['keyspace', 'read', 'fast'],
  flushall: ['keyspace', 'write', 'slow', 'dangerous'],
  flushdb: ['keyspace', 'write', 'slow', 'dangerous'],
  swapdb: ['keyspace', 'write', 'fast', 'dangerous'],
  monitor: ['admin', 'slow', 'dangerous'],
  'client|list': ['admin', 'slow', 'dangerous', 'connection'],
  'config|get': ['admin', 'slow', 'dangerous'],
  'slowlog|get': ['admin', 'slow', 'dangerous'],
  'pubsub|channels': ['pubsub', 'slow'],
  'pubsub|numsub': ['pubsub', 'slow'],
  'script|flush': ['slow', 'scripting'],
  'function|flush': ['write', 'slow', 'scripting'],
  debug: ['admin', 'slow', 'dangerous'],
};

export interface AclUser {
  readonly enabled: boolean;
  /** Key patterns (any access mode); `*` for allkeys. */
  readonly keyPatterns: readonly string[];
  readonly channelPatterns: readonly string[];
  readonly commandRules: ReadonlyArray<{ readonly allow: boolean; readonly target: string }>;
  readonly unknownTokens: readonly string[];
}

export function parseAccessString(s: string): AclUser {
  let enabled = false;
  let keys: string[] = [];
  let channels: string[] = [];
  const rules: Array<{ allow: boolean; target: string }> = [];
  const unknown: string[] = [];
  for (const tok of s.split(/\s+/).filter(Boolean)) {
    const t = tok.toLowerCase();
    if (t === 'on') enabled = true;
    else if (t === 'off') enabled = false;
    else if (t === 'allkeys') keys.push('*');
    else if (t === 'resetkeys') keys = [];
    else if (t === 'allchannels') channels.push('*');
    else if (t === 'resetchannels') channels = [];
    else if (t === 'allcommands') rules.push({ allow: true, target: '@all' });
    else if (t === 'nocommands') rules.push({ allow: false, target: '@all' });
    else if (tok.startsWith('~')) keys.push(tok.slice(1));
    else if (/^%(r|w|rw)~/i.test(tok)) keys.push(tok.slice(tok.indexOf('~') + 1));
    else if (tok.startsWith('&')) channels.push(tok.slice(1));
    else if (tok.startsWith('+') || tok.startsWith('-')) rules.push({ allow: tok[0] === '+', target: t.slice(1) });
    else if (t === 'nopass' || t === 'resetpass' || t === 'reset') {
      /* credentials: not an authorization question */
    } else unknown.push(tok);
  }
  return { enabled, keyPatterns: keys, channelPatterns: channels, commandRules: rules, unknownTokens: unknown };
}

/** Whether the user may run `command` (`name` or `name|sub`), given its categories. */
export function commandAllowed(user: AclUser, command: string, categories: readonly string[]): boolean {
  let allowed = false;
  const parent = command.split('|')[0];
  for (const r of user.commandRules) {
    const matches =
      r.target === '@all' ||
      (r.target.startsWith('@') && categories.includes(r.target.slice(1))) ||
      r.target === command ||
      r.target === parent;
    if (matches) allowed = r.allow;
  }
  return allowed;
}

/** The keyless commands the user may run. */
export function allowedKeylessCommands(user: AclUser): string[] {
  return Object.entries(KEYLESS_COMMANDS)
    .filter(([cmd, cats]) => commandAllowed(user, cmd, cats))
    .map(([cmd]) => cmd);
}

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
