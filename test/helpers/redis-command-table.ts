/**
 * Test support: a real server's command table (`COMMAND`, Redis 7 reply: name, arity, flags,
 * first key, last key, step, ACL categories, tips, key specifications, subcommands), in the shape
 * of lib/core/cache-command-table.ts: every command and subcommand (`client|list`) with its ACL
 * categories and whether it declares keys (a non-empty key-specification list, Redis 7 "key specs":
 * commands like EVAL or ZUNION declare them with `numkeys` although their first-key field is 0).
 */
import Redis from 'ioredis';
import { CacheCommand } from '../../lib/core/cache-command-table';

type CommandReply = [string, number, string[], number, number, number, string[], unknown[], unknown[], CommandReply[]];

export async function readServerCommandTable(admin: Redis): Promise<Record<string, CacheCommand>> {
  const all = (await admin.call('COMMAND')) as CommandReply[];
  const out: Record<string, CacheCommand> = {};
  const add = (e: CommandReply) => {
    const subs = e[9] ?? [];
    out[e[0].toLowerCase()] = {
      keys: (e[8] ?? []).length > 0,
      categories: e[6].map((c) => c.replace(/^@/, '')).sort(),
      ...(subs.length > 0 ? { subcommands: true } : {}),
    };
    subs.forEach(add);
  };
  all.forEach(add);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The server's `COMMAND DOCS` summary of every command and subcommand (for messages). */
export async function readServerCommandDocs(admin: Redis): Promise<Record<string, string>> {
  const flat = (await admin.call('COMMAND', 'DOCS')) as unknown[];
  const out: Record<string, string> = {};
  const walk = (list: unknown[], parent?: string) => {
    for (let i = 0; i + 1 < list.length; i += 2) {
      const name = String(list[i]).toLowerCase();
      const doc = list[i + 1] as unknown[];
      const full = parent ? `${parent}|${name.split('|').pop()}` : name;
      for (let j = 0; j + 1 < doc.length; j += 2) {
        if (doc[j] === 'summary') out[full] = String(doc[j + 1]);
        if (doc[j] === 'subcommands') walk(doc[j + 1] as unknown[], full);
      }
    }
  };
  walk(flat);
  return out;
}

/** Arity of every command and subcommand (`COMMAND`: n exact, -n at least n, counting the names). */
export async function readServerArities(admin: Redis): Promise<Record<string, number>> {
  const all = (await admin.call('COMMAND')) as CommandReply[];
  const out: Record<string, number> = {};
  const add = (e: CommandReply) => {
    out[e[0].toLowerCase()] = e[1];
    (e[9] ?? []).forEach(add);
  };
  all.forEach(add);
  return out;
}
