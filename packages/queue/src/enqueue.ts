import type { Queue } from 'bullmq';
import { enqueueOutcome } from './enqueue-outcome.ts';
import { buildEmailJob, type EmailJobData } from './jobs/email-job.ts';
import type { FulfillmentJob } from './jobs/fulfillment-job.ts';

/** The states in which a job has not yet started, so it will read Stripe's state when it does. */
const NOT_STARTED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

export type EnqueueResult =
  | { kind: 'added'; jobId: string }
  | { kind: 'duplicate'; jobId: string; state: string }
  | { kind: 'follow-up'; jobId: string; followUpOf: string; state: string };

/** A promise that rejects after `ms`, so a caller never waits longer than it can answer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Enqueues a fulfillment job (from `buildFulfillmentJob`) under its job id, so concurrent deliveries of a checkout
 * make one job. Where a job with that id already exists and has started (or finished, or failed), it may have read
 * Stripe before what this call reports happened; the job is then added under its follow-up id to run after it, so
 * that repeats of the same happening dedupe against the follow-up. Resolves once Redis holds the job.
 */
export async function enqueueFulfillment(queue: Queue, job: FulfillmentJob): Promise<EnqueueResult> {
  const add = async (jobId: string) => {
    await queue.add(job.name, job.data, { ...job.opts, jobId });
    const outcome = await enqueueOutcome(queue, jobId, job.data.enqueueId);
    return { ours: outcome === 'ours', state: outcome === 'ours' ? 'unknown' : outcome };
  };

  const { jobId, followUpJobId } = job;
  const base = await add(jobId);
  if (base.ours) return { kind: 'added', jobId };
  if (NOT_STARTED.has(base.state)) return { kind: 'duplicate', jobId, state: base.state };
  if (base.state === 'unknown') {
    // Removed between the add and the read: add again, and this time it is ours or a newer one's.
    return (await add(jobId)).ours
      ? { kind: 'added', jobId }
      : { kind: 'duplicate', jobId, state: 'unknown' };
  }
  const followUp = await add(followUpJobId);
  if (!followUp.ours) return { kind: 'duplicate', jobId: followUpJobId, state: followUp.state };
  return { kind: 'follow-up', jobId: followUpJobId, followUpOf: jobId, state: base.state };
}

/**
 * Enqueues the email job of an outbox row. A job for it that already failed for good is retried (unless
 * `retryFailed` is false: then it is left as it is, `exists`); one that completed while the row is still unsent
 * is replaced. Either way the email handler claims the outbox row first, so a duplicate job never sends twice.
 * `newOutboxRow`: the row was created by the caller's own write a moment ago, so the lookup is skipped.
 */
export async function enqueueEmail(
  queue: Queue,
  data: EmailJobData,
  options: { attempts?: number; retryFailed?: boolean; newOutboxRow?: boolean } = {},
): Promise<'added' | 'exists' | 'retried' | 'replaced'> {
  const job = buildEmailJob(data, options.attempts !== undefined ? { attempts: options.attempts } : {});
  if (options.newOutboxRow) {
    // The row was created just now, so no job can exist for it yet: one add, without looking first.
    await queue.add(job.name, job.data, { ...job.opts, jobId: job.jobId });
    return 'added';
  }
  const existing = await queue.getJob(job.jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed') {
      if (options.retryFailed === false) return 'exists';
      await existing.retry('failed', { resetAttemptsMade: true });
      return 'retried';
    }
    if (state !== 'completed') return 'exists';
    await existing.remove();
    await queue.add(job.name, job.data, { ...job.opts, jobId: job.jobId });
    return 'replaced';
  }
  await queue.add(job.name, job.data, { ...job.opts, jobId: job.jobId });
  return 'added';
}
