import { type JobsOptions, UnrecoverableError } from 'bullmq';
import type { z } from 'zod';

/**
 * Joins the parts of a job id. BullMQ job ids may not contain ':' (it separates the parts of its Redis keys), so
 * the parts are joined with '__', and a part holding ':' is refused here rather than by Redis at `add` time.
 */
export function jobIdOf(...parts: string[]): string {
  for (const part of parts) {
    if (part.length === 0) throw new Error('a job id part may not be empty');
    if (part.includes(':'))
      throw new Error(`a job id part may not contain ':' (BullMQ's separator): ${part}`);
  }
  return parts.join('__');
}

/**
 * How long finished fulfillment and email jobs stay in Redis. Completed jobs are kept a day so that their ids keep
 * deduplicating Stripe's redeliveries; past that the database's unique fulfillment key still deduplicates. Failed
 * jobs are kept a week for replay.
 */
export const KEEP_FINISHED = {
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} satisfies JobsOptions;

/**
 * Validates a job's payload against its contract. A malformed payload throws BullMQ's `UnrecoverableError`, so the
 * job fails at once: no retry can fix it. The message names each bad field, never its value.
 */
export function parseJobData<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`);
  throw new UnrecoverableError(`malformed job: ${fields.join('; ')}`);
}
