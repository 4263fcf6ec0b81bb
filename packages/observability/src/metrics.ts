import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Fulfill's Prometheus metrics, on a registry of their own. */
export interface Metrics {
  registry: Registry;
  webhooks: Counter<'type' | 'outcome'>;
  signatureFailures: Counter;
  enqueueSeconds: Histogram;
  queueJobs: Gauge<'queue' | 'state'>;
  jobs: Counter<'queue' | 'result'>;
  jobAttempts: Histogram<'queue'>;
  ordersCreated: Counter<'status'>;
  duplicatesSuppressed: Counter<'layer'>;
  emails: Counter<'kind' | 'result'>;
  reconcileRecovered: Counter;
  webhookToOrderSeconds: Histogram;
}

/**
 * Creates the metrics. `collectQueueCounts`, when given, refreshes `fulfill_queue_jobs` at every scrape.
 * Default process metrics are included.
 */
export function createMetrics(
  options: {
    collectQueueCounts?: () => Promise<Array<{ queue: string; state: string; count: number }>>;
  } = {},
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const collectQueueCounts = options.collectQueueCounts;
  return {
    registry,
    webhooks: new Counter({
      name: 'fulfill_webhooks_total',
      help: 'Stripe webhooks received, by event type and outcome.',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    signatureFailures: new Counter({
      name: 'fulfill_webhook_signature_failures_total',
      help: 'Webhook requests rejected for a missing or invalid signature.',
      registers,
    }),
    enqueueSeconds: new Histogram({
      name: 'fulfill_enqueue_seconds',
      help: 'Time to have Redis acknowledge a fulfillment job.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'fulfill_queue_jobs',
      help: 'Jobs in each queue, by state.',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        if (!collectQueueCounts) return;
        try {
          for (const { queue, state, count } of await collectQueueCounts()) this.set({ queue, state }, count);
        } catch {
          // Redis unreachable: the gauge keeps its last values, and /readyz reports the outage.
        }
      },
    }),
    jobs: new Counter({
      name: 'fulfill_jobs_total',
      help: 'Job attempts finished, by queue and result (completed, failed, retrying).',
      labelNames: ['queue', 'result'],
      registers,
    }),
    jobAttempts: new Histogram({
      name: 'fulfill_job_attempts',
      help: 'Attempts a job took when it completed or failed for good.',
      labelNames: ['queue'],
      buckets: [1, 2, 3, 5, 8, 12, 20],
      registers,
    }),
    ordersCreated: new Counter({
      name: 'fulfill_orders_created_total',
      help: 'Orders created, by their status at creation.',
      labelNames: ['status'],
      registers,
    }),
    duplicatesSuppressed: new Counter({
      name: 'fulfill_duplicates_suppressed_total',
      help: 'Duplicate deliveries absorbed: layer=queue when the job id existed, layer=database when the unique key did.',
      labelNames: ['layer'],
      registers,
    }),
    emails: new Counter({
      name: 'fulfill_emails_total',
      help: 'Email send attempts, by kind and result.',
      labelNames: ['kind', 'result'],
      registers,
    }),
    reconcileRecovered: new Counter({
      name: 'fulfill_reconcile_recovered_total',
      help: 'Paid checkouts the reconciler found without an order and enqueued. Any increase is an alarm.',
      registers,
    }),
    webhookToOrderSeconds: new Histogram({
      name: 'fulfill_webhook_to_order_seconds',
      help: "From the Stripe event's creation to the order's commit.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}
