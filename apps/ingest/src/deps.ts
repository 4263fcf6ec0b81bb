import type { IngestSettings } from '@fulfill/config';
import type { Database } from '@fulfill/db';
import type { Metrics } from '@fulfill/observability';
import type { AccountRequestOptions, CheckoutSession } from '@fulfill/orders';
import type { RedisConnection } from '@fulfill/queue';
import type { Queue } from 'bullmq';
import type { FastifyPluginCallback } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

export type { IngestSettings };

/** A verified Stripe event, as much of it as the ingest reads. */
export interface VerifiedEvent {
  /** `event`; `v2.core.event` for an event notification (thin event), which has no `data`. */
  object?: string;
  id: string;
  type: string;
  created: number;
  data: { object: unknown };
  /** The connected account the event happened on; absent for the platform's own. */
  account?: string;
}

/**
 * An event notification (thin event) as stripe-node's `parseEventNotification` returns it: no object, only
 * what to fetch. `fetchEvent` reads the full event from Stripe, for the notification's account.
 */
export interface EventNotification {
  id: string;
  type: string;
  fetchEvent(): Promise<{
    id: string;
    type: string;
    /** ISO 8601. */
    created: string;
    /** The connected account (`acct_…`) the event happened on, when there is one. */
    context?: string | null | undefined;
    /** The object the event is about; a singleton object has no id. */
    related_object?: { id?: string; type: string; url: string } | null | undefined;
  }>;
  /**
   * Reads the object the event is about from Stripe, for the notification's account; stripe-node's types
   * declare it only on the types that have one.
   */
  fetchRelatedObject?: () => Promise<unknown>;
}

/** The subset of the Stripe client the ingest needs. */
export interface IngestStripe {
  parseEventNotification(
    payload: Buffer,
    header: string,
    secret: string,
    tolerance?: number,
  ): EventNotification;
  checkout: {
    sessions: {
      retrieve(id: string, params?: undefined, options?: AccountRequestOptions): Promise<CheckoutSession>;
      list(
        params: { payment_intent: string; limit: number },
        options?: AccountRequestOptions,
      ): Promise<{ data: CheckoutSession[] }>;
    };
  };
}

/** Everything buildApp needs, passed in so that tests build the app against their own services. */
export interface IngestDeps {
  settings: IngestSettings;
  logger: Logger;
  db: Kysely<Database>;
  stripe: IngestStripe;
  queues: { fulfillment: Queue; email: Queue; reconcile: Queue; paymentChange: Queue; shopWebhook: Queue };
  /** Pings Redis; rejects when it does not answer. */
  pingRedis: () => Promise<unknown>;
  metrics: Metrics;
  /**
   * Where the success redirect's rate limit is counted, so that every ingest of a deployment (one `keyPrefix`)
   * enforces one limit per client. Without it each process counts in its own memory.
   */
  rateLimitStore?: { redis: RedisConnection; keyPrefix: string };
  /**
   * `@fastify/otel`'s plugin when the process traces: registered first, so every request has a span that its
   * enqueue (and the job's trace after it) descends from.
   */
  tracing?: FastifyPluginCallback;
}
