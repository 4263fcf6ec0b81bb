import type { AddressInfo } from 'node:net';
import { type Environment, ingestSettingsFrom, loadConfig, workerSettingsFrom } from '@fulfill/config';
import type { Database } from '@fulfill/db';
import { type SmtpSink, startSmtpSink } from '@fulfill/dev-support';
import { buildApp, type IngestSettings } from '@fulfill/ingest';
import { createMetrics, type Metrics } from '@fulfill/observability';
import { openWorkerConnection, type Queues } from '@fulfill/queue';
import { openInfrastructure, openMailTransport } from '@fulfill/runtime';
import { type StripeEmulator, startStripeEmulator } from '@fulfill/stripe-emulator';
import type { ActiveTracing } from '@fulfill/telemetry';
import { type RunningWorkers, startWorkers } from '@fulfill/worker';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
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
  /** How often the in-process reconcile processor sweeps the whole window (default 24 h; 0: every run). */
  reconcileFullEveryMs?: number;
  /** A Redis other than the shared test one, such as a private server for fault tests. */
  redisUrl?: string;
  /** The shop's webhook endpoint; shop webhooks are off without it. Retries start at 100 ms by default. */
  shopWebhook?: { url: string; secret: string; retryBase?: string; retryCap?: string; retryFor?: string };
  /** STRIPE_EVENT_RETENTION, e.g. `30d`. */
  eventRetention?: string;
  /** A Redis Cluster's `REDIS_CLUSTER_NODES` instead of a single Redis; the queue prefix gets a hash tag. */
  redisClusterNodes?: string;
  /** The processes' DATABASE_URL for the test database's direct one (e.g. through PgBouncer). */
  databaseUrlFor?: (directUrl: string) => string;
  /** Tracing as a traced process wires it: the queues, the workers and the ingest's requests. */
  tracing?: ActiveTracing;
}

/** The environment a stack's ingest and workers read, as a deployment would set it. */
function stackEnvironment(
  options: StackOptions,
  services: { databaseUrl: string; redisUrl: string; prefix: string; stripeApiBase: string; smtpUrl: string },
): Environment {
  const ms = (value: number | undefined) => (value === undefined ? undefined : `${value}ms`);
  return {
    DATABASE_URL: services.databaseUrl,
    ...(options.redisClusterNodes
      ? { REDIS_CLUSTER_NODES: options.redisClusterNodes }
      : { REDIS_URL: services.redisUrl }),
    QUEUE_PREFIX: services.prefix,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: services.stripeApiBase,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ORDER_ID_SECRET,
    SMTP_URL: services.smtpUrl,
    MAIL_FROM,
    SHOP_NAME: 'Test Shop',
    // Tests send bursts of redirects from one address, and must not be shed on a busy machine.
    SUCCESS_RATE_LIMIT_MAX: '1000',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    EMAIL_LEASE: ms(options.emailLeaseMs ?? 30_000),
    EMAIL_ATTEMPTS: options.emailAttempts?.toString(),
    JOB_LOCK_MS: options.lockDurationMs?.toString(),
    RECONCILE_LOOKBACK: ms(options.reconcileLookbackMs),
    SHOP_WEBHOOK_URL: options.shopWebhook?.url,
    SHOP_WEBHOOK_SECRET: options.shopWebhook?.secret,
    SHOP_WEBHOOK_RETRY_BASE: options.shopWebhook ? (options.shopWebhook.retryBase ?? '100ms') : undefined,
    SHOP_WEBHOOK_RETRY_CAP: options.shopWebhook ? (options.shopWebhook.retryCap ?? '400ms') : undefined,
    SHOP_WEBHOOK_RETRY_FOR: options.shopWebhook?.retryFor,
    SHOP_WEBHOOK_TIMEOUT: options.shopWebhook ? '2s' : undefined,
    STRIPE_EVENT_RETENTION: options.eventRetention,
    RECONCILE_FULL_EVERY: ms(options.reconcileFullEveryMs),
  };
}

function configOf<R extends 'ingest' | 'worker'>(role: R, env: Environment) {
  const result = loadConfig(role, env);
  if (!result.ok) throw new Error(`test stack: invalid ${role} configuration: ${result.problems.join('; ')}`);
  return result.config;
}

/**
 * The ingest's settings as a deployment's environment makes them, through the same loader and builder, for a
 * test that builds the ingest alone; `env` sets or overrides variables (an empty value unsets a list).
 */
export function testIngestSettings(env: Environment = {}) {
  const services = {
    databaseUrl: inject('databaseUrl'),
    redisUrl: inject('redisUrl'),
    prefix: 'test-ingest-settings',
    stripeApiBase: 'http://127.0.0.1:9',
    smtpUrl: 'smtp://127.0.0.1:9',
  };
  return ingestSettingsFrom(configOf('ingest', { ...stackEnvironment({}, services), ...env }));
}

/** The whole system in one process, against the test Postgres and Redis: emulator, ingest, workers, SMTP. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const database = await createTestDatabase(inject('databaseUrl'));
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const prefix = options.redisClusterNodes ? `{${testPrefix()}}` : testPrefix();
  const logLines: string[] = [];
  const smtp = await startSmtpSink();
  const emulator = await startStripeEmulator({ autoDeliver: options.autoDeliver ?? false });
  const env = stackEnvironment(options, {
    databaseUrl: options.databaseUrlFor?.(database.url) ?? database.url,
    redisUrl,
    prefix,
    stripeApiBase: emulator.url,
    smtpUrl: smtp.url,
  });
  const ingestConfig = configOf('ingest', env);
  const workerConfig = configOf('worker', env);
  // One process plays both roles: its metrics export every series, the queue counts included.
  const infrastructure = openInfrastructure(ingestConfig, {
    name: 'test',
    logDestination: {
      write: (line: string) => {
        logLines.push(line);
        if (process.env.TEST_LOG) process.stdout.write(line);
      },
    },
    metrics: { queueCounts: true },
    stripe: { maxNetworkRetries: 0 },
    ...(options.tracing ? { queueTelemetry: options.tracing.bullmq } : {}),
  });
  const { logger, db, queues, stripe, metrics } = infrastructure;
  const workerMetrics = createMetrics();

  const app = await buildApp({
    settings: { ...ingestSettingsFrom(ingestConfig), ...options.settings },
    logger,
    db,
    stripe,
    queues,
    pingRedis: infrastructure.pingRedis,
    metrics,
    ...(options.tracing ? { tracing: options.tracing.fastify } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const ingestUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  emulator.addWebhookEndpoint({ url: `${ingestUrl}/order/stripe-webhook`, secret: WEBHOOK_SECRET });

  const transport = openMailTransport(workerConfig);
  const workerConnection = openWorkerConnection(infrastructure.redisTarget);
  const launch = () =>
    startWorkers({
      settings: workerSettingsFrom(workerConfig),
      logger,
      db,
      stripe,
      queues,
      connection: workerConnection.connection,
      prefix,
      sendMail: (mail) => transport.sendMail(mail),
      metrics: workerMetrics,
      ...(options.tracing ? { telemetry: options.tracing.bullmq } : {}),
    });

  const stack: Stack = {
    database,
    db,
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
      workerConnection.close();
      await app.close();
      await infrastructure.close();
      transport.close();
      await emulator.close();
      await smtp.stop();
      // A test's own cluster goes with its keys.
      if (!options.redisClusterNodes) await deletePrefix(redisUrl, prefix);
      await database.drop();
    },
  };
  if (options.workers ?? true) stack.startWorkers();
  return stack;
}
