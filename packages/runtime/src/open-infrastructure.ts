import { type OpsConfig, redisTargetOf } from '@fulfill/config';
import { createDb, type Database, databaseSetupProblem } from '@fulfill/db';
import {
  batchedStdout,
  type ConnectionErrors,
  createConnectionErrors,
  createLogger,
  createMetrics,
  type Logger,
  type Metrics,
  type MetricsRole,
} from '@fulfill/observability';
import { createStripeClient, type Stripe } from '@fulfill/orders';
import {
  closeQueues,
  createQueues,
  isRedisReady,
  openRedisConnection,
  type Queues,
  queueCountsCollector,
  type RedisConnection,
  type RedisTarget,
} from '@fulfill/queue';
import type { Telemetry } from 'bullmq';
import type { Kysely } from 'kysely';
import type { DestinationStream } from 'pino';

/** The variables every process's infrastructure is opened from; each role's parsed config has them. */
export type InfrastructureConfig = Pick<
  OpsConfig,
  | 'DATABASE_URL'
  | 'REDIS_URL'
  | 'REDIS_CLUSTER_NODES'
  | 'QUEUE_PREFIX'
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_API_BASE'
  | 'LOG_LEVEL'
>;

export interface InfrastructureOptions {
  /** Names the process in every log line. */
  name: string;
  /** Where log lines go; by default stdout, written in batches (flushed on close and at exit). */
  logDestination?: DestinationStream;
  /** The Postgres pool's size (10 by default). */
  databasePoolSize?: number;
  stripe?: { maxNetworkRetries?: number; timeoutMs?: number };
  /**
   * `role`: the series the metrics export (all of them when unset, for a test running both roles in one process).
   * `queueCounts`: whether they read the queues' job counts for `fulfill_queue_jobs`, which one role exports.
   */
  metrics?: { role?: MetricsRole; queueCounts?: boolean };
  /** Logs once, at start, a database that does not exist or is not migrated: it would fail every job or request. */
  announceDatabaseProblems?: boolean;
  /**
   * Who hears the connections' errors. By default the process's connection-error reporter, which counts them in
   * `fulfill_connection_errors_total` and logs one line per outage.
   */
  connectionErrors?: ConnectionErrors;
  /** BullMQ's telemetry when the process traces (`activeTracing()`): the queues' jobs carry the trace. */
  queueTelemetry?: Telemetry;
}

/** The shared infrastructure of a process, opened from its parsed configuration. */
export interface Infrastructure {
  logger: Logger;
  metrics: Metrics;
  connectionErrors: ConnectionErrors;
  /** The producers' Redis connection: commands fail at once while Redis is unreachable, so callers answer 503. */
  redis: RedisConnection;
  /** The Redis (one server or a cluster) the configuration names, for a process's other connections. */
  redisTarget: RedisTarget;
  queues: Queues;
  db: Kysely<Database>;
  stripe: Stripe;
  /** Pings Redis; rejects when it does not answer. */
  pingRedis: () => Promise<unknown>;
  /** Closes the queues, Redis and the database; a Redis that is not connected is dropped rather than waited on. */
  close: () => Promise<void>;
}

/**
 * Opens what the ingest, the worker, the ops command line and the test stack share: the logger, the metrics, the
 * producers' Redis connection and queues, the database pool and the Stripe client. Every Redis and Postgres
 * connection reports its errors to one reporter, and says when it is restored.
 */
export function openInfrastructure(
  config: InfrastructureConfig,
  options: InfrastructureOptions,
): Infrastructure {
  // Stdout is written in batches, and flushed on close and at exit; a given destination is used as it is.
  const stdout = options.logDestination ? undefined : batchedStdout();
  const logger = createLogger(
    { level: config.LOG_LEVEL, name: options.name },
    options.logDestination ?? stdout?.stream,
  );
  const redisTarget = redisTargetOf(config);
  const redis = openRedisConnection(redisTarget, 'producer');
  // BullMQ repeats the connection's errors on each queue; the connection's own listener reports them.
  const queues = createQueues(redis, config.QUEUE_PREFIX, options.queueTelemetry);
  const metrics = createMetrics({
    ...(options.metrics?.role ? { role: options.metrics.role } : {}),
    ...(options.metrics?.queueCounts ? { collectQueueCounts: queueCountsCollector(queues) } : {}),
  });
  const connectionErrors =
    options.connectionErrors ?? createConnectionErrors({ logger, registry: metrics.registry });
  redis.on('error', (err) => connectionErrors.report('redis', err, 'producer'));
  redis.on('ready', () => connectionErrors.restored('redis', 'producer'));
  const db = createDb(config.DATABASE_URL, {
    ...(options.databasePoolSize !== undefined ? { max: options.databasePoolSize } : {}),
    onError: (err) => connectionErrors.report('postgres', err, 'pool'),
    onConnect: () => connectionErrors.restored('postgres', 'pool'),
  });
  if (options.announceDatabaseProblems) {
    void databaseSetupProblem(db, config.DATABASE_URL).then((problem) => {
      if (problem) logger.error({ event: 'database-not-ready', problem }, problem);
    });
  }
  const stripe = createStripeClient({
    secretKey: config.STRIPE_SECRET_KEY,
    apiBase: config.STRIPE_API_BASE,
    ...options.stripe,
  });
  return {
    logger,
    metrics,
    connectionErrors,
    redis,
    redisTarget,
    queues,
    db,
    stripe,
    pingRedis: () => redis.ping(),
    close: async () => {
      if (isRedisReady(redis)) {
        await closeQueues(queues).catch(() => {});
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
      await db.destroy();
      stdout?.flush();
    },
  };
}
