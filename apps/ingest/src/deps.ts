import type { IngestSettings } from '@fulfill/config';
import type { Database } from '@fulfill/db';
import type { Metrics } from '@fulfill/observability';
import type { CheckoutSession } from '@fulfill/orders';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

export type { IngestSettings };

/** A verified Stripe event, as much of it as the ingest reads. */
export interface VerifiedEvent {
  id: string;
  type: string;
  created: number;
  data: { object: unknown };
}

/** The subset of the Stripe client the ingest needs. */
export interface IngestStripe {
  checkout: { sessions: { retrieve(id: string): Promise<CheckoutSession> } };
}

/** Everything buildApp needs, passed in so that tests build the app against their own services. */
export interface IngestDeps {
  settings: IngestSettings;
  logger: Logger;
  db: Kysely<Database>;
  stripe: IngestStripe;
  queues: { fulfillment: Queue; email: Queue; reconcile: Queue };
  /** Pings Redis; rejects when it does not answer. */
  pingRedis: () => Promise<unknown>;
  metrics: Metrics;
}
