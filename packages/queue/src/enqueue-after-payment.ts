import type { Queue } from 'bullmq';
import type { PaymentChangeJob } from './jobs/payment-change-job.ts';
import { buildShopWebhookJob } from './jobs/shop-webhook-job.ts';

/** Adds a payment-change job under its id; `duplicate` when a job with that id (the same event) exists. */
export async function enqueuePaymentChange(
  queue: Queue,
  job: PaymentChangeJob,
): Promise<{ kind: 'added' | 'duplicate'; jobId: string }> {
  const existing = await queue.getJob(job.jobId);
  if (existing) return { kind: 'duplicate', jobId: job.jobId };
  await queue.add(job.name, job.data, { ...job.opts, jobId: job.jobId });
  return { kind: 'added', jobId: job.jobId };
}

/**
 * Enqueues the delivery of a shop-webhook outbox row. A job for it that finished (failed for good, or completed
 * while the row is pending again after an operator's retry or replay) is replaced; a live one is left alone.
 * The delivery reads the row first, so a duplicate job never re-sends a delivered row.
 */
export async function enqueueShopWebhook(
  queue: Queue,
  outboxId: number,
  options: { replaceFinished?: boolean } = {},
): Promise<'added' | 'exists' | 'replaced'> {
  const job = buildShopWebhookJob({ outboxId });
  const existing = await queue.getJob(job.jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed') return 'exists';
    if (options.replaceFinished === false) return 'exists';
    await existing.remove();
    await queue.add(job.name, job.data, { ...job.opts, jobId: job.jobId });
    return 'replaced';
  }
  await queue.add(job.name, job.data, { ...job.opts, jobId: job.jobId });
  return 'added';
}
