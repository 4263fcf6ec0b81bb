import { StripeEmulatorError } from './errors.ts';

interface IdempotencyEntry {
  fingerprint: string;
  response: { status: number; body: string } | null;
}

/** Responses to POST requests by `Idempotency-Key`; `response` is null while the first request runs. */
export type IdempotencyCache = Map<string, IdempotencyEntry>;

export type IdempotencyDecision =
  | { kind: 'proceed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'reject'; error: StripeEmulatorError };

export function beginIdempotent(
  cache: IdempotencyCache,
  key: string,
  fingerprint: string,
): IdempotencyDecision {
  const entry = cache.get(key);
  if (!entry) {
    cache.set(key, { fingerprint, response: null });
    return { kind: 'proceed' };
  }
  if (entry.fingerprint !== fingerprint) {
    return {
      kind: 'reject',
      error: new StripeEmulatorError(400, {
        error: {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        },
      }),
    };
  }
  if (entry.response === null) {
    return {
      kind: 'reject',
      error: new StripeEmulatorError(409, {
        error: {
          type: 'invalid_request_error',
          code: 'idempotency_key_in_use',
          message:
            'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ' +
            `'${key}'. Please try again later.`,
        },
      }),
    };
  }
  return { kind: 'replay', ...entry.response };
}

/**
 * Stores the outcome of a request that reached its handler, errors included: Stripe replays the same answer,
 * a 500 too, for every retry under the key. (A fault injected before the handler is never stored: it stands
 * for a request that never reached Stripe's API.)
 */
export function finishIdempotent(cache: IdempotencyCache, key: string, status: number, body: string): void {
  const entry = cache.get(key);
  if (!entry || entry.response !== null) return;
  entry.response = { status, body };
}

/** Drops an entry whose request ended without a stored answer, so the key can be retried. */
export function releaseIdempotent(cache: IdempotencyCache, key: string): void {
  if (cache.get(key)?.response === null) cache.delete(key);
}
