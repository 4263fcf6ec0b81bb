import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@fulfill/dev-support';
import { Redis } from 'ioredis';
import { waitFor } from './wait-for.ts';

const run = promisify(execFile);

export interface RedisCluster {
  /** `REDIS_CLUSTER_NODES`: every node, `127.0.0.1:port`, comma-separated. */
  nodes: string;
  /** The port of the master that holds a key's slot now. */
  masterOf: (key: string) => Promise<number>;
  /**
   * Hands the (empty) slot of a key from its master to another master, as a resharding does, and returns the new
   * master's port. Clients learn of it from a MOVED answer or their next refresh of the slot map.
   */
  moveSlotOf: (key: string) => Promise<number>;
  /** SIGKILLs one node, as a crash would. */
  kill: (port: number) => Promise<void>;
  /** Waits until every live node reports `cluster_state:ok`. */
  healthy: (timeoutMs?: number) => Promise<void>;
  destroy: () => Promise<void>;
}

/** Runs one redis-cli command against a node and returns its output. */
async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 10_000,
  });
  return stdout;
}

/**
 * A Redis Cluster of the test's own: three masters and three replicas on free loopback ports, no persistence,
 * a 1.5 s node timeout so that a replica takes over a killed master within a few seconds. `destroy` kills every
 * node and removes their directories; call it in `afterAll` whatever happened.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fulfill-redis-cluster-'));
  const children = new Map<number, ChildProcess>();
  const destroy = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await once(child, 'exit');
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < 6; i += 1) ports.push(await freePort());
    const output = new Map<number, string>();
    for (const port of ports) {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          // Its own free port for the cluster bus, which otherwise is the port plus 10,000: taken, or past 65535
          // for a port above 55535, and the node does not start.
          '--cluster-port',
          String(await freePort()),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--dbfilename',
          `dump-${port}.rdb`,
          '--save',
          '',
          '--appendonly',
          'no',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '1500',
          // A replica may take over however long it has been out of touch: the test kills masters on purpose.
          '--cluster-replica-validity-factor',
          '0',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.set(port, child);
      output.set(port, '');
      const keep = (chunk: Buffer) => output.set(port, `${output.get(port)}${chunk}`.slice(-2000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
    }
    for (const port of ports) {
      await waitFor(async () => (await cli(port, 'ping').catch(() => '')).trim() === 'PONG', {
        what: `cluster node ${port}`,
        timeoutMs: 10_000,
      }).catch((error: unknown) => {
        throw new Error(
          `${error instanceof Error ? error.message : error}; its output:\n${output.get(port)}`,
        );
      });
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    const alive = () => [...children].filter(([, c]) => c.exitCode === null && c.signalCode === null);
    const healthy = async (timeoutMs = 20_000) => {
      await waitFor(
        async () => {
          for (const [port] of alive()) {
            if (!(await cli(port, 'cluster', 'info')).includes('cluster_state:ok')) return false;
          }
          return true;
        },
        { what: 'the cluster to be healthy', timeoutMs },
      );
    };
    // `cluster_state:ok` comes before the replicas' first sync: wait until each has its master's data.
    const replicated = async (timeoutMs = 20_000) => {
      await waitFor(
        async () => {
          for (const [port] of alive()) {
            const info = await cli(port, 'info', 'replication');
            if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
            if (info.includes('role:slave') && info.includes('master_sync_in_progress:1')) return false;
          }
          return true;
        },
        { what: 'the replicas to sync', timeoutMs },
      );
    };
    await healthy();
    await replicated();
    type SlotRange = [number, number, [string, number, string]];
    /** The key's slot, and the masters' ranges as a live node sees them. */
    const slotMap = async (key: string) => {
      const [port] = alive()[0] ?? [];
      if (port === undefined) throw new Error('no cluster node is running');
      const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
      try {
        const slot = Number(await probe.call('cluster', 'keyslot', key));
        const ranges = (await probe.call('cluster', 'slots')) as SlotRange[];
        const range = ranges.find(([from, to]) => slot >= from && slot <= to);
        if (!range) throw new Error(`no master serves slot ${slot}`);
        return { slot, master: range[2], masters: ranges.map((r) => r[2]) };
      } finally {
        probe.disconnect();
      }
    };
    const masterOf = async (key: string) => (await slotMap(key)).master[1];
    const moveSlotOf = async (key: string) => {
      const { slot, master, masters } = await slotMap(key);
      const [, fromPort, fromId] = master;
      const target = masters.find(([, port]) => port !== fromPort);
      if (!target) throw new Error('the cluster has a single master');
      const [, toPort, toId] = target;
      const setslot = async (port: number, ...args: string[]) => {
        const answer = (await cli(port, 'cluster', 'setslot', String(slot), ...args)).trim();
        if (answer !== 'OK')
          throw new Error(`CLUSTER SETSLOT ${slot} ${args.join(' ')} on ${port}: ${answer}`);
      };
      // The order a resharding uses: importing on the target, migrating on the source, then both assign it.
      await setslot(toPort, 'importing', fromId);
      await setslot(fromPort, 'migrating', toId);
      await setslot(toPort, 'node', toId);
      await setslot(fromPort, 'node', toId);
      return toPort;
    };
    return {
      nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
      masterOf,
      moveSlotOf,
      kill: async (port) => {
        const child = children.get(port);
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await once(child, 'exit');
      },
      healthy,
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
