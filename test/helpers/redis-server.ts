/**
 * Test support: a throwaway real `redis-server` (Redis 7.0 here; Valkey is ACL-compatible) on a
 * random loopback port, with a temp dir and no persistence, stopped after the suite.
 *
 * The server starts with `acl-pubsub-default allchannels` (the Redis 6.2 default, stricter for
 * us than 7.x's `resetchannels`): access strings must not depend on the server's default.
 * A test-only admin user (`test-admin`) seeds data and inspects the server; the tenants'
 * users get exactly the access strings the CDK app synthesized.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import Redis from 'ioredis';

export const REDIS_SERVER_HINT = 'apt-get install -y redis-server (scripts/install-test-engines.sh)';

/** Path of the redis-server binary, or undefined when none is installed. */
export function findRedisServer(): string | undefined {
  for (const candidate of [process.env.REDIS_SERVER_BIN, 'redis-server', 'valkey-server']) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['--version'], { stdio: 'pipe' });
      return candidate;
    } catch {
      /* not this one */
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export const ADMIN_USER = 'test-admin';

export class RedisTestServer {
  /** Starts a server and creates the admin user. The `default` user is left as the server made it. */
  public static async start(binary: string): Promise<RedisTestServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tib-redis-'));
    const port = await freePort();
    const proc = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--logfile',
        '',
        '--acl-pubsub-default',
        'allchannels',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${log}`)), 10_000);
      const onData = (b: Buffer) => {
        log += b.toString();
        if (log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${log}`));
      });
    });
    const server = new RedisTestServer(proc, port, dir, randomBytes(24).toString('hex'));
    const bootstrap = server.client(); // the server's initial default user (nopass, all access)
    await bootstrap.call('ACL', 'SETUSER', ADMIN_USER, 'on', `>${server.adminPassword}`, '~*', '&*', '+@all');
    await bootstrap.quit();
    server.admin = server.client(ADMIN_USER, server.adminPassword, 2); // RESP2: plain arrays for COMMAND INFO
    return server;
  }

  public admin!: Redis;
  private readonly clients: Redis[] = [];

  private constructor(
    private readonly proc: ChildProcess,
    public readonly port: number,
    private readonly dir: string,
    private readonly adminPassword: string,
  ) {}

  /**
   * A client that fails fast (no reconnects), for asserting refusals. RESP3 (ioredis' default)
   * authenticates with HELLO 3 AUTH; anonymous clients use RESP2 so that nothing is sent before
   * the test's own first command.
   */
  public client(username?: string, password?: string, protocol: 2 | 3 = username ? 3 : 2): Redis {
    const c = new Redis({
      host: '127.0.0.1',
      port: this.port,
      username,
      password,
      protocol,
      enableReadyCheck: false, // the ready check runs INFO, which tenant users may not run
      disableClientInfo: true, // CLIENT SETINFO does not exist in Redis 7.0
      retryStrategy: () => null,
      disconnectTimeout: 50,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: true,
      lazyConnect: false,
    });
    c.on('error', () => undefined); // errors surface on the commands themselves
    this.clients.push(c);
    return c;
  }

  /**
   * Creates (or replaces) a user the way ElastiCache applies an access string: the password
   * through the API, then the access string's rules in order.
   */
  public async setUser(name: string, password: string, accessString: string): Promise<void> {
    await this.admin.call('ACL', 'DELUSER', name);
    await this.admin.call('ACL', 'SETUSER', name, `>${password}`, ...accessString.trim().split(/\s+/));
  }

  /** Replaces the built-in `default` user with a synthesized access string (and a password). */
  public async setDefaultUser(password: string, accessString: string): Promise<void> {
    await this.admin.call('ACL', 'SETUSER', 'default', 'reset', `>${password}`, ...accessString.trim().split(/\s+/));
  }

  public async stop(): Promise<void> {
    // Close every client and wait until its socket is gone, then stop the server and wait until
    // its stdio pipes are closed: nothing may keep the jest worker alive.
    await Promise.all(
      this.clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.status === 'end') return resolve();
            c.once('end', () => resolve());
            c.disconnect();
          }),
      ),
    );
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const closed = new Promise((resolve) => this.proc.once('close', resolve));
      this.proc.kill('SIGTERM');
      await closed;
    }
    this.proc.stdout?.destroy();
    this.proc.stderr?.destroy();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The error message a command failed with (the test fails if it succeeded). */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    const value = await p;
    throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
  } catch (e) {
    if ((e as Error).message.startsWith('expected a refusal')) throw e;
    return (e as Error).message;
  }
}
