import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loadConfigOrExit } from '@fulfill/config';
import { createDb, databaseSetupProblem } from '@fulfill/db';
import {
  createConnectionErrors,
  createLogger,
  createMetrics,
  createMetricsServer,
} from '@fulfill/observability';
import { createStripeClient } from '@fulfill/orders';
import { closeQueues, createProducerConnection, createQueues } from '@fulfill/queue';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';

const config = loadConfigOrExit('ingest');
const logger = createLogger({ level: config.LOG_LEVEL, name: 'ingest' });
const redis = createProducerConnection(config.REDIS_URL);
const queues = createQueues(redis, config.QUEUE_PREFIX);
// The queue depth gauges come from the workers: the ingest exports only what it counts itself.
const metrics = createMetrics({ role: 'ingest' });
const connectionErrors = createConnectionErrors({ logger, registry: metrics.registry });
redis.on('error', (err) => connectionErrors.report('redis', err, 'producer'));
redis.on('ready', () => connectionErrors.restored('redis', 'producer'));
const db = createDb(config.DATABASE_URL, {
  onError: (err) => connectionErrors.report('postgres', err, 'pool'),
  onConnect: () => connectionErrors.restored('postgres', 'pool'),
});
// A database that does not exist or is not migrated fails every job or request: say so once, at start.
void databaseSetupProblem(db, config.DATABASE_URL).then((problem) => {
  if (problem) logger.error({ event: 'database-not-ready', problem }, problem);
});
const metricsServer =
  config.INGEST_METRICS_PORT === undefined
    ? undefined
    : createMetricsServer({ registry: metrics.registry, token: config.METRICS_TOKEN });

const app = await buildApp({
  settings: {
    webhookSecrets: config.STRIPE_WEBHOOK_SECRET,
    orderIdSecret: config.ORDER_ID_SECRET,
    successWaitMs: config.SUCCESS_WAIT_MS,
    successRateLimit: { max: config.SUCCESS_RATE_LIMIT_MAX, windowMs: config.SUCCESS_RATE_LIMIT_WINDOW },
    enqueueTimeoutMs: config.ENQUEUE_TIMEOUT_MS,
    ...(config.ADMIN_USER && config.ADMIN_PASSWORD
      ? { admin: { user: config.ADMIN_USER, password: config.ADMIN_PASSWORD } }
      : {}),
    underPressure: {
      maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: config.MAX_HEAP_USED_BYTES,
      maxRssBytes: config.MAX_RSS_BYTES,
    },
    trustProxy: config.TRUST_PROXY,
    corsOrigins: config.CORS_ORIGINS,
    metrics: { token: config.METRICS_TOKEN, separateListener: metricsServer !== undefined },
  },
  logger,
  db,
  stripe: createStripeClient({
    secretKey: config.STRIPE_SECRET_KEY,
    apiBase: config.STRIPE_API_BASE,
    maxNetworkRetries: 1,
    timeoutMs: 5000,
  }),
  queues,
  pingRedis: () => redis.ping(),
  metrics,
});

// The first signal closes gracefully: Fastify answers 503 to new requests and finishes those in flight, then
// the queue and database connections close. A second signal, or the timeout, exits at once.
closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: false }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'closing after an error');
  logger.info({ event: 'shutdown', signal }, 'ingest closing');
  await app.close();
  metricsServer?.close();
  await closeQueues(queues);
  await redis.quit().catch(() => redis.disconnect());
  await db.destroy();
  logger.info({ event: 'shutdown-complete' }, 'ingest closed');
});

await app.listen({ port: config.PORT, host: config.HOST });
if (metricsServer) {
  metricsServer.listen(config.INGEST_METRICS_PORT, config.INGEST_METRICS_HOST);
  await once(metricsServer, 'listening');
  const { port } = metricsServer.address() as AddressInfo;
  logger.info(
    { event: 'metrics-listening', host: config.INGEST_METRICS_HOST, port },
    'metrics listener started',
  );
}
