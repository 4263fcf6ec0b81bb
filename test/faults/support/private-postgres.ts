import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@fulfill/dev-support';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** The application_name of the harness's own connections; `terminateProjectConnections` spares them. */
export const HARNESS_APPLICATION = 'fulfill-faults-harness';

export interface PrivatePostgres {
  /** A superuser URL to the cluster's `postgres` database. */
  adminUrl: string;
  port: number;
  /** A fresh database, migrated by the caller; returns its URL. */
  createDatabase: () => Promise<{ name: string; url: string }>;
  /** `pg_terminate_backend` of every connection to `database` except the harness's; returns how many. */
  terminateProjectConnections: (database: string) => Promise<number>;
  /** Stops the server (fast shutdown: open transactions roll back, clients are disconnected). */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  destroy: () => Promise<void>;
}

/**
 * A PostgreSQL cluster of the suite's own (initdb into a temporary directory, loopback only, a free port),
 * so the fault tests can stop it or drop its connections without touching anyone else's. As root, the
 * server runs as the `postgres` user, which initdb requires.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fulfill-faults-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgTool = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, tool), ...args])
      : run(path.join(BIN, tool), args);

  await pgTool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c max_connections=200',
    // Durability is not under test here, and every shutdown is a clean one.
    '-c fsync=off',
  ].join(' ');
  const start = async () => {
    await pgTool('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', 'start']);
  };
  const stop = async () => {
    await pgTool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  await start();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl, application_name: HARNESS_APPLICATION });
    client.on('error', () => {});
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => {});
    }
  };

  return {
    adminUrl,
    port,
    createDatabase: async () => {
      const name = `faults_${randomUUID().replaceAll('-', '')}`;
      await admin((client) => client.query(`create database ${name}`));
      return { name, url: `postgres://postgres@127.0.0.1:${port}/${name}` };
    },
    terminateProjectConnections: (database) =>
      admin(async (client) => {
        const result = await client.query<{ pid: number }>(
          `select pid from pg_stat_activity
            where datname = $1 and pid <> pg_backend_pid() and application_name <> $2 and pg_terminate_backend(pid)`,
          [database, HARNESS_APPLICATION],
        );
        return result.rowCount ?? 0;
      }),
    stop,
    start,
    destroy: async () => {
      await stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
