import { loadConfigOrExit } from '@fulfill/config';
import { createDb } from '@fulfill/db';
import { createLogger, createMetrics } from '@fulfill/observability';
import { createStripeClient } from '@fulfill/orders';
import { closeQueues, createProducerConnection, createQueues, queueCountsCollector } from '@fulfill/queue';
import closeWithGrace from 'close-with-grace';
import nodemailer from 'nodemailer';
import { createWorkerHttpServer, listenOnMetricsPort } from './http.ts';
import { scheduleReconcile } from './schedule-reconcile.ts';
import { startWorkers } from './start-workers.ts';

const config = loadConfigOrExit('worker');
const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
const producer = createProducerConnection(config.REDIS_URL);
producer.on('error', (err) =>
  logger.warn({ event: 'redis-error', message: err.message }, 'redis connection error'),
);
const queues = createQueues(producer, config.QUEUE_PREFIX);
const db = createDb(config.DATABASE_URL, {
  max: config.WORKER_CONCURRENCY * 2 + 2,
  onError: (err) =>
    logger.warn({ event: 'postgres-error', message: err.message }, 'idle database connection lost'),
});
const metrics = createMetrics({ collectQueueCounts: queueCountsCollector(queues) });
const transport = nodemailer.createTransport({
  url: config.SMTP_URL,
  pool: true,
  maxConnections: 5,
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
});

const running = startWorkers({
  settings: {
    orderIdSecret: config.ORDER_ID_SECRET,
    mailFrom: config.MAIL_FROM,
    shopName: config.SHOP_NAME,
    concurrency: config.WORKER_CONCURRENCY,
    emailAttempts: config.EMAIL_ATTEMPTS,
    lockDurationMs: config.JOB_LOCK_MS,
    reconcileLookbackMs: config.RECONCILE_LOOKBACK,
  },
  logger,
  db,
  stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
  queues,
  connection: { url: config.REDIS_URL },
  prefix: config.QUEUE_PREFIX,
  sendMail: (mail) => transport.sendMail(mail),
  metrics,
});

let closing = false;
let scheduleRetry: NodeJS.Timeout | undefined;
const ensureReconcileScheduled = (): void => {
  scheduleReconcile(queues.reconcile, config.RECONCILE_EVERY).then(
    (result) => logger.info({ event: 'reconcile-scheduled', ...result }, 'reconcile scheduler ready'),
    (err: Error) => {
      logger.warn({ event: 'reconcile-schedule-failed', message: err.message }, 'retrying in 30 s');
      if (!closing) scheduleRetry = setTimeout(ensureReconcileScheduled, 30_000).unref();
    },
  );
};
ensureReconcileScheduled();

const http = createWorkerHttpServer({
  registry: metrics.registry,
  healthy: () => !closing,
  ready: () => {
    if (producer.status !== 'ready') return { ready: false, reason: `redis ${producer.status}` };
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
const onTimeout = (delayMs: number) =>
  logger.error(
    { event: 'shutdown-timeout', delayMs },
    'worker shutdown timed out (SHUTDOWN_TIMEOUT_MS); exiting with jobs or connections still open',
  );
closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: false, onTimeout }, async ({ signal, err }) => {
  closing = true;
  clearTimeout(scheduleRetry);
  if (err) logger.error({ err }, 'closing after an error');
  logger.info({ event: 'shutdown', signal }, 'worker closing');
  await running.close();
  await closeQueues(queues);
  await producer.quit().catch(() => producer.disconnect());
  transport.close();
  await db.destroy();
  http.close();
  logger.info({ event: 'shutdown-complete' }, 'worker closed');
});
