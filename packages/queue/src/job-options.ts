import type { JobsOptions } from 'bullmq';

/**
 * Completed jobs are kept a day so that their ids keep deduplicating Stripe's redeliveries; past that the
 * database's unique fulfillment key still deduplicates. Failed jobs are kept a week for replay.
 */
const KEEP = {
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} satisfies JobsOptions;

export function fulfillmentJobOptions(attempts: number): JobsOptions {
  return { ...KEEP, attempts, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } };
}

export function emailJobOptions(attempts: number): JobsOptions {
  return { ...KEEP, attempts, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } };
}

/** Attempt counts when the producer does not say otherwise: about 35 minutes of fulfillment retries, hours of email ones. */
export const DEFAULT_ATTEMPTS = { fulfillment: 12, email: 15 } as const;
