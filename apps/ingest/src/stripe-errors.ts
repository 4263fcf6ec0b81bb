/**
 * What a failed Stripe call means for the caller of the success redirect:
 * - `not-found`: Stripe has no such object (404, `resource_missing`);
 * - `rejected`: Stripe refused the request as malformed (any other 4xx but 401, 403 and 429; a session id Stripe
 *   will not parse is a 400 `invalid_request_error`), so retrying the same input cannot help;
 * - `unavailable`: worth retrying later: no connection, a timeout, 429, Stripe's 5xx, and a refused API key
 *   (401, 403), which an operator's fix recovers without the storefront changing anything.
 */
export type StripeFailure = 'not-found' | 'rejected' | 'unavailable';

export function classifyStripeError(error: unknown): StripeFailure {
  const e = error as { statusCode?: unknown; code?: unknown; type?: unknown } | null;
  if (e?.type === 'StripeConnectionError') return 'unavailable';
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status === 404 || e?.code === 'resource_missing') return 'not-found';
  if (status === undefined || status >= 500 || status === 429 || status === 401 || status === 403) {
    return 'unavailable';
  }
  return status >= 400 ? 'rejected' : 'unavailable';
}
