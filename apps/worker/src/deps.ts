import type { WorkerSettings } from '@fulfill/config';
import type { Database } from '@fulfill/db';
import type { ConnectionErrors, Metrics } from '@fulfill/observability';
import type {
  CheckoutSessionsApi,
  OutgoingMail,
  PaymentStateStripeApi,
  ReconcileStripeApi,
  ShopPost,
} from '@fulfill/orders';
import type { Queues } from '@fulfill/queue';
import type { ConnectionOptions, Telemetry } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

export type { WorkerSettings };

/** Everything the processors need, passed in so tests run them against their own services. */
export interface WorkerDeps {
  settings: WorkerSettings;
  logger: Logger;
  db: Kysely<Database>;
  stripe: CheckoutSessionsApi & ReconcileStripeApi & PaymentStateStripeApi;
  queues: Queues;
  /** The connection BullMQ workers open their own blocking clients from. */
  connection: ConnectionOptions;
  prefix: string;
  sendMail: (mail: OutgoingMail) => Promise<unknown>;
  /** How shop webhooks are posted; fetch by default. */
  postShopWebhook?: ShopPost;
  metrics: Metrics;
  /** Hears the errors of the workers' own Redis connections; without it they are logged each time. */
  connectionErrors?: ConnectionErrors;
  /**
   * BullMQ's telemetry when the process traces: each job's span continues the trace its producer added it in,
   * and the jobs a processor adds continue it further.
   */
  telemetry?: Telemetry;
}
