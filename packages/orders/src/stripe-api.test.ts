import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { classifyStripeError } from './stripe-api.ts';
import { createStripeClient } from './stripe-client.ts';

/** The error stripe-node raises for an HTTP answer with this status and Stripe error body. */
function answered(statusCode: number, type: string, code?: string) {
  return Stripe.errors.StripeError.generate({
    statusCode,
    type: type as 'api_error',
    message: `${statusCode} from Stripe`,
    ...(code ? { code } : {}),
  });
}

/** What a real client throws when it retrieves a session from `apiBase`. */
async function retrieveFailure(apiBase: string): Promise<unknown> {
  const stripe = createStripeClient({ secretKey: 'sk_test_x', apiBase, maxNetworkRetries: 0 });
  return stripe.checkout.sessions.retrieve('cs_test_x').then(
    () => expect.fail('the retrieve succeeded'),
    (error: unknown) => error,
  );
}

describe('classifyStripeError', () => {
  it.each([
    [404, 'invalid_request_error', 'resource_missing', 'StripeInvalidRequestError', 'not-found'],
    [400, 'invalid_request_error', 'resource_missing', 'StripeInvalidRequestError', 'not-found'],
    [400, 'invalid_request_error', 'parameter_invalid_string', 'StripeInvalidRequestError', 'permanent'],
    [400, 'idempotency_error', undefined, 'StripeIdempotencyError', 'permanent'],
    [402, 'card_error', 'card_declined', 'StripeCardError', 'permanent'],
    [414, 'invalid_request_error', undefined, 'StripeAPIError', 'permanent'],
    [429, 'rate_limit_error', 'rate_limit', 'StripeRateLimitError', 'retryable'],
    [400, 'invalid_request_error', 'rate_limit', 'StripeRateLimitError', 'retryable'],
    [401, 'invalid_request_error', undefined, 'StripeAuthenticationError', 'retryable'],
    [403, 'invalid_request_error', undefined, 'StripePermissionError', 'retryable'],
    [409, 'invalid_request_error', 'lock_timeout', 'StripeAPIError', 'retryable'],
    [500, 'api_error', undefined, 'StripeAPIError', 'retryable'],
    [502, 'api_error', undefined, 'StripeAPIError', 'retryable'],
  ])('a %s %s (%s) is a %s, %s', (status, type, code, className, kind) => {
    const error = answered(status, type, code);
    expect(error.constructor.name).toBe(className);
    expect(classifyStripeError(error)).toBe(kind);
  });

  it('treats a failed connection from a real client as retryable', async () => {
    const error = await retrieveFailure('http://127.0.0.1:1');
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(classifyStripeError(error)).toBe('retryable');
  });

  it.each([
    [502, '{"error":"Bad Gateway"}', 'retryable'],
    [414, '{"error":"Bad Request"}', 'permanent'],
    [503, '<html>Service Unavailable</html>', 'retryable'],
  ])('classifies a %s with the body %s from a proxy in front of Stripe as %s', async (status, body, kind) => {
    const proxy = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const error = await retrieveFailure(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
      expect(error).toBeInstanceOf(Stripe.errors.StripeError);
      expect(classifyStripeError(error)).toBe(kind);
    } finally {
      proxy.close();
    }
  });

  it('treats anything not from the Stripe client as retryable', () => {
    expect(classifyStripeError(new Error('connection terminated'))).toBe('retryable');
    expect(classifyStripeError({ statusCode: 404, code: 'resource_missing' })).toBe('retryable');
    expect(classifyStripeError(undefined)).toBe('retryable');
  });
});
