import Stripe from 'stripe';

export type CheckoutSession = Stripe.Checkout.Session;
export type CheckoutLineItem = Stripe.LineItem;

/**
 * Stripe's per-request options that Fulfill sets: `stripeAccount` makes the call on behalf of a connected
 * account (the `Stripe-Account` header). Every call made for a connected account's checkout carries it.
 */
export interface AccountRequestOptions {
  stripeAccount?: string;
}

/** The request options for a checkout of `account`, or none for the platform's own. */
export function accountOptions(account: string | null | undefined): AccountRequestOptions {
  return account ? { stripeAccount: account } : {};
}

/** The subset of the Stripe client that fulfillment needs. */
export interface CheckoutSessionsApi {
  checkout: {
    sessions: {
      retrieve(
        id: string,
        params?: { expand?: string[] },
        options?: AccountRequestOptions,
      ): Promise<CheckoutSession>;
      listLineItems(
        id: string,
        params?: { limit?: number; starting_after?: string },
        options?: AccountRequestOptions,
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
      list(
        params: { created: { gte: number }; status: 'complete'; limit: number; expand?: string[] },
        options?: AccountRequestOptions,
      ): AsyncIterable<CheckoutSession>;
    };
  };
  events: {
    list(
      params: {
        created: { gte: number };
        /** `false`: only events whose delivery to an endpoint failed; unset: every event. */
        delivery_success?: boolean;
        types: string[];
        limit: number;
      },
      options?: AccountRequestOptions,
    ): AsyncIterable<StripeEventSummary>;
  };
  /** Connected accounts, listed when the reconciler is configured for `all` of them. */
  accounts: { list(params: { limit: number }): AsyncIterable<{ id: string }> };
}

/**
 * What a failed Stripe call means for whoever made it:
 * - `not-found`: Stripe has no such object (a 404 or `resource_missing`);
 * - `retryable`: the same call may succeed later: no connection or a timeout, a rate limit, Stripe's 5xx or
 *   409, and a refused API key (401, 403), which an operator's fix recovers. An error that did not come from
 *   the Stripe client (a bug, a database error on the way) is retryable too: nothing says it is final;
 * - `permanent`: Stripe answered and refused this request (a malformed id, any other 4xx): retrying the same
 *   input cannot help.
 */
export type StripeErrorKind = 'not-found' | 'retryable' | 'permanent';

export function classifyStripeError(error: unknown): StripeErrorKind {
  const { errors } = Stripe;
  if (!(error instanceof errors.StripeError)) return 'retryable';
  if (
    error instanceof errors.StripeInvalidRequestError &&
    (error.statusCode === 404 || error.code === 'resource_missing')
  ) {
    return 'not-found';
  }
  if (
    error instanceof errors.StripeConnectionError ||
    error instanceof errors.StripeRateLimitError ||
    error instanceof errors.StripeAuthenticationError ||
    error instanceof errors.StripePermissionError
  ) {
    return 'retryable';
  }
  // The other classes do not tell: stripe-node raises StripeAPIError for any status it has no class for (a 5xx,
  // a 409, a 414), and a proxy's answer with a string `error` body comes as a StripeOAuthError. The status does.
  const status = error.statusCode;
  return status === undefined || status >= 500 || status === 409 ? 'retryable' : 'permanent';
}
