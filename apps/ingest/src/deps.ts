import type { Database } from '@fulfill/db';
import type { Metrics } from '@fulfill/observability';
import type { CheckoutSession } from '@fulfill/orders';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

/** A verified Stripe event, as much of it as the ingest reads. */
export interface VerifiedEvent {
  id: string;
  type: string;
  created: number;
  data: { object: unknown };
}

/** The subset of the Stripe client the ingest needs. */
export interface IngestStripe {
  webhooks: {
    constructEvent(payload: Buffer, header: string, secret: string, tolerance?: number): VerifiedEvent;
  };
  checkout: { sessions: { retrieve(id: string): Promise<CheckoutSession> } };
}

export interface IngestSettings {
  /** Signing secrets, any of which may have signed a webhook; empty means the webhook is not configured. */
  webhookSecrets: string[];
  orderIdSecret: string;
  successWaitMs: number;
  successRateLimit: { max: number; windowMs: number };
  enqueueTimeoutMs: number;
  admin?: { user: string; password: string };
  underPressure: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; maxRssBytes: number };
  /** Fastify's `trustProxy`: false, or the addresses and CIDRs of the proxies whose X-Forwarded-For counts. */
  trustProxy: false | string[];
  /** Origins (`https://shop.example`) whose pages may read the browser routes' answers; none when unset. */
  corsOrigins?: string[];
  /**
   * Who may read /metrics on the ingest's port: a bearer token, and whether the metrics are served on a listener
   * of their own instead (then the ingest's port answers 404 for /metrics). Unset: public on the ingest's port.
   */
  metrics?: { token?: string | undefined; separateListener?: boolean };
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
