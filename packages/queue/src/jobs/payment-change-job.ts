import { CONNECT_ACCOUNT_PATTERN, PAYMENT_EVENT_TYPES } from '@fulfill/orders';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { jobIdOf, KEEP_FINISHED, parseJobData } from './job-rules.ts';

/** The queue of refund and dispute events: the ingest and the replays enqueue, the worker converges the order. */
export const PAYMENT_CHANGE_QUEUE = 'payment-change';
export const PAYMENT_CHANGE_JOB_NAME = 'apply-payment-change';
/** About 35 minutes of retries, as for fulfillment; an order that does not exist yet by then is an alarm. */
export const PAYMENT_CHANGE_ATTEMPTS = 12;

export const paymentChangeJobSchema = z.object({
  paymentIntentId: z.string().startsWith('pi_', 'is not a payment intent id'),
  event: z.object({ id: z.string().min(1), type: z.enum(PAYMENT_EVENT_TYPES), created: z.number() }),
  source: z.enum(['webhook', 'replay']),
  /** The connected account the payment belongs to; absent for the platform's own. */
  account: z.string().regex(CONNECT_ACCOUNT_PATTERN, 'is not a connected account id').optional(),
  /** Unix milliseconds when the producer accepted it. */
  receivedAt: z.number(),
  /** The verified event, kept in `stripe_events` for STRIPE_EVENT_RETENTION. */
  payload: z.unknown().optional(),
});
export type PaymentChangeJobData = z.output<typeof paymentChangeJobSchema>;

export interface PaymentChangeJob {
  name: typeof PAYMENT_CHANGE_JOB_NAME;
  data: PaymentChangeJobData;
  /** The event's id: its redeliveries make one job. A replay's names its time, so it runs once more. */
  jobId: string;
  opts: JobsOptions;
}

export function buildPaymentChangeJob(
  input: Omit<PaymentChangeJobData, 'receivedAt'> & { receivedAt?: number },
): PaymentChangeJob {
  const data = paymentChangeJobSchema.parse({ ...input, receivedAt: input.receivedAt ?? Date.now() });
  return {
    name: PAYMENT_CHANGE_JOB_NAME,
    data,
    jobId:
      data.source === 'webhook'
        ? jobIdOf('payment-change', data.event.id)
        : jobIdOf('payment-change', data.event.id, `replay-${data.receivedAt}`),
    opts: {
      ...KEEP_FINISHED,
      attempts: PAYMENT_CHANGE_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    },
  };
}

export function parsePaymentChangeJob(data: unknown): PaymentChangeJobData {
  return parseJobData(paymentChangeJobSchema, data);
}
