import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type QueueCount, registerQueueCounts } from './queue-counts-metrics.ts';

/** Fulfill's Prometheus metrics, on a registry of their own. */
export interface Metrics {
  registry: Registry;
  webhooks: Counter<'type' | 'outcome'>;
  signatureFailures: Counter;
  enqueueSeconds: Histogram;
  jobs: Counter<'queue' | 'result'>;
  jobAttempts: Histogram<'queue'>;
  ordersCreated: Counter<'status'>;
  fulfillmentRejected: Counter<'reason'>;
  duplicatesSuppressed: Counter<'layer'>;
  emails: Counter<'kind' | 'result'>;
  reconcileRecovered: Counter;
  webhookToOrderSeconds: Histogram;
  shopWebhooks: Counter<'event' | 'result'>;
  shopWebhookEndpointDisabled: Gauge;
  paymentChanges: Counter<'type' | 'outcome'>;
  stripeEventsPruned: Counter;
}

/** The process a registry belongs to; each exports only the series it owns. */
export type MetricsRole = 'ingest' | 'worker';

export interface MetricsOptions {
  /**
   * `ingest` exports the webhook and redirect series, `worker` the job, order, email and reconcile series;
   * `fulfill_duplicates_suppressed_total` comes from both, each counting its own layer. Omitted, every series is
   * exported, for a test that runs both roles in one process.
   */
  role?: MetricsRole;
  /**
   * Reads every queue's job counts by state from Redis, for `fulfill_queue_jobs`. Give it to one role only (the
   * worker): the counts describe the shared queues, not the process, so each instance reports the same values.
   */
  collectQueueCounts?: () => Promise<QueueCount[]>;
  /** Longest a scrape waits for the queue counts before answering with the last ones (default 500 ms). */
  queueCountsTimeoutMs?: number;
}

/**
 * Creates the metrics. Default process metrics are included. Counters of a series the role does not own still
 * work but are not exported, so that a sum across instances counts each event once.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const owned = (owner: MetricsRole | 'both') =>
    options.role === undefined || owner === 'both' || owner === options.role ? [registry] : [];
  const ingest = owned('ingest');
  const worker = owned('worker');
  const both = owned('both');
  if (options.collectQueueCounts) {
    registerQueueCounts(registry, options.collectQueueCounts, options.queueCountsTimeoutMs ?? 500);
  }
  return {
    registry,
    webhooks: new Counter({
      name: 'fulfill_webhooks_total',
      help: 'Stripe webhooks received, by event type and outcome.',
      labelNames: ['type', 'outcome'],
      registers: ingest,
    }),
    signatureFailures: new Counter({
      name: 'fulfill_webhook_signature_failures_total',
      help: 'Webhook requests rejected for a missing or invalid signature.',
      registers: ingest,
    }),
    enqueueSeconds: new Histogram({
      name: 'fulfill_enqueue_seconds',
      help: 'Time to have Redis acknowledge a fulfillment job.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: ingest,
    }),
    jobs: new Counter({
      name: 'fulfill_jobs_total',
      help: 'Job attempts finished, by queue and result (completed, failed, retrying).',
      labelNames: ['queue', 'result'],
      registers: worker,
    }),
    jobAttempts: new Histogram({
      name: 'fulfill_job_attempts',
      help: 'Attempts a job took when it completed or failed for good.',
      labelNames: ['queue'],
      buckets: [1, 2, 3, 5, 8, 12, 20],
      registers: worker,
    }),
    ordersCreated: new Counter({
      name: 'fulfill_orders_created_total',
      help: 'Orders created, by their status at creation.',
      labelNames: ['status'],
      registers: worker,
    }),
    fulfillmentRejected: new Counter({
      name: 'fulfill_fulfillment_rejected_total',
      help: 'Complete Checkout Sessions failed for good without an order, by reason (missing-data: no currency or total).',
      labelNames: ['reason'],
      registers: worker,
    }),
    duplicatesSuppressed: new Counter({
      name: 'fulfill_duplicates_suppressed_total',
      help: 'Duplicate deliveries absorbed: layer=queue when the job id existed, layer=database when the unique key did.',
      labelNames: ['layer'],
      registers: both,
    }),
    emails: new Counter({
      name: 'fulfill_emails_total',
      help: 'Email send attempts, by kind and result.',
      labelNames: ['kind', 'result'],
      registers: worker,
    }),
    reconcileRecovered: new Counter({
      name: 'fulfill_reconcile_recovered_total',
      help: 'Paid checkouts the reconciler found without an order and enqueued. Any increase is an alarm.',
      registers: worker,
    }),
    webhookToOrderSeconds: new Histogram({
      name: 'fulfill_webhook_to_order_seconds',
      help: "From the Stripe event's creation to the order's commit.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: worker,
    }),
    shopWebhooks: new Counter({
      name: 'fulfill_shop_webhooks_total',
      help: 'Webhook deliveries to the shop, by event and result (delivered, retrying, gone, gave-up, endpoint-disabled).',
      labelNames: ['event', 'result'],
      registers: worker,
    }),
    shopWebhookEndpointDisabled: new Gauge({
      name: 'fulfill_shop_webhook_endpoint_disabled',
      help: "1 while the shop's endpoint is disabled because it answered 410 Gone; nothing is delivered until ops re-enables it.",
      registers: worker,
    }),
    paymentChanges: new Counter({
      name: 'fulfill_payment_changes_total',
      help: 'Refund and dispute events applied to orders, by event type and outcome.',
      labelNames: ['type', 'outcome'],
      registers: worker,
    }),
    stripeEventsPruned: new Counter({
      name: 'fulfill_stripe_events_pruned_total',
      help: 'Stored Stripe events deleted after STRIPE_EVENT_RETENTION.',
      registers: worker,
    }),
  };
}
