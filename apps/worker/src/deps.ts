import type { Database } from '@fulfill/db';
import type { ConnectionErrors, Metrics } from '@fulfill/observability';
import type { CheckoutSessionsApi, OutgoingMail, ReconcileStripeApi } from '@fulfill/orders';
import type { Queues } from '@fulfill/queue';
import type { ConnectionOptions } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

export interface WorkerSettings {
  orderIdSecret: string;
  mailFrom: string;
  shopName: string;
  concurrency: number;
  emailAttempts: number;
  /** How long an email claim lasts unrenewed: a worker that dies mid-send frees its email after about this long. */
  emailLeaseMs: number;
  /** How long a job's lock lasts; a worker that dies mid-job frees its job after about this long. */
  lockDurationMs: number;
  /** How far back each reconcile run looks at Checkout Sessions and undelivered events, in ms. */
  reconcileLookbackMs: number;
  /** How long an outbox email may stay unsent before a reconcile run enqueues its job again, in ms. */
  reconcileEmailGraceMs: number;
}

/** Everything the processors need, passed in so tests run them against their own services. */
export interface WorkerDeps {
  settings: WorkerSettings;
  logger: Logger;
  db: Kysely<Database>;
  stripe: CheckoutSessionsApi & ReconcileStripeApi;
  queues: Queues;
  /** The connection BullMQ workers open their own blocking clients from. */
  connection: ConnectionOptions;
  prefix: string;
  sendMail: (mail: OutgoingMail) => Promise<unknown>;
  metrics: Metrics;
  /** Hears the errors of the workers' own Redis connections; without it they are logged each time. */
  connectionErrors?: ConnectionErrors;
}
