import type { OpsConfig } from '@fulfill/config';
import { createDb, type Database } from '@fulfill/db';
import {
  type CheckoutSession,
  createStripeClient,
  type ReconcileStripeApi,
  type StripeEventSummary,
} from '@fulfill/orders';
import {
  closeQueues,
  createProducerConnection,
  createQueues,
  type Queues,
  withTimeout,
} from '@fulfill/queue';
import type { Kysely } from 'kysely';

/** The subset of the Stripe client the ops commands need. */
export type OpsStripe = ReconcileStripeApi & {
  checkout: { sessions: { retrieve(id: string): Promise<CheckoutSession> } };
  events: { retrieve(id: string): Promise<StripeEventSummary> };
};

/** Where a command reports: `info` for what it did (stdout), `error` for what went wrong (stderr). */
export interface Output {
  info(line: string): void;
  error(line: string): void;
}

/** Everything a command needs, passed in so that tests can run commands against their own services. */
export interface OpsDeps {
  db: Kysely<Database>;
  stripe: OpsStripe;
  queues: Queues;
  orderIdSecret: string;
  out: Output;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens the connections the commands use. `ready` rejects when Redis does not answer within 10 s, so a command
 * fails instead of hanging; `close` ends the connections so the process can exit.
 */
export function openOpsDeps(
  config: OpsConfig,
  out: Output,
): { deps: OpsDeps; ready: () => Promise<void>; close: () => Promise<void> } {
  const redis = createProducerConnection(config.REDIS_URL);
  let redisError: string | null = null;
  redis.on('error', (error: Error) => {
    if (error.message !== redisError) out.error(`redis: ${error.message}`);
    redisError = error.message;
  });
  const queues = createQueues(redis, config.QUEUE_PREFIX);
  // BullMQ repeats the connection's errors on each queue; the connection's own handler has reported them.
  for (const queue of Object.values(queues)) queue.on('error', () => {});
  const db = createDb(config.DATABASE_URL, { max: 2 });
  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE });
  return {
    deps: { db, stripe, queues, orderIdSecret: config.ORDER_ID_SECRET, out },
    ready: () =>
      withTimeout(
        Promise.all(Object.values(queues).map((queue) => queue.waitUntilReady())),
        CONNECT_TIMEOUT_MS,
        `connecting to Redis`,
      ).then(() => undefined),
    close: async () => {
      if (redis.status === 'ready') {
        await closeQueues(queues).catch(() => {});
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
      await db.destroy();
    },
  };
}
