/**
 * A throwaway PostgreSQL server for tests: Debian's server binaries (versioned bin folder, off
 * PATH), a temp data directory owned by the `postgres` OS user, loopback only, a random free
 * port, the unix socket inside the temp dir. `stop()` stops it and removes the directory; a
 * process 'exit' hook does the same if a suite dies first.
 *
 * As root (CI and these machines), initdb/pg_ctl refuse to run, so they run as `postgres` via
 * runuser. Local connections (unix socket in the private temp dir) trust the OS; TCP on
 * 127.0.0.1 requires SCRAM passwords, so application logins authenticate like in production.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The newest installed server's bin folder, or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

export const POSTGRES_SERVER_HINT = 'Debian package postgresql (scripts/install-test-engines.sh)';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** Directory of the unix socket (superuser `postgres` connects here, trusted). */
  readonly socketDir: string;
  readonly version: string;
  stop(): void;
}

function freePort(): Promise<number> {
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

function asPostgres(bin: string, args: string[]): string[] {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot ? ['runuser', '-u', 'postgres', '--', bin, ...args] : [bin, ...args];
}

function run(argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`PostgreSQL server binaries not found under /usr/lib/postgresql (${POSTGRES_SERVER_HINT})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tib-pg-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  fs.mkdirSync(socketDir);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    const uid = Number(run(['id', '-u', 'postgres']).trim());
    const gid = Number(run(['id', '-g', 'postgres']).trim());
    for (const p of [dir, socketDir]) fs.chownSync(p, uid, gid);
  }
  fs.chmodSync(dir, 0o700);
  let started = false;
  const cleanup = () => {
    if (started) {
      const argv = asPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
      started = false;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    run(
      asPostgres(path.join(bin, 'initdb'), [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ]),
    );
    const port = await freePort();
    run(
      asPostgres(path.join(bin, 'pg_ctl'), [
        '-D',
        dataDir,
        '-l',
        path.join(dir, 'server.log'),
        '-w',
        '-t',
        '30',
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${socketDir} -c fsync=off -c password_encryption=scram-sha-256`,
        'start',
      ]),
    );
    started = true;
    const version = run([path.join(bin, 'postgres'), '--version']).trim();
    return {
      host: '127.0.0.1',
      port,
      socketDir,
      version,
      stop: () => {
        process.removeListener('exit', cleanup);
        cleanup();
      },
    };
  } catch (e) {
    const log = path.join(dir, 'server.log');
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '';
    cleanup();
    process.removeListener('exit', cleanup);
    throw new Error(`could not start PostgreSQL: ${(e as Error).message}\n${tail}`, { cause: e });
  }
}
