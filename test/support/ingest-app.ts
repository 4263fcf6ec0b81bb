import type { Database } from '@fulfill/db';
import { buildApp, type IngestDeps, type IngestSettings } from '@fulfill/ingest';
import { createLogger, createMetrics } from '@fulfill/observability';
import { createStripeClient } from '@fulfill/orders';
import { closeQueues, createProducerConnection, createQueues, type Queues } from '@fulfill/queue';
import { type StripeEmulator, startStripeEmulator } from '@fulfill/stripe-emulator';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { deletePrefix, testPrefix } from './redis.ts';
import { STRIPE_KEY, testIngestSettings } from './stack.ts';

export interface IngestApp {
  app: FastifyInstance;
  emulator: StripeEmulator;
  database: TestDatabase;
  queues: Queues;
  logLines: string[];
  stop: () => Promise<void>;
}

export interface IngestAppOptions {
  settings?: Partial<IngestSettings>;
  /** Where the Stripe client points; the emulator by default. */
  stripeApiBase?: string;
  /** A database in place of the test's own, such as one at a closed port. */
  db?: Kysely<Database>;
  metrics?: IngestDeps['metrics'];
}

/** The ingest alone, built through buildApp with dependencies a test may swap, and no workers. */
export async function startIngestApp(options: IngestAppOptions = {}): Promise<IngestApp> {
  const database = await createTestDatabase(inject('databaseUrl'));
  const redisUrl = inject('redisUrl');
  const prefix = testPrefix();
  const redis = createProducerConnection(redisUrl);
  redis.on('error', () => {});
  const queues = createQueues(redis, prefix);
  const emulator = await startStripeEmulator({ autoDeliver: false });
  const logLines: string[] = [];
  const logger = createLogger(
    { level: 'info', name: 'test' },
    { write: (line: string) => logLines.push(line) },
  );
  const app = await buildApp({
    settings: {
      ...testIngestSettings({ SUCCESS_WAIT_MS: '500', SUCCESS_RATE_LIMIT_MAX: '10000' }),
      ...options.settings,
    },
    logger,
    db: options.db ?? database.db,
    stripe: createStripeClient({
      secretKey: STRIPE_KEY,
      apiBase: options.stripeApiBase ?? emulator.url,
      maxNetworkRetries: 0,
    }),
    queues,
    pingRedis: () => redis.ping(),
    metrics: options.metrics ?? createMetrics({ role: 'ingest' }),
  });
  return {
    app,
    emulator,
    database,
    queues,
    logLines,
    stop: async () => {
      await app.close();
      await closeQueues(queues);
      redis.disconnect();
      await emulator.close();
      await deletePrefix(redisUrl, prefix);
      await database.drop();
    },
  };
}
