import { Cluster, Redis } from 'ioredis';

/** Where Redis is: one server (`REDIS_URL`), or the seed nodes of a Redis Cluster (`REDIS_CLUSTER_NODES`). */
export type RedisTarget = { url: string } | { clusterNodes: Array<{ host: string; port: number }> };

/** A connection to either kind of target; BullMQ and @fastify/rate-limit take both. */
export type RedisConnection = Redis | Cluster;

/**
 * What the connection is for. `producer`: commands fail at once while Redis (or the master of a key's slot) is
 * unreachable instead of queueing, so a caller answers 503 quickly rather than hang. `worker`: BullMQ's workers,
 * whose blocking commands must wait and be retried without limit (`maxRetriesPerRequest: null`).
 */
export type RedisPurpose = 'producer' | 'worker';

export interface RedisConnectionOptions {
  /** Fails a command that has no answer within this many milliseconds (none by default). */
  commandTimeoutMs?: number;
}

const retry = (times: number) => Math.min(200 * times, 2000);

/**
 * Opens a connection to a single Redis or, through ioredis's `Cluster`, to a Redis Cluster. In cluster mode every
 * key a BullMQ script touches must share one hash slot, which the queue prefix's `{…}` hash tag gives (which the
 * configuration checks). During a failover, a producer's commands to the lost master's slots fail
 * until the replica is promoted and the slot map is refreshed; they are not held back and replayed.
 */
export function openRedisConnection(
  target: RedisTarget,
  purpose: RedisPurpose,
  options: RedisConnectionOptions = {},
): RedisConnection {
  const producer = purpose === 'producer';
  const perCommand = {
    connectTimeout: 2000,
    maxRetriesPerRequest: producer ? 1 : null,
    ...(options.commandTimeoutMs !== undefined ? { commandTimeout: options.commandTimeoutMs } : {}),
  };
  if ('url' in target) {
    return new Redis(target.url, {
      ...perCommand,
      // A producer's commands issued in one tick leave in one write: concurrent requests' adds share a round
      // trip (and a system call), and each still resolves on its own reply. A worker's connection carries
      // blocking commands, which must not hold up a pipeline.
      enableAutoPipelining: producer,
      ...(producer ? { enableOfflineQueue: false, retryStrategy: retry } : {}),
    });
  }
  return new Cluster(target.clusterNodes, {
    // Never auto-pipelined. ioredis groups a tick's commands by master, and it follows a MOVED or ASK for the
    // group only when every command in it failed alike: after a slot moves, a command that shared its tick with
    // one to another slot of the old master fails with the MOVED instead of following it. In CI such a pipeline
    // also threw an uncaught TypeError from inside ioredis ("results[i] is not iterable").
    enableAutoPipelining: false,
    // A producer fails fast; a worker's commands wait for the cluster to come back.
    enableOfflineQueue: !producer,
    clusterRetryStrategy: retry,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    slotsRefreshTimeout: 2000,
    // Picks up a promoted replica even when no command has met a MOVED or a closed connection yet.
    slotsRefreshInterval: 2000,
    redisOptions: perCommand,
  });
}

/** Whether the connection can take commands now (a Cluster may report `connect` rather than `ready`). */
export function isRedisReady(connection: RedisConnection): boolean {
  return connection.status === 'ready' || (connection instanceof Cluster && connection.status === 'connect');
}

/**
 * The connection BullMQ's workers take: for one server, its URL, from which every worker opens (and closes) its
 * own connections; for a cluster, one `Cluster` that the workers share and duplicate for their blocking
 * commands, which `close` ends once the workers are closed.
 */
export function openWorkerConnection(target: RedisTarget): {
  connection: { url: string } | Cluster;
  close: () => void;
} {
  if ('url' in target) return { connection: { url: target.url }, close: () => {} };
  const cluster = openRedisConnection(target, 'worker') as Cluster;
  return { connection: cluster, close: () => cluster.disconnect() };
}
