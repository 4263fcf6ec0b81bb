import type { AddressInfo } from 'node:net';
import type { Database } from '@fulfill/db';
import { type SmtpSink, startSmtpSink } from '@fulfill/dev-support';
import { buildApp, type IngestSettings } from '@fulfill/ingest';
import { createLogger, createMetrics, type Metrics } from '@fulfill/observability';
import { createStripeClient } from '@fulfill/orders';
import {
  closeQueues,
  createProducerConnection,
  createQueues,
  type Queues,
  queueCountsCollector,
} from '@fulfill/queue';
import { type StripeEmulator, startStripeEmulator } from '@fulfill/stripe-emulator';
import { type RunningWorkers, startWorkers } from '@fulfill/worker';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { deletePrefix, testPrefix } from './redis.ts';

export const WEBHOOK_SECRET = 'whsec_test_primary_0123456789';
export const ORDER_ID_SECRET = 'order-id-secret-for-tests-0123456789';
export const STRIPE_KEY = 'sk_test_emulator';
export const MAIL_FROM = 'Fulfill Shop <orders@shop.test>';

export interface Stack {
  database: TestDatabase;
  db: Kysely<Database>;
  redisUrl: string;
  prefix: string;
  queues: Queues;
  emulator: StripeEmulator;
  smtp: SmtpSink;
  app: FastifyInstance;
  ingestUrl: string;
  metrics: Metrics;
  workerMetrics: Metrics;
  /** Every JSON log line the ingest and the workers wrote. */
  logLines: string[];
  workers: RunningWorkers | null;
  startWorkers: () => RunningWorkers;
  stop: () => Promise<void>;
}

export interface StackOptions {
  settings?: Partial<IngestSettings>;
  /** Start the in-process workers right away (default true). */
  workers?: boolean;
  /** Whether the emulator delivers events to the ingest on its own (default false: tests deliver). */
  autoDeliver?: boolean;
  emailAttempts?: number;
  emailLeaseMs?: number;
  lockDurationMs?: number;
  /** How far back the in-process reconcile processor looks (default 72 h). */
  reconcileLookbackMs?: number;
  /** A Redis other than the shared test one, such as a private server for fault tests. */
  redisUrl?: string;
}

/** The whole system in one process, against the test Postgres and Redis: emulator, ingest, workers, SMTP. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const database = await createTestDatabase(inject('databaseUrl'));
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const prefix = testPrefix();
  const logLines: string[] = [];
  const logger = createLogger(
    { level: 'info', name: 'test' },
    {
      write: (line: string) => {
        logLines.push(line);
        if (process.env.TEST_LOG) process.stdout.write(line);
      },
    },
  );
  const redis = createProducerConnection(redisUrl);
  redis.on('error', () => {});
  const queues = createQueues(redis, prefix);
  const smtp = await startSmtpSink();
  const emulator = await startStripeEmulator({ autoDeliver: options.autoDeliver ?? false });
  const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: emulator.url, maxNetworkRetries: 0 });
  const metrics = createMetrics({ collectQueueCounts: queueCountsCollector(queues) });
  const workerMetrics = createMetrics();

  const app = await buildApp({
    settings: {
      webhookSecrets: [WEBHOOK_SECRET],
      orderIdSecret: ORDER_ID_SECRET,
      successWaitMs: 3000,
      successRateLimit: { max: 1000, windowMs: 60_000 },
      enqueueTimeoutMs: 2000,
      underPressure: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxRssBytes: 0 },
      trustProxy: false,
      ...options.settings,
    },
    logger,
    db: database.db,
    stripe,
    queues,
    pingRedis: () => redis.ping(),
    metrics,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const ingestUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  emulator.addWebhookEndpoint({ url: `${ingestUrl}/order/stripe-webhook`, secret: WEBHOOK_SECRET });

  const transport = nodemailer.createTransport({
    url: smtp.url,
    pool: true,
    connectionTimeout: 2000,
  } as never);
  const launch = () =>
    startWorkers({
      settings: {
        orderIdSecret: ORDER_ID_SECRET,
        mailFrom: MAIL_FROM,
        shopName: 'Test Shop',
        concurrency: 5,
        emailAttempts: options.emailAttempts ?? 15,
        emailLeaseMs: options.emailLeaseMs ?? 30_000,
        lockDurationMs: options.lockDurationMs ?? 30_000,
        reconcileLookbackMs: options.reconcileLookbackMs ?? 72 * 3600 * 1000,
        reconcileEmailGraceMs: 60_000,
      },
      logger,
      db: database.db,
      stripe,
      queues,
      connection: { url: redisUrl },
      prefix,
      sendMail: (mail) => transport.sendMail(mail),
      metrics: workerMetrics,
    });

  const stack: Stack = {
    database,
    db: database.db,
    redisUrl,
    prefix,
    queues,
    emulator,
    smtp,
    app,
    ingestUrl,
    metrics,
    workerMetrics,
    logLines,
    workers: null,
    startWorkers: () => {
      stack.workers = launch();
      return stack.workers;
    },
    stop: async () => {
      await stack.workers?.close();
      await app.close();
      await closeQueues(queues);
      redis.disconnect();
      transport.close();
      await emulator.close();
      await smtp.stop();
      await deletePrefix(redisUrl, prefix);
      await database.drop();
    },
  };
  if (options.workers ?? true) stack.startWorkers();
  return stack;
}
