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
  // No connection is auto-pipelined, though it would let concurrent requests share their writes. ioredis's
  // auto-pipelining hands a tick's replies to its callbacks by position: a command that fails to join the batch
  // (a script defined on the connection after the batch began, as BullMQ and the rate limit do) shifts every
  // later reply onto the wrong command, leaves the last without one, and throws an uncaught TypeError
  // ("results[i] is not iterable"). On a Cluster, it also follows a MOVED for a batch only when every command in
  // it failed alike, so after a slot moves a command that shared its tick with another slot's fails instead.
  // Both are tested in test/redis-connection.test.ts and test/redis-cluster.test.ts.
  const pipelining = { enableAutoPipelining: false };
  if ('url' in target) {
    return new Redis(target.url, {
      ...perCommand,
      ...pipelining,
      ...(producer ? { enableOfflineQueue: false, retryStrategy: retry } : {}),
    });
  }
  return new Cluster(target.clusterNodes, {
    ...pipelining,
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
 *
 * The workers' own connections retry as the producers' do, at most 2 s apart, where BullMQ's default waits up
 * to 20 s between attempts: after Redis restarts, the workers take jobs again within 2 s of its answering, and a
 * worker's close, which waits for its blocking connection, does not wait out a long gap between attempts.
 */
export function openWorkerConnection(target: RedisTarget): {
  connection: { url: string; retryStrategy: (times: number) => number } | Cluster;
  close: () => void;
} {
  if ('url' in target) return { connection: { url: target.url, retryStrategy: retry }, close: () => {} };
  const cluster = openRedisConnection(target, 'worker') as Cluster;
  return { connection: cluster, close: () => cluster.disconnect() };
}
