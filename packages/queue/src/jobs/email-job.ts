import type { EmailKind } from '@fulfill/db';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { jobIdOf, KEEP_FINISHED, parseJobData } from './job-rules.ts';

/** The queue of outbox emails: the fulfillment job and the reconciler enqueue, the worker sends. */
export const EMAIL_QUEUE = 'email';
export const EMAIL_JOB_NAME = 'send-email';
/** Attempts when the producer does not say otherwise (EMAIL_ATTEMPTS's default): hours of retries. */
export const EMAIL_ATTEMPTS = 15;

const EMAIL_KINDS = [
  'confirmation',
  'payment_failed',
  'trial_started',
  'refund',
] as const satisfies readonly EmailKind[];

/** The email job's payload: which outbox row to send. */
export const emailJobSchema = z.object({
  orderId: z.number().int().positive(),
  kind: z.enum(EMAIL_KINDS),
  /** The refund a `refund` notice is about (one notice per refund). */
  refundId: z
    .string()
    .startsWith('re_', 'is not a refund id')
    .regex(/^[\w]+$/, 'is not a refund id')
    .optional(),
});

export type EmailJobData = z.output<typeof emailJobSchema>;

/** An email job as `enqueueEmail` adds it. */
export interface EmailJob {
  name: typeof EMAIL_JOB_NAME;
  data: EmailJobData;
  /** One id per outbox row, so the row never has two live jobs. */
  jobId: string;
  opts: JobsOptions;
}

export function emailJobId(orderId: number, kind: EmailKind, refundId?: string): string {
  return refundId
    ? jobIdOf('email', String(orderId), kind, refundId)
    : jobIdOf('email', String(orderId), kind);
}

export function emailJobOptions(attempts: number = EMAIL_ATTEMPTS): JobsOptions {
  return { ...KEEP_FINISHED, attempts, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } };
}

/** The one way to make an email job. */
export function buildEmailJob(data: EmailJobData, options: { attempts?: number } = {}): EmailJob {
  const checked = emailJobSchema.parse(data);
  return {
    name: EMAIL_JOB_NAME,
    data: checked,
    jobId: emailJobId(checked.orderId, checked.kind, checked.refundId),
    opts: emailJobOptions(options.attempts),
  };
}

/** Reads an email job's payload; a malformed one throws `UnrecoverableError`, failing the job at once. */
export function parseEmailJob(data: unknown): EmailJobData {
  return parseJobData(emailJobSchema, data);
}
