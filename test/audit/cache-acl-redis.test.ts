/**
 * The audit's cache checks read access strings with the one cache ACL model (lib/core/cache-acl.ts)
 * against a real redis-server (7.0): for every access string of the fixtures the model's verdict
 * must equal what the server decides (ACL SETUSER + ACL DRYRUN) on the keyless commands and on
 * another tenant's keys and channels. (The model's command table is checked against the server's
 * COMMAND table in test/boundaries/cache/cache-acl-model.test.ts.)
 */
import { spawn, spawnSync, ChildProcess } from 'child_process';
import Redis from 'ioredis';
import { commandAllowed, parseAccessString, redisGlobMatch } from '../../lib/core/cache-acl';
import { describeWithEngine } from '../helpers/engines';

const available = spawnSync('redis-server', ['--version']).status === 0;

const ACCESS_STRINGS = [
  'on ~* &* +@all',
  'on ~tenant:acme* -@all +get +set',
  'on ~tenant:acme:* -@all +@read',
  'on ~tenant:acme:* &tenant:acme:* -@all +get +set +del',
  'on ~tenant:acme:* resetchannels -@all +@read -@keyspace -@pubsub -@dangerous',
  'on ~tenant:acme:* &tenant:acme:* +@all -@keyspace -@admin -@dangerous -@pubsub -@scripting',
  'on allkeys allcommands -flushall -flushdb',
  'on ~tenant:acme:* +@all -@dangerous',
  'on %R~tenant:* ~tenant:acme:* -@all +@read +@write -@keyspace',
];

/** Arguments that make each keyless command well-formed for ACL DRYRUN. */
const DRYRUN_ARGS: Record<string, string[]> = {
  keys: ['keys', '*'],
  scan: ['scan', '0'],
  randomkey: ['randomkey'],
  dbsize: ['dbsize'],
  flushall: ['flushall'],
  flushdb: ['flushdb'],
  swapdb: ['swapdb', '0', '1'],
  monitor: ['monitor'],
  'client|list': ['client', 'list'],
  'config|get': ['config', 'get', 'maxmemory'],
  'slowlog|get': ['slowlog', 'get'],
  'pubsub|channels': ['pubsub', 'channels'],
  'pubsub|numsub': ['pubsub', 'numsub'],
  'script|flush': ['script', 'flush'],
  'function|flush': ['function', 'flush'],
  debug: ['debug', 'sleep', '0'],
};

describeWithEngine('redis-server', available, 'apt-get install redis-server (scripts/install-test-engines.sh)', () => {
  let server: ChildProcess;
  let client: Redis;

  beforeAll(async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    // Wait until the server accepts connections (it starts in ~40 ms; allow 5 s).
    for (let i = 0; ; i++) {
      const probe = new Redis({ port, host: '127.0.0.1', enableReadyCheck: false, lazyConnect: true, retryStrategy: () => null });
      try {
        await probe.connect();
        client = probe;
        break;
      } catch (e) {
        probe.disconnect();
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  afterAll(async () => {
    await client?.quit().catch(() => client.disconnect());
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill();
      await exited;
    }
  });

  test.each(ACCESS_STRINGS)('checker agrees with ACL DRYRUN for "%s"', async (accessString) => {
    await client.call('ACL', 'SETUSER', 'probe', 'reset', 'nopass', ...accessString.split(' '));
    const dry = async (args: string[]) => (await client.call('ACL', 'DRYRUN', 'probe', ...args)) === 'OK';
    const acl = parseAccessString(accessString);
    for (const [cmd, args] of Object.entries(DRYRUN_ARGS)) {
      expect({ cmd, allowed: commandAllowed(acl, cmd) }).toEqual({ cmd, allowed: await dry(args) });
    }
    // Another tenant's key (acme-corp, the prefix-collision case) and channel.
    const victimKey = 'tenant:acme-corp:secret';
    const oursKey = acl.keyPatterns.some((p) => redisGlobMatch(p, victimKey));
    const getAllowed = acl.commandRules.length > 0 && (await dry(['get', victimKey]));
    const canGet = await dry(['get', 'tenant:acme:own']);
    // The server refuses the key only because of key patterns when GET itself is allowed.
    if (canGet) expect({ key: victimKey, reachable: oursKey }).toEqual({ key: victimKey, reachable: getAllowed });
    const oursChannel = acl.channelPatterns.some((p) => redisGlobMatch(p, victimKey));
    if (await dry(['publish', 'tenant:acme:own', 'x'])) {
      expect({ channel: victimKey, reachable: oursChannel }).toEqual({ channel: victimKey, reachable: await dry(['publish', victimKey, 'x']) });
    }
  });
});
