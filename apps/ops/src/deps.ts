import type { OpsConfig } from '@fulfill/config';
import type { Database } from '@fulfill/db';
import type {
  AccountRequestOptions,
  CheckoutSession,
  ReconcileStripeApi,
  StripeEventSummary,
} from '@fulfill/orders';
import { type Queues, withTimeout } from '@fulfill/queue';
import { openInfrastructure } from '@fulfill/runtime';
import type { Kysely } from 'kysely';

/** The subset of the Stripe client the ops commands need. */
export type OpsStripe = ReconcileStripeApi & {
  checkout: {
    sessions: {
      retrieve(id: string, params?: undefined, options?: AccountRequestOptions): Promise<CheckoutSession>;
    };
  };
  events: {
    retrieve(
      id: string,
      params?: undefined,
      options?: AccountRequestOptions,
    ): Promise<StripeEventSummary & { account?: string }>;
  };
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
  /** Connected accounts `reconcile` covers besides the platform (`STRIPE_CONNECT_ACCOUNTS`). */
  connectAccounts: 'all' | string[];
  /** SHOP_WEBHOOK_URL: the shop's endpoint, whose deliveries `shop-webhooks` manages; unset when off. */
  shopWebhookUrl?: string | undefined;
  out: Output;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens the connections the commands use. Redis's errors go to `out.error`, each distinct one once. `ready`
 * rejects when Redis does not answer within 10 s, so a command fails instead of hanging; `close` ends the
 * connections so the process can exit.
 */
export function openOpsDeps(
  config: OpsConfig,
  out: Output,
): { deps: OpsDeps; ready: () => Promise<void>; close: () => Promise<void> } {
  let redisError: string | null = null;
  const { db, stripe, queues, close } = openInfrastructure(config, {
    name: 'ops',
    // Stdout carries the commands' output only.
    logDestination: process.stderr,
    databasePoolSize: 2,
    connectionErrors: {
      // A Postgres error fails the query that met it, and the command says so.
      report: (target, error) => {
        if (target !== 'redis') return;
        const message = error instanceof Error ? error.message : String(error);
        if (message !== redisError) out.error(`redis: ${message}`);
        redisError = message;
      },
      restored: () => {},
    },
  });
  return {
    deps: {
      db,
      stripe,
      queues,
      orderIdSecret: config.ORDER_ID_SECRET,
      connectAccounts: config.STRIPE_CONNECT_ACCOUNTS,
      shopWebhookUrl: config.SHOP_WEBHOOK_URL,
      out,
    },
    ready: () =>
      withTimeout(
        Promise.all(Object.values(queues).map((queue) => queue.waitUntilReady())),
        CONNECT_TIMEOUT_MS,
        `connecting to Redis`,
      ).then(() => undefined),
    close,
  };
}
