import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@fulfill/dev-support';
import { waitFor } from './wait-for.ts';

export const PGBOUNCER = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** The connection string of `directUrl`'s database, through PgBouncer. */
  urlFor: (directUrl: string) => string;
  /** The `postgres` database through a pool of one server connection. */
  singleUrl: string;
  /** Everything it wrote to stderr. */
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * A PgBouncer of the test's own in transaction pooling mode, on a free loopback port, in front of the Postgres
 * that `adminUrl` names (every database, trust authentication as that URL's user), with no prepared statement
 * support (`max_prepared_statements` does not exist before 1.21 and is 0 there by default): a session feature
 * used through it fails or goes astray, as in production. Run as root it drops to the `postgres` user, as
 * PgBouncer refuses to run as root. `stop` kills it and removes its files; call it in `afterAll`.
 */
export async function startPgBouncer(adminUrl: string): Promise<PgBouncer> {
  const upstream = new URL(adminUrl);
  const user = decodeURIComponent(upstream.username || 'postgres');
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'fulfill-pgbouncer-'));
  await chmod(dir, 0o755);
  const ini = path.join(dir, 'pgbouncer.ini');
  const users = path.join(dir, 'userlist.txt');
  await writeFile(users, `"${user}" ""\n`, { mode: 0o644 });
  await writeFile(
    ini,
    [
      '[databases]',
      // One server connection, so that a test can see session state pass from one client to the next.
      `single = host=${upstream.hostname} port=${upstream.port || '5432'} dbname=postgres pool_size=1`,
      `* = host=${upstream.hostname} port=${upstream.port || '5432'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${users}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 10',
      'server_idle_timeout = 5',
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  let stderr = '';
  const args = [...(process.getuid?.() === 0 ? ['-u', 'postgres'] : []), ini];
  const child: ChildProcess = spawn(PGBOUNCER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          if (child.exitCode !== null) throw new Error(`pgbouncer exited: ${stderr}`);
          const socket = net.connect(port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        }),
      { what: 'pgbouncer to listen', timeoutMs: 10_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const urlFor = (directUrl: string) => {
    const through = new URL(directUrl);
    through.hostname = '127.0.0.1';
    through.port = String(port);
    return through.toString();
  };
  const single = new URL(urlFor(adminUrl));
  single.pathname = '/single';
  return {
    urlFor,
    singleUrl: single.toString(),
    log: () => stderr,
    stop,
  };
}
