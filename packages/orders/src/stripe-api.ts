import type Stripe from 'stripe';

export type CheckoutSession = Stripe.Checkout.Session;
export type CheckoutLineItem = Stripe.LineItem;

/** The subset of the Stripe client that fulfillment needs. */
export interface CheckoutSessionsApi {
  checkout: {
    sessions: {
      retrieve(id: string, params?: { expand?: string[] }): Promise<CheckoutSession>;
      listLineItems(
        id: string,
        params?: { limit?: number; starting_after?: string },
      ): PromiseLike<{ data: CheckoutLineItem[]; has_more: boolean }>;
    };
  };
}

/** A Stripe event, as much of it as the reconciler and the ops tools read. */
export interface StripeEventSummary {
  id: string;
  type: string;
  /** Unix seconds. */
  created: number;
  data: { object: unknown };
}

/**
 * The subset of the Stripe client the reconciler needs: the two list calls, auto-paginated with `for await`
 * as stripe-node's list promises are.
 */
export interface ReconcileStripeApi {
  checkout: {
    sessions: {
      list(params: {
        created: { gte: number };
        status: 'complete';
        limit: number;
      }): AsyncIterable<CheckoutSession>;
    };
  };
  events: {
    list(params: {
      created: { gte: number };
      delivery_success: boolean;
      types: string[];
      limit: number;
    }): AsyncIterable<StripeEventSummary>;
  };
}

/** Whether an error from the Stripe client means the object does not exist. */
export function isStripeNotFound(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: string } | null;
  return e?.statusCode === 404 || e?.code === 'resource_missing';
}

/**
 * Whether a Stripe error is worth retrying: rate limits, Stripe's 5xx, and failed connections are; a
 * rejected request (400, 404) is not. Authentication errors are retried, since a fixed key recovers them.
 */
export function isStripeRetryable(error: unknown): boolean {
  const e = error as { statusCode?: number; type?: string } | null;
  if (e?.type === 'StripeConnectionError' || e?.type === 'StripeAPIError') return true;
  const status = e?.statusCode;
  if (status === undefined) return true;
  return status === 401 || status === 403 || status === 409 || status === 429 || status >= 500;
}
