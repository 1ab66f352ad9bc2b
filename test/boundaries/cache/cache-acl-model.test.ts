/**
 * One cache ACL model (lib/core/cache-acl.ts) for nag and audit, checked against a real
 * redis-server:
 * 1. the model's command table is the server's own `COMMAND` table (every command and
 *    subcommand, its ACL categories, whether it declares keys), and `COMMAND DOCS` documents the
 *    same commands: a new or recategorised command fails here;
 * 2. the model decides like the server's ACL engine (ACL DRYRUN) which commands an access string
 *    allows, for every command and subcommand;
 * 3. TI-CACHE1 (cdk-nag, at synth) and the audit (`runAudit` on the synthesized assembly) give the
 *    same verdict on an access string granting each command, and that verdict is the model's
 *    (`+migrate` is refused by both).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { runAudit } from '../../../lib/audit/audit';
import { CacheUserAccess } from '../../../lib/boundaries/cache/nag/cache-user-access';
import { commandAllowed, commandReach, parseAccessString, tenantAccessString, tenantAllowedCommands, unconfinedCommands } from '../../../lib/core/cache-acl';
import { CACHE_COMMAND_TABLE } from '../../../lib/core/cache-command-table';
import { TenantId } from '../../../lib/core/tenant-id';
import { newTestApp } from '../../helpers/app';
import { describeWithEngine } from '../../helpers/engines';
import { readServerArities, readServerCommandDocs, readServerCommandTable } from '../../helpers/redis-command-table';
import { findRedisServer, REDIS_SERVER_HINT, RedisTestServer } from '../../helpers/redis-server';
import { ruleFindings } from '../../nag/support';

const binary = findRedisServer();
const OWN = '~tenant:acme:* &tenant:acme:*';

/** Commands a user can run: every entry that is not a container (CLIENT runs as CLIENT LIST, ...). */
const runnable = (table: typeof CACHE_COMMAND_TABLE) => Object.keys(table).filter((c) => !table[c].subcommands);

describeWithEngine('redis-server', binary !== undefined, REDIS_SERVER_HINT, () => {
  let server: RedisTestServer;
  beforeAll(async () => {
    server = await RedisTestServer.start(binary!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("the model's command table is the server's COMMAND table (regenerate: npx ts-node --transpile-only scripts/cache-command-table.ts)", async () => {
    const live = await readServerCommandTable(server.admin);
    const missing = Object.keys(live).filter((c) => !(c in CACHE_COMMAND_TABLE));
    const extra = Object.keys(CACHE_COMMAND_TABLE).filter((c) => !(c in live));
    const differing = Object.keys(live).filter((c) => c in CACHE_COMMAND_TABLE && JSON.stringify(live[c]) !== JSON.stringify(CACHE_COMMAND_TABLE[c]));
    expect({ missing, extra, differing }).toEqual({ missing: [], extra: [], differing: [] });
    expect(Object.keys(live).length).toBeGreaterThan(300);
  });

  test('COMMAND DOCS documents exactly the commands and subcommands of COMMAND INFO', async () => {
    const docs = await readServerCommandDocs(server.admin);
    expect(Object.keys(docs).sort()).toEqual(Object.keys(CACHE_COMMAND_TABLE).sort());
  });

  // Access strings whose rules exercise categories, containers, subcommand grants and removals.
  const EVALUATED = [
    `on ${OWN} -@all +@read`,
    `on ${OWN} +@all -@dangerous`,
    `on ${OWN} allcommands -@keyspace -@admin -@dangerous -pubsub -script -cluster -function`,
    `on ${OWN} -@all +@admin -@dangerous +config -config|set`,
    `on ${OWN} -@all +client -client|kill -client|list +@pubsub -pubsub|channels`,
    `on ${OWN} -@all +@write -@keyspace +del +cluster|slots +client|setname`,
    `on ${OWN} +@all -@all +get nocommands +set`,
    tenantAccessString(TenantId.parse('acme')),
  ];

  test.each(EVALUATED)('the model allows exactly what ACL DRYRUN allows for every command: "%s"', async (accessString) => {
    const arity = await readServerArities(server.admin);
    await server.setUser('probe', 'probe-password', accessString.replace(/^on /, 'on resetchannels '));
    const acl = parseAccessString(accessString);
    const disagreements: string[] = [];
    for (const c of runnable(CACHE_COMMAND_TABLE)) {
      const names = c.split('|');
      const args = [...names];
      while (args.length < Math.abs(arity[c])) args.push('tenant:acme:x');
      let reply: string;
      try {
        reply = String(await server.admin.call('ACL', 'DRYRUN', 'probe', ...args));
      } catch (e) {
        reply = (e as Error).message;
      }
      // The server checks the command before its keys and channels: only this reply is a refusal of the command.
      const serverAllows = !/no permissions to run/.test(reply);
      if (serverAllows !== commandAllowed(acl, c)) disagreements.push(`${c}: server ${serverAllows ? 'allows' : 'refuses'} (${reply})`);
    }
    expect(disagreements).toEqual([]);
  });

  test('TI-CACHE1 and the audit give the same verdict on a grant of every command; +migrate is refused by both', async () => {
    const commands = runnable(CACHE_COMMAND_TABLE);
    const app = newTestApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'tib-cache-model-')) });
    const stack = new Stack(app, 'CacheModel');
    commands.forEach((c, i) => {
      new elasticache.CfnUser(stack, `U${i}`, {
        engine: 'redis',
        userId: `acme-${i}`,
        userName: `acme-${i}`,
        accessString: `on resetchannels -@all +${c} ${OWN}`,
        noPasswordRequired: false,
        passwords: ['a-password-of-16-chars'],
        tags: [{ key: 'TenantId', value: 'acme' }],
      });
    });
    const nag = ruleFindings(CacheUserAccess, stack);
    expect(nag.filter((f) => f.error)).toEqual([]);
    const audit = await runAudit(app.outdir);
    const rows = commands.map((c, i) => {
      const nagRefuses = nag.some((f) => f.path === `CacheModel/U${i}` && f.id.startsWith('TI-CACHE1[Command::'));
      const auditRefuses = audit.findings.some((f) => f.rule === 'TI-CACHE-KEYLESS' && f.logicalId === `U${i}`);
      return { command: c, nag: nagRefuses, audit: auditRefuses, model: commandReach(c) === 'unconfined' };
    });
    const disagreements = rows.filter((r) => r.nag !== r.audit || r.nag !== r.model);
    expect(disagreements).toEqual([]);
    // No other finding: the patterns are the tenant's own.
    expect(nag.filter((f) => !f.id.startsWith('TI-CACHE1[Command::'))).toEqual([]);
    expect(audit.findings.filter((f) => f.rule.startsWith('TI-CACHE') && f.rule !== 'TI-CACHE-KEYLESS')).toEqual([]);

    const verdict = (c: string) => rows.find((r) => r.command === c);
    expect(verdict('migrate')).toEqual({ command: 'migrate', nag: true, audit: true, model: true });
    expect(verdict('get')).toEqual({ command: 'get', nag: false, audit: false, model: false });
    // Every keyless command is refused unless it is pub/sub on named channels or reviewed
    // connection-local; the refused set is large and names the dangerous ones.
    const refused = rows.filter((r) => r.model).map((r) => r.command);
    for (const c of [
      'keys',
      'scan',
      'randomkey',
      'dbsize',
      'flushall',
      'client|list',
      'client|tracking',
      'config|get',
      'slowlog|get',
      'pubsub|channels',
      'info',
      'monitor',
      'move',
      'pfmerge',
    ]) {
      expect(refused).toContain(c);
    }
    for (const c of commands.filter((x) => !CACHE_COMMAND_TABLE[x].keys)) {
      expect({ c, reach: commandReach(c) }).toEqual({ c, reach: expect.stringMatching(/^(channels|connection|unconfined)$/) });
    }
  });

  test('the tenant allow-list is inside the model: every command is known, none unconfined', () => {
    for (const c of tenantAllowedCommands()) {
      expect({ c, known: c in CACHE_COMMAND_TABLE, reach: commandReach(c) }).toEqual({ c, known: true, reach: expect.stringMatching(/^(keys|channels|connection)$/) });
    }
    expect(unconfinedCommands(parseAccessString(tenantAccessString(TenantId.parse('acme'))))).toEqual([]);
  });
});
