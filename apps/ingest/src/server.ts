import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ingestSettingsFrom, loadConfigOrExit } from '@fulfill/config';
import { createMetricsServer } from '@fulfill/observability';
import { openRedisConnection } from '@fulfill/queue';
import { openInfrastructure } from '@fulfill/runtime';
import { activeTracing } from '@fulfill/telemetry';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';

const RATE_LIMIT_TIMEOUT_MS = 500;

const config = loadConfigOrExit('ingest');
// Started by the `--import @fulfill/telemetry/register` preload when the OTEL_* variables ask for traces.
const tracing = activeTracing();
const infrastructure = openInfrastructure(config, {
  name: 'ingest',
  // The queue depth gauges come from the workers: the ingest exports only what it counts itself.
  metrics: { role: 'ingest' },
  stripe: { maxNetworkRetries: 1, timeoutMs: 5000 },
  announceDatabaseProblems: true,
  ...(tracing ? { queueTelemetry: tracing.bullmq } : {}),
});
const { logger, metrics, db, queues, stripe, pingRedis, connectionErrors } = infrastructure;
// A connection of its own with a short command timeout: a Redis that hangs skips the limit rather than the redirect.
const rateLimitRedis = openRedisConnection(infrastructure.redisTarget, 'producer', {
  commandTimeoutMs: RATE_LIMIT_TIMEOUT_MS,
});
rateLimitRedis.on('error', (err) => connectionErrors.report('redis', err, 'rate-limit'));
const metricsServer =
  config.INGEST_METRICS_PORT === undefined
    ? undefined
    : createMetricsServer({ registry: metrics.registry, token: config.METRICS_TOKEN });

const app = await buildApp({
  settings: ingestSettingsFrom(config),
  logger,
  db,
  stripe,
  queues,
  pingRedis,
  metrics,
  // Without the hash tag: one slot would hold every client's counter.
  rateLimitStore: {
    redis: rateLimitRedis,
    keyPrefix: `${config.QUEUE_PREFIX.replace(/[{}]/g, '')}:rate-limit:`,
  },
  ...(tracing ? { tracing: tracing.fastify } : {}),
});

// The first signal closes gracefully: Fastify answers 503 to new requests and finishes those in flight, then
// the queue and database connections close. A second signal, or the timeout, exits at once.
closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: false }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'closing after an error');
  logger.info({ event: 'shutdown', signal }, 'ingest closing');
  await app.close();
  metricsServer?.close();
  rateLimitRedis.disconnect();
  await infrastructure.close();
  // Last, so that the spans of the requests that finished while closing are exported too.
  await tracing?.shutdown();
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
