import { QUEUE_NAMES, SHOP_WEBHOOK_BACKOFF, shopWebhookBackoffMs } from '@fulfill/queue';
import { type Job, type Processor, UnrecoverableError, Worker } from 'bullmq';
import type { WorkerDeps } from './deps.ts';
import { createEmailProcessor } from './processors/email.ts';
import { createFulfillmentProcessor } from './processors/fulfillment.ts';
import { createPaymentChangeProcessor } from './processors/payment-change.ts';
import { createReconcileProcessor } from './processors/reconcile.ts';
import { createShopWebhookProcessor } from './processors/shop-webhook.ts';

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the active ones to finish. */
  close: () => Promise<void>;
}

function instrument(deps: WorkerDeps, worker: Worker): Worker {
  const queue = worker.name;
  worker.on('completed', (job: Job) => {
    deps.metrics.jobs.inc({ queue, result: 'completed' });
    deps.metrics.jobAttempts.observe({ queue }, job.attemptsMade + 1);
  });
  worker.on('failed', (job: Job | undefined, error: Error) => {
    if (!job) return;
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    deps.metrics.jobs.inc({ queue, result: final ? 'failed' : 'retrying' });
    if (final) deps.metrics.jobAttempts.observe({ queue }, job.attemptsMade);
    deps.logger[final ? 'error' : 'warn'](
      { queue, jobId: job.id, attemptsMade: job.attemptsMade, final, reason: error.message },
      final ? 'job failed for good' : 'job failed; will retry',
    );
  });
  // Every worker has blocking Redis connections of its own; their errors arrive here, and are survived.
  worker.on('error', (error: Error) =>
    deps.connectionErrors
      ? deps.connectionErrors.report('redis', error, `worker:${queue}`)
      : deps.logger.error({ queue, err: error }, 'worker error'),
  );
  return worker;
}

/**
 * Starts the BullMQ workers of the fulfillment, email, reconcile and payment-change queues, and of the
 * shop-webhook queue when SHOP_WEBHOOK_URL is set.
 */
export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const options = {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.settings.concurrency,
    lockDuration: deps.settings.lockDurationMs,
    stalledInterval: Math.max(1000, Math.floor(deps.settings.lockDurationMs / 2)),
    maxStalledCount: 2,
    ...(deps.telemetry ? { telemetry: deps.telemetry } : {}),
  };
  const make = (name: string, processor: Processor, concurrency = options.concurrency) =>
    instrument(deps, new Worker(name, processor, { ...options, concurrency }));
  const workers = [
    make(QUEUE_NAMES.fulfillment, createFulfillmentProcessor(deps)),
    make(QUEUE_NAMES.email, createEmailProcessor(deps)),
    // One reconcile run at a time in this worker; across workers, the account's lease row allows one.
    make(QUEUE_NAMES.reconcile, createReconcileProcessor(deps), 1),
    make(QUEUE_NAMES.paymentChange, createPaymentChangeProcessor(deps)),
  ];
  const shop = deps.settings.shopWebhook;
  if (shop) {
    const processor = createShopWebhookProcessor(deps, deps.postShopWebhook);
    const backoff = { baseMs: shop.retryBaseMs, capMs: shop.retryCapMs };
    workers.push(
      instrument(
        deps,
        new Worker(QUEUE_NAMES.shopWebhook, processor, {
          ...options,
          settings: {
            backoffStrategy: (attemptsMade: number, type?: string) =>
              type === SHOP_WEBHOOK_BACKOFF ? shopWebhookBackoffMs(attemptsMade, backoff) : 1000,
          },
        }),
      ),
    );
  }
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
