/**
 * TI-CACHE1/2: compliant, non-compliant and error cases; and a real redis-server showing why a
 * key pattern alone is no confinement. The ACL model the rules read (lib/core/cache-acl.ts) is
 * checked against the server's COMMAND table in cache-acl-model.test.ts.
 */
import { execFileSync, spawn } from 'child_process';
import * as net from 'net';
import Redis from 'ioredis';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { CacheDefaultUser, CacheUserAccess } from '../../../lib/nag';
import { parseAccessString, unconfinedCommands } from '../../../lib/core/cache-acl';
import { describeWithEngine } from '../../helpers/engines';
import { describeRule } from '../../nag/support';

const user = (userName: string, accessString: string) => (stack: Stack) => {
  new elasticache.CfnUser(stack, 'User', {
    engine: 'redis',
    userId: `${userName}-id`,
    userName,
    accessString,
    noPasswordRequired: false,
    passwords: ['a-password-of-16-chars'],
  });
};
/** What a tenant user may do: its own keys and channels, data commands, every keyless command removed. */
const TENANT_ACL = 'on ~tenant:acme:* &tenant:acme:* +@read +@write -@dangerous -scan -randomkey -dbsize -move -function -pfmerge';

describeRule(CacheUserAccess, [
  { name: 'Compliance 1: own keys and channels, keyless commands removed', build: user('acme', TENANT_ACL), expected: [] },
  { name: "Compliance 2: the default user is TI-CACHE2's", build: user('default', 'on ~* +@all'), expected: [] },
  {
    name: 'Compliance 3: connection-local CLIENT subcommands only',
    build: user('acme', 'on ~tenant:acme:* &tenant:acme:* +get +client|setname +client|getname +client|id'),
    expected: [],
  },
  {
    name: 'Noncompliance 8: a CLIENT subcommand that sees other connections',
    build: user('acme', 'on ~tenant:acme:* +get +client|list'),
    expected: ['[Command::client]'],
  },
  { name: 'Noncompliance 1: allkeys and allchannels', build: user('acme', 'on allkeys allchannels +get'), expected: ['[AllKeys]', '[AllChannels]'] },
  { name: 'Noncompliance 2: ~* and &*', build: user('acme', 'on ~* &* +get'), expected: ['[AllKeys]', '[AllChannels]'] },
  { name: 'Noncompliance 3: pattern without its delimiter', build: user('acme', 'on ~tenant:acme* &tenant:acme:* +get'), expected: ['[KeyPattern::tenant:acme*]'] },
  { name: 'Noncompliance 4: pattern outside the tenant namespace', build: user('acme', 'on ~session:* +get'), expected: ['[KeyPattern::session:*]'] },
  {
    name: 'Noncompliance 5: +@read keeps keyless reads',
    build: user('acme', 'on ~tenant:acme:* +@read'),
    expected: ['[Command::dbsize]', '[Command::keys]', '[Command::randomkey]', '[Command::scan]'],
  },
  {
    name: 'Noncompliance 6: explicit +keys +scan +flushall',
    build: user('acme', 'on ~tenant:acme:* +get +keys +scan +flushall'),
    expected: ['[Command::flushall]', '[Command::keys]', '[Command::scan]'],
  },
  {
    name: 'Noncompliance 7: -config|set removes a subcommand, not CONFIG',
    build: user('acme', 'on ~tenant:acme:* +@admin -@dangerous +config -config|set'),
    expected: ['[Command::config]'],
  },
  {
    name: 'Noncompliance 9: +migrate copies keys to a server the caller names',
    build: user('acme', 'on ~tenant:acme:* +get +migrate'),
    expected: ['[Command::migrate]'],
  },
  {
    name: 'Noncompliance 10: +@write keeps PFMERGE, which Redis 7.0 lets past the key pattern',
    build: user('acme', 'on ~tenant:acme:* +@write -@dangerous -@keyspace -function'),
    expected: ['[Command::pfmerge]'],
  },
  {
    name: 'Noncompliance 11: -@admin -@dangerous keeps CLIENT TRACKING',
    build: user('acme', 'on ~tenant:acme:* +@connection -@admin -@dangerous'),
    expected: ['[Command::client]'],
  },
  { name: 'Error 1: access string from a template parameter', build: (stack) => user('acme', new CfnParameter(stack, 'Acl').valueAsString)(stack), expected: 'error' },
]);

describeRule(CacheDefaultUser, [
  { name: 'Compliance 1: default user off, no keys, no commands', build: user('default', 'off -@all'), expected: [] },
  {
    name: "Compliance 2: group with this template's default user",
    build: (stack) => {
      user('default', 'off -@all')(stack);
      new elasticache.CfnUserGroup(stack, 'Group', { engine: 'redis', userGroupId: 'cell-1', userIds: [(stack.node.findChild('User') as elasticache.CfnUser).ref] });
    },
    expected: [],
  },
  { name: 'Noncompliance 1: default user on ~* +@all', build: user('default', 'on ~* +@all'), expected: ['[Enabled]', '[GrantsCommands]', '[GrantsKeysOrChannels]'] },
  { name: 'Noncompliance 2: default user off but with keys', build: user('default', 'off ~*'), expected: ['[GrantsKeysOrChannels]'] },
  {
    name: 'Noncompliance 3: group with the built-in default user',
    build: (stack) => void new elasticache.CfnUserGroup(stack, 'Group', { engine: 'redis', userGroupId: 'cell-1', userIds: ['default', 'acme-id'] }),
    expected: ['[BuiltInDefaultUser]'],
  },
  {
    name: 'Error 1: default user access string from a parameter',
    build: (stack) => user('default', new CfnParameter(stack, 'Acl').valueAsString)(stack),
    expected: 'error',
  },
  {
    name: 'Error 2: group user id from a parameter',
    build: (stack) =>
      void new elasticache.CfnUserGroup(stack, 'Group', { engine: 'redis', userGroupId: 'cell-1', userIds: [new CfnParameter(stack, 'Id').valueAsString] }),
    expected: 'error',
  },
]);

describe('parseAccessString + unconfinedCommands (lib/core/cache-acl.ts)', () => {
  test.each([
    ['off -@all', { enabled: false, unconfined: [], grantsCommands: false }],
    ['on nocommands', { enabled: true, unconfined: [], grantsCommands: false }],
    ['on +@all -@all', { enabled: true, unconfined: [], grantsCommands: true }],
    // CLIENT TRACKING (@slow @connection) survives -@admin -@dangerous: BCAST PREFIX reaches other tenants' invalidations.
    [
      'on allcommands -@keyspace -@admin -@dangerous -pubsub -script -cluster -function',
      { enabled: true, unconfined: ['client', 'memory', 'pfmerge'], grantsCommands: true },
    ],
    [
      'on allcommands -@keyspace -@admin -@dangerous -pubsub -script -cluster -function -client -memory -pfmerge',
      { enabled: true, unconfined: [], grantsCommands: true },
    ],
    ['on ~* +@all reset', { enabled: false, unconfined: [], grantsCommands: false }],
  ])('%s', (text, expected) => {
    const acl = parseAccessString(text);
    expect({ enabled: acl.enabled, unconfined: unconfinedCommands(acl), grantsCommands: acl.grantsCommands }).toEqual(expected);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

let redisAvailable: boolean;
try {
  execFileSync('redis-server', ['--version']);
  redisAvailable = true;
} catch {
  redisAvailable = false;
}

describeWithEngine('redis-server', redisAvailable, 'apt-get install -y redis-server', () => {
  // Why TI-CACHE1 exists: a key pattern does not confine a command that declares no keys.
  test("the server lets +@read run KEYS for a user confined to one tenant's keys", async () => {
    const port = await freePort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, retryStrategy: (n) => (n > 50 ? null : 50) });
    try {
      await waitForPort(port);
      await client.connect();
      expect(unconfinedCommands(parseAccessString('on ~tenant:acme:* +@read'))).toContain('keys');
      await client.call('ACL', 'SETUSER', 'acme', 'on', 'nopass', '~tenant:acme:*', '+@read');
      const acme = new Redis({ port, host: '127.0.0.1', username: 'acme', password: 'x', enableReadyCheck: false, lazyConnect: true });
      await acme.connect();
      await client.set('tenant:globex:secret', '1');
      expect(await acme.call('KEYS', '*')).toEqual(['tenant:globex:secret']);
      acme.disconnect();
    } finally {
      client.disconnect();
      server.kill();
    }
  });
});
