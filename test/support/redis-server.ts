import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@fulfill/dev-support';
import { Redis } from 'ioredis';
import { waitFor } from './wait-for.ts';

export interface RedisServer {
  url: string;
  persistence: 'aof' | 'none';
  /** SIGKILL, as a crash or an OOM kill would. */
  kill: () => Promise<void>;
  /** Starts it again on the same port and directory: with AOF it reloads its data, without it is empty. */
  start: () => Promise<void>;
  destroy: () => Promise<void>;
}

/**
 * A redis-server of the test's own (never the shared one) on a free loopback port. `aof` runs it with `appendfsync always`, so a
 * write Redis acknowledged survives a SIGKILL; `none` keeps nothing across a restart.
 */
export async function startRedisServer(persistence: 'aof' | 'none'): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'fulfill-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    ...(persistence === 'aof' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await waitFor(
        async () => {
          if (probe.status !== 'ready') await probe.connect();
          // A server still loading its AOF answers LOADING; it is ready once PING succeeds.
          return (await probe.ping()) === 'PONG';
        },
        { what: 'the private redis-server', timeoutMs: 15_000 },
      );
    } finally {
      probe.disconnect();
    }
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGKILL');
    await once(c, 'exit');
  };
  await start();
  return {
    url,
    persistence,
    kill,
    start,
    destroy: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
