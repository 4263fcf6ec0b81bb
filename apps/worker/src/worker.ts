import { loadConfigOrExit, workerSettingsFrom } from '@fulfill/config';
import { isRedisReady, openWorkerConnection } from '@fulfill/queue';
import { openInfrastructure, openMailTransport } from '@fulfill/runtime';
import { activeTracing } from '@fulfill/telemetry';
import closeWithGrace from 'close-with-grace';
import { createWorkerHttpServer, listenOnMetricsPort } from './http.ts';
import { keepReconcileScheduled } from './schedule-reconcile.ts';
import { startWorkers } from './start-workers.ts';

const config = loadConfigOrExit('worker');
// Started by the `--import @fulfill/telemetry/register` preload when the OTEL_* variables ask for traces.
const tracing = activeTracing();
const infrastructure = openInfrastructure(config, {
  name: 'worker',
  metrics: { role: 'worker', queueCounts: true },
  databasePoolSize: config.WORKER_CONCURRENCY * 2 + 2,
  announceDatabaseProblems: true,
  ...(tracing ? { queueTelemetry: tracing.bullmq } : {}),
});
const { logger, metrics, connectionErrors, redis: producer, queues } = infrastructure;
const transport = openMailTransport(config);
const workerConnection = openWorkerConnection(infrastructure.redisTarget);

const running = startWorkers({
  settings: workerSettingsFrom(config),
  logger,
  db: infrastructure.db,
  stripe: infrastructure.stripe,
  queues,
  connection: workerConnection.connection,
  prefix: config.QUEUE_PREFIX,
  sendMail: (mail) => transport.sendMail(mail),
  metrics,
  connectionErrors,
  ...(tracing ? { telemetry: tracing.bullmq } : {}),
});

let closing = false;
let connectedOnce = false;
const reconcileSchedule = keepReconcileScheduled(queues.reconcile, {
  everyMs: config.RECONCILE_EVERY,
  logger,
  // The first `ready` is the start, already covered; each later one follows a reconnect.
  onReconnect: (listener) =>
    producer.on('ready', () => {
      if (connectedOnce) listener();
      connectedOnce = true;
    }),
});

const http = createWorkerHttpServer({
  registry: metrics.registry,
  healthy: () => !closing,
  ready: () => {
    if (!isRedisReady(producer)) return { ready: false, reason: `redis ${producer.status}` };
    if (!running.workers.every((w) => w.isRunning())) return { ready: false, reason: 'workers not running' };
    return { ready: true };
  },
});
const metricsPort = await listenOnMetricsPort(http, config.METRICS_PORT, config.METRICS_HOST).catch(
  (err: Error) => {
    logger.fatal({ event: 'metrics-listen-failed', message: err.message }, err.message);
    process.exit(1);
  },
);
logger.info({ event: 'started', metricsPort, concurrency: config.WORKER_CONCURRENCY }, 'worker started');

// The first signal stops taking jobs and lets the active ones finish within SHUTDOWN_TIMEOUT_MS; a job cut off
// by the timeout or a second signal is picked up again by another worker once its lock expires.
// The step the shutdown is in, named in the timeout's line: what was still open when it ran out.
let shutdownStep = 'not started';
const onTimeout = (delayMs: number) =>
  logger.error(
    { event: 'shutdown-timeout', delayMs, step: shutdownStep },
    'worker shutdown timed out (SHUTDOWN_TIMEOUT_MS); exiting with jobs or connections still open',
  );
closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: false, onTimeout }, async ({ signal, err }) => {
  closing = true;
  reconcileSchedule.stop();
  if (err) logger.error({ err }, 'closing after an error');
  logger.info({ event: 'shutdown', signal }, 'worker closing');
  shutdownStep = 'workers: active jobs and blocking connections';
  await running.close();
  workerConnection.close();
  transport.close();
  shutdownStep = 'queues, Redis and Postgres connections';
  await infrastructure.close();
  http.close();
  shutdownStep = 'trace export';
  // Last, so that the spans of the jobs that finished while closing are exported too.
  await tracing?.shutdown();
  logger.info({ event: 'shutdown-complete' }, 'worker closed');
});
