import { classifyStripeError } from '@fulfill/orders';
import type { HttpErrorCode } from './errors.ts';

/**
 * The catalog answer to a failed session retrieve on the success redirect, from `classifyStripeError`: a
 * session Stripe does not have, a request Stripe refused for good (an id it will not parse), or Stripe
 * unavailable for now, which carries `Retry-After`.
 */
export function stripeFailureAnswer(error: unknown): {
  code: Extract<HttpErrorCode, 'session-not-found' | 'invalid-session-id' | 'stripe-unavailable'>;
  headers?: Record<string, string>;
} {
  switch (classifyStripeError(error)) {
    case 'not-found':
      return { code: 'session-not-found' };
    case 'permanent':
      return { code: 'invalid-session-id' };
    case 'retryable':
      return { code: 'stripe-unavailable', headers: { 'retry-after': '5' } };
  }
}
