import type { EmailKind } from '@fulfill/db';

/** The BullMQ queue names shared by the ingest, the worker and the ops tools. */
export const QUEUE_NAMES = {
  fulfillment: 'fulfillment',
  email: 'email',
  reconcile: 'reconcile',
} as const;

/** The Checkout Session event types that lead to a fulfillment job. */
export const FULFILLMENT_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
] as const;

export type FulfillmentEventType = (typeof FULFILLMENT_EVENT_TYPES)[number];

export function isFulfillmentEventType(type: string): type is FulfillmentEventType {
  return (FULFILLMENT_EVENT_TYPES as readonly string[]).includes(type);
}

/** What made a fulfillment job: a Stripe event, the success redirect, an operator, or the reconciler. */
export type FulfillmentSource = 'webhook' | 'redirect' | 'replay' | 'reconcile';

export interface FulfillmentJobData {
  sessionId: string;
  fulfillmentKey: string;
  source: FulfillmentSource;
  /** The Stripe event behind the job, where there is one; `created` is in unix seconds. */
  event?: { id: string; type: FulfillmentEventType; created: number };
  /** Unix milliseconds when the ingest accepted it. */
  receivedAt: number;
  /** Random per enqueue call: tells the caller whether its add created the job or found one. */
  enqueueId: string;
}

export interface EmailJobData {
  orderId: number;
  kind: EmailKind;
}

export const JOB_NAMES = {
  fulfill: 'fulfill-checkout',
  email: 'send-email',
  reconcile: 'reconcile',
} as const;

/** BullMQ job ids may not contain ':', so the parts are joined with '__'. */
export function emailJobId(orderId: number, kind: EmailKind): string {
  return `email__${orderId}__${kind}`;
}

/**
 * The id of a job that must run after a job with the fulfillment key has already read Stripe. The suffix
 * names what happened since (an event type), so repeats of that happening dedupe against it.
 */
export function followUpJobId(fulfillmentKey: string, suffix: string): string {
  return `${fulfillmentKey}__${suffix}`;
}
