import { once } from 'node:events';
import { loadConfigOrExit } from '@fulfill/config';
import { createDb } from '@fulfill/db';
import { createConnectionErrors, createLogger, createMetrics } from '@fulfill/observability';
import { createStripeClient } from '@fulfill/orders';
import { closeQueues, createProducerConnection, createQueues, queueCountsCollector } from '@fulfill/queue';
import closeWithGrace from 'close-with-grace';
import nodemailer from 'nodemailer';
import { createWorkerHttpServer } from './http.ts';
import { keepReconcileScheduled } from './schedule-reconcile.ts';
import { startWorkers } from './start-workers.ts';

const config = loadConfigOrExit('worker');
const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
const producer = createProducerConnection(config.REDIS_URL);
const queues = createQueues(producer, config.QUEUE_PREFIX);
const metrics = createMetrics({ role: 'worker', collectQueueCounts: queueCountsCollector(queues) });
const connectionErrors = createConnectionErrors({ logger, registry: metrics.registry });
producer.on('error', (err) => connectionErrors.report('redis', err, 'producer'));
producer.on('ready', () => connectionErrors.restored('redis', 'producer'));
const db = createDb(config.DATABASE_URL, {
  max: config.WORKER_CONCURRENCY * 2 + 2,
  onError: (err) => connectionErrors.report('postgres', err, 'pool'),
  onConnect: () => connectionErrors.restored('postgres', 'pool'),
});
const transport = nodemailer.createTransport({
  url: config.SMTP_URL,
  pool: true,
  maxConnections: 5,
  connectionTimeout: 60_000,
  greetingTimeout: config.SMTP_GREETING_TIMEOUT,
  socketTimeout: config.SMTP_SOCKET_TIMEOUT,
});

const running = startWorkers({
  settings: {
    orderIdSecret: config.ORDER_ID_SECRET,
    mailFrom: config.MAIL_FROM,
    shopName: config.SHOP_NAME,
    concurrency: config.WORKER_CONCURRENCY,
    emailAttempts: config.EMAIL_ATTEMPTS,
    emailLeaseMs: config.EMAIL_LEASE,
    lockDurationMs: config.JOB_LOCK_MS,
    reconcileLookbackMs: config.RECONCILE_LOOKBACK,
    reconcileEmailGraceMs: config.RECONCILE_EMAIL_GRACE,
  },
  logger,
  db,
  stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
  queues,
  connection: { url: config.REDIS_URL },
  prefix: config.QUEUE_PREFIX,
  sendMail: (mail) => transport.sendMail(mail),
  metrics,
  connectionErrors,
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

const http = createWorkerHttpServer({ registry: metrics.registry, healthy: () => !closing });
http.listen(config.METRICS_PORT, config.METRICS_HOST);
await once(http, 'listening');
logger.info(
  { event: 'started', metricsPort: config.METRICS_PORT, concurrency: config.WORKER_CONCURRENCY },
  'worker started',
);

// The first signal stops taking jobs and lets the active ones finish within SHUTDOWN_TIMEOUT_MS; a job cut off
// by the timeout or a second signal is picked up again by another worker once its lock expires.
closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: false }, async ({ signal, err }) => {
  closing = true;
  reconcileSchedule.stop();
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
