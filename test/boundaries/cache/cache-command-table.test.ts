/**
 * The tenant access string, proven against the real server's whole command table.
 *
 * For every command and subcommand the server knows (COMMAND INFO), the server itself is asked
 * (ACL DRYRUN) whether tenant `acme` may run it. The test then proves:
 * 1. the server allows exactly the commands of lib/core/cache-acl.ts (no category drift);
 * 2. every allowed command declares its keys or channels, or is a reviewed connection-local
 *    command — so no allowed command escapes the key pattern;
 * 3. every allowed keyed command, aimed at `acme-corp`'s key, is refused for that key, and every
 *    allowed channel command, aimed at `acme-corp`'s channel, is refused for that channel;
 * 4. the engine's `no_auth` commands (which no ACL can refuse) are the reviewed few.
 */
import Redis from 'ioredis';
import { CHANNEL_TENANT_COMMANDS, KEYLESS_TENANT_COMMANDS, REFUSED_WITH_REASON, tenantAllowedCommands } from '../../../lib/core/cache-acl';
import { CellServer, startCellServer } from '../../helpers/cache-cell-server';
import { describeWithEngine } from '../../helpers/engines';
import { findRedisServer, REDIS_SERVER_HINT } from '../../helpers/redis-server';

const REDIS = findRedisServer();
const USER = 'tib-acme';
const OWN_KEY = 'tenant:acme:k';
const OTHER_KEY = 'tenant:acme-corp:k';
const OTHER_CHANNEL = 'tenant:acme-corp:c';

interface CommandEntry {
  readonly name: string;
  readonly arity: number;
  readonly flags: readonly string[];
  readonly declaresKeys: boolean;
  readonly categories: readonly string[];
}

function parseEntry(raw: unknown[]): { entry: CommandEntry; subcommands: unknown[][] } {
  const [name, arity, flags, firstKey, , , categories, , keySpecs, subcommands] = raw as [
    string,
    number,
    string[],
    number,
    number,
    number,
    string[],
    unknown,
    unknown[],
    unknown[][],
  ];
  return {
    entry: {
      name: name.toLowerCase(),
      arity,
      flags,
      declaresKeys: firstKey > 0 || (keySpecs?.length ?? 0) > 0 || flags.includes('movablekeys'),
      categories,
    },
    subcommands: subcommands ?? [],
  };
}

/** Every runnable command: subcommands instead of their containers. */
async function commandTable(admin: Redis): Promise<CommandEntry[]> {
  const all = (await admin.call('COMMAND', 'INFO')) as unknown[][];
  const leaves: CommandEntry[] = [];
  for (const raw of all) {
    const { entry, subcommands } = parseEntry(raw);
    if (subcommands.length === 0) leaves.push(entry);
    for (const sub of subcommands) leaves.push(parseEntry(sub).entry);
  }
  return leaves.sort((a, b) => a.name.localeCompare(b.name));
}

/** Valid argument vectors for commands whose key positions depend on their arguments. */
const MOVABLE_ARGV: Record<string, (key: string) => string[]> = {
  blmpop: (k) => ['0', '1', k, 'LEFT'],
  bzmpop: (k) => ['0', '1', k, 'MIN'],
  lmpop: (k) => ['1', k, 'LEFT'],
  zmpop: (k) => ['1', k, 'MIN'],
  sintercard: (k) => ['1', k],
  zdiff: (k) => ['1', k],
  zinter: (k) => ['1', k],
  zunion: (k) => ['1', k],
  zintercard: (k) => ['1', k],
  zdiffstore: (k) => [k, '1', k],
  zinterstore: (k) => [k, '1', k],
  zunionstore: (k) => [k, '1', k],
  georadius: (k) => [k, '0', '0', '1', 'm', 'STORE', k],
  georadiusbymember: (k) => [k, 'm', '1', 'm', 'STORE', k],
};

/** `name` (`a` or `a|b`) with `args`, padded to the command's minimum arity with `pad`. */
function argv(c: CommandEntry, args: string[], pad: string): string[] {
  const words = c.name.split('|');
  const min = Math.abs(c.arity);
  const out = [...words, ...args];
  while (out.length < min) out.push(pad);
  return out;
}

async function dryRun(admin: Redis, words: string[]): Promise<string> {
  try {
    return String(await admin.call('ACL', 'DRYRUN', USER, ...words));
  } catch (e) {
    return `ERROR ${(e as Error).message}`;
  }
}

describeWithEngine('redis-server', REDIS !== undefined, REDIS_SERVER_HINT, () => {
  let cell: CellServer;
  let table: CommandEntry[];
  const verdicts = new Map<string, string>();

  beforeAll(async () => {
    cell = await startCellServer(REDIS!);
    table = await commandTable(cell.server.admin);
    for (const c of table) {
      const own = c.name === 'psubscribe' ? 'tenant:acme:*' : OWN_KEY; // PSUBSCRIBE patterns must equal the allowed one
      const args = MOVABLE_ARGV[c.name]?.(own) ?? [];
      verdicts.set(c.name, await dryRun(cell.server.admin, argv(c, args, own)));
    }
  });

  afterAll(async () => {
    await cell?.server.stop();
  });

  // `no_auth` commands (AUTH, HELLO, QUIT, RESET) pass every ACL, DRYRUN included; the last test reviews them.
  const subjectToAcl = () => table.filter((c) => !c.flags.includes('no_auth'));
  const allowedOnServer = () =>
    subjectToAcl()
      .filter((c) => verdicts.get(c.name) === 'OK')
      .map((c) => c.name);

  test('the server parsed the access string into exactly the allow-list of cache-acl.ts', () => {
    const subcommandsOf = (container: string) => table.filter((c) => c.name.startsWith(`${container}|`)).map((c) => c.name);
    const expected = tenantAllowedCommands()
      .filter((name) => !table.find((c) => c.name === name)?.flags.includes('no_auth'))
      .flatMap((name) => (name.includes('|') || subcommandsOf(name).length === 0 ? [name] : subcommandsOf(name)))
      .sort();
    const unexpectedVerdicts = subjectToAcl()
      .map((c) => [c.name, verdicts.get(c.name)!] as const)
      .filter(([, v]) => v !== 'OK' && !/^This user has no permissions to run the '[^']+' command$/.test(v));
    expect(unexpectedVerdicts).toEqual([]); // every DRYRUN answered "OK" or "no permissions to run"
    expect(allowedOnServer().sort()).toEqual(expected);
  });

  test('every allowed command declares keys or channels, or is a reviewed connection-local command', () => {
    const keyless = subjectToAcl().filter((c) => verdicts.get(c.name) === 'OK' && !c.declaresKeys);
    const unreviewed = keyless
      .map((c) => c.name)
      .filter((n) => !CHANNEL_TENANT_COMMANDS.includes(n) && !(n in KEYLESS_TENANT_COMMANDS) && !(n.split('|')[0] in KEYLESS_TENANT_COMMANDS));
    expect(unreviewed).toEqual([]);
  });

  test('every command that declares no keys and is not reviewed is refused by the server', () => {
    const refusedKeyless = subjectToAcl().filter(
      (c) => !c.declaresKeys && !CHANNEL_TENANT_COMMANDS.includes(c.name) && !(c.name in KEYLESS_TENANT_COMMANDS) && !(c.name.split('|')[0] in KEYLESS_TENANT_COMMANDS),
    );
    for (const c of refusedKeyless) {
      expect([c.name, verdicts.get(c.name)]).toEqual([c.name, `This user has no permissions to run the '${c.name}' command`]);
    }
    // The named dangers of AWS-FACTS.md are among them.
    for (const n of [
      'keys',
      'scan',
      'randomkey',
      'dbsize',
      'flushall',
      'flushdb',
      'monitor',
      'client|list',
      'pubsub|channels',
      'script|flush',
      'function|load',
      'info',
      'config|set',
      'acl|setuser',
    ]) {
      expect(refusedKeyless.map((c) => c.name)).toContain(n);
    }
    // eslint-disable-next-line no-console
    console.log(
      `command table: ${table.length} commands/subcommands on ${REDIS}; allowed to a tenant: ${allowedOnServer().length}; ` +
        `refused: ${table.length - allowedOnServer().length}, of which ${refusedKeyless.length} declare no keys:\n` +
        refusedKeyless.map((c) => c.name).join(' '),
    );
  });

  test("every allowed keyed command, aimed at the other tenant's key, is refused for that key", () => {
    const keyed = subjectToAcl().filter((c) => verdicts.get(c.name) === 'OK' && c.declaresKeys && !CHANNEL_TENANT_COMMANDS.includes(c.name));
    expect(keyed.length).toBeGreaterThan(100);
    const missingArgv = keyed.filter((c) => c.flags.includes('movablekeys') && !MOVABLE_ARGV[c.name]).map((c) => c.name);
    expect(missingArgv).toEqual([]); // a new movable-keys command needs a reviewed argument vector
    return Promise.all(
      keyed.map(async (c) => {
        const words = argv(c, MOVABLE_ARGV[c.name]?.(OTHER_KEY) ?? [], OTHER_KEY);
        expect([c.name, await dryRun(cell.server.admin, words)]).toEqual([c.name, `This user has no permissions to access the '${OTHER_KEY}' key`]);
      }),
    );
  });

  test("every allowed channel command, aimed at the other tenant's channel, is refused for that channel", async () => {
    for (const name of ['publish', 'spublish', 'subscribe', 'ssubscribe', 'psubscribe']) {
      expect(verdicts.get(name)).toBe('OK');
      const words = name.endsWith('publish') ? [name, OTHER_CHANNEL, 'x'] : [name, OTHER_CHANNEL];
      expect([name, await dryRun(cell.server.admin, words)]).toEqual([name, `This user has no permissions to access the '${OTHER_CHANNEL}' channel`]);
    }
  });

  test("the engine's no_auth commands (beyond any ACL) are the reviewed ones", () => {
    const noAuth = table
      .filter((c) => c.flags.includes('no_auth'))
      .map((c) => c.name)
      .sort();
    // auth, hello, quit: reviewed in KEYLESS_TENANT_COMMANDS; reset: drops to the disabled default
    // user (cache-acl-attack.test.ts proves the connection then runs nothing).
    expect(noAuth).toEqual(['auth', 'hello', 'quit', 'reset']);
    for (const n of ['auth', 'hello', 'quit']) expect(KEYLESS_TENANT_COMMANDS).toHaveProperty(n);
    expect(REFUSED_WITH_REASON).toHaveProperty('reset');
  });
});
