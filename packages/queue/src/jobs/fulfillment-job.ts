import { randomUUID } from 'node:crypto';
import { CAPTURE_EVENT_TYPES, CONNECT_ACCOUNT_PATTERN, FULFILLMENT_EVENT_TYPES } from '@fulfill/orders';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { jobIdOf, KEEP_FINISHED, parseJobData } from './job-rules.ts';

/** The queue the ingest, the replay and the reconciler enqueue fulfillment on, and the worker takes it from. */
export const FULFILLMENT_QUEUE = 'fulfillment';
export const FULFILLMENT_JOB_NAME = 'fulfill-checkout';
/** Attempts when the producer does not say otherwise: about 35 minutes of retries with the backoff below. */
export const FULFILLMENT_ATTEMPTS = 12;

const fulfillmentEventSchema = z.object({
  id: z.string().min(1),
  type: z.enum([...FULFILLMENT_EVENT_TYPES, ...CAPTURE_EVENT_TYPES]),
  /** Unix seconds, as Stripe gives it. */
  created: z.number(),
});

/** The fulfillment job's payload. */
export const fulfillmentJobSchema = z.object({
  sessionId: z.string().startsWith('cs_', 'is not a Checkout Session id'),
  /** The job's id and the order's unique key: the payment intent's id, else the session's. */
  fulfillmentKey: z.string().min(1),
  /** What made the job: a Stripe event, the success redirect, an operator, or the reconciler. */
  source: z.enum(['webhook', 'redirect', 'replay', 'reconcile']),
  /** The Stripe event behind the job, where there is one. */
  event: fulfillmentEventSchema.optional(),
  /** The connected account the checkout belongs to; absent for the platform's own. */
  account: z.string().regex(CONNECT_ACCOUNT_PATTERN, 'is not a connected account id').optional(),
  /** Unix milliseconds when the producer accepted it. */
  receivedAt: z.number(),
  /** Random per build: tells the producer whether its add created the job or found one. */
  enqueueId: z.uuid(),
  /** The verified event as Stripe sent it, kept in `stripe_events` for STRIPE_EVENT_RETENTION. */
  payload: z.unknown().optional(),
});

export type FulfillmentJobData = z.output<typeof fulfillmentJobSchema>;
export type FulfillmentSource = FulfillmentJobData['source'];
export type FulfillmentJobEvent = z.output<typeof fulfillmentEventSchema>;

/** What made a fulfillment job, with what its follow-up id is made of. */
export type FulfillmentCause =
  | { source: 'webhook'; event: FulfillmentJobEvent }
  | { source: 'redirect' }
  | { source: 'replay'; event?: FulfillmentJobEvent }
  /** `runId` names the reconcile run, so that a retried run dedupes against its own follow-up jobs. */
  | { source: 'reconcile'; runId: string; event?: FulfillmentJobEvent };

/** A fulfillment job as `enqueueFulfillment` adds it. */
export interface FulfillmentJob {
  name: typeof FULFILLMENT_JOB_NAME;
  data: FulfillmentJobData;
  /** The fulfillment key: concurrent deliveries of a checkout make one job. */
  jobId: string;
  /**
   * The id of the job that runs after one with `jobId` has already read Stripe. Its suffix names what happened
   * since, so repeats of that happening dedupe against it: the event type for a webhook (`completed` for the
   * redirect too, which reports the same completion), the time for a replay, the run for the reconciler.
   */
  followUpJobId: string;
  opts: JobsOptions;
}

export function fulfillmentJobOptions(attempts: number = FULFILLMENT_ATTEMPTS): JobsOptions {
  return { ...KEEP_FINISHED, attempts, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } };
}

function followUpSuffix(cause: FulfillmentCause, receivedAt: number): string {
  switch (cause.source) {
    case 'webhook':
      return cause.event.type.replace('checkout.session.', '').replace('payment_intent.', 'intent-');
    case 'redirect':
      return 'completed';
    case 'replay':
      return `replay-${receivedAt}`;
    case 'reconcile':
      return `reconcile-${cause.runId}`;
  }
}

/** The one way to make a fulfillment job: every producer builds its job here. */
export function buildFulfillmentJob(input: {
  sessionId: string;
  fulfillmentKey: string;
  cause: FulfillmentCause;
  /** Unix milliseconds; now by default. */
  receivedAt?: number;
  attempts?: number;
  /** The connected account (`acct_…`); null or absent for the platform's own. */
  account?: string | null | undefined;
  /** The verified event, for `stripe_events`; only a job with an event carries one. */
  payload?: unknown;
}): FulfillmentJob {
  const receivedAt = input.receivedAt ?? Date.now();
  const { cause } = input;
  const data = fulfillmentJobSchema.parse({
    sessionId: input.sessionId,
    fulfillmentKey: input.fulfillmentKey,
    source: cause.source,
    ...(cause.source !== 'redirect' && cause.event
      ? { event: { id: cause.event.id, type: cause.event.type, created: cause.event.created } }
      : {}),
    ...(input.account ? { account: input.account } : {}),
    receivedAt,
    enqueueId: randomUUID(),
    ...(input.payload !== undefined && cause.source !== 'redirect' && cause.event
      ? { payload: input.payload }
      : {}),
  });
  return {
    name: FULFILLMENT_JOB_NAME,
    data,
    jobId: jobIdOf(input.fulfillmentKey),
    followUpJobId: jobIdOf(input.fulfillmentKey, followUpSuffix(cause, receivedAt)),
    opts: fulfillmentJobOptions(input.attempts),
  };
}

/** Reads a fulfillment job's payload; a malformed one throws `UnrecoverableError`, failing the job at once. */
export function parseFulfillmentJob(data: unknown): FulfillmentJobData {
  return parseJobData(fulfillmentJobSchema, data);
}
