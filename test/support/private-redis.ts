import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '@fulfill/dev-support';
import { Redis } from 'ioredis';
import { waitFor } from './wait-for.ts';

export interface PrivateRedis {
  url: string;
  /** Kills the server, as a crash would. */
  kill: () => Promise<void>;
  /** Starts it again on the same port, empty. */
  start: () => Promise<void>;
}

/** A redis-server of the test's own on a free loopback port, for fault tests; never the shared one. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await waitFor(async () => (await probe.connect().then(() => probe.ping())) === 'PONG', {
        what: 'the private redis-server',
        timeoutMs: 10_000,
      });
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
  return { url, kill, start };
}
