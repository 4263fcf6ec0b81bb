import type { FastifyReply } from 'fastify';

/** Every error the ingest answers with: a stable code, its HTTP status, and a sentence for humans. */
export const HTTP_ERRORS = {
  'invalid-signature': {
    status: 400,
    message: 'The Stripe-Signature header is missing or does not match the body.',
  },
  'invalid-event': { status: 400, message: 'The event is not a well-formed Stripe event.' },
  'webhook-not-configured': { status: 500, message: 'No webhook signing secret is configured.' },
  'invalid-session-id': { status: 400, message: 'session_id must be a Checkout Session id (cs_…).' },
  'invalid-account': { status: 400, message: 'account must be a connected account id (acct_…).' },
  'session-not-found': { status: 404, message: 'Stripe has no such Checkout Session.' },
  'session-not-complete': { status: 409, message: 'The Checkout Session is not complete.' },
  'invalid-order-identifier': { status: 400, message: 'An order identifier is 10 letters and digits.' },
  'order-not-found': { status: 404, message: 'There is no such order.' },
  'queue-unavailable': { status: 503, message: 'The job queue is unreachable; retry later.' },
  'stripe-unavailable': { status: 503, message: 'Stripe could not be reached; retry later.' },
  'database-unavailable': { status: 503, message: 'The order database is unreachable; retry later.' },
  'rate-limited': { status: 429, message: 'Too many requests; slow down.' },
  'invalid-request': { status: 400, message: 'The request is malformed.' },
  'payload-too-large': { status: 413, message: 'The request body is too large.' },
  'unsupported-media-type': { status: 415, message: 'The request body has an unsupported content type.' },
  'not-found': { status: 404, message: 'No such route.' },
  unauthorized: { status: 401, message: 'Credentials are required.' },
  'over-capacity': { status: 503, message: 'The service is over capacity; retry later.' },
  'shutting-down': { status: 503, message: 'The service is shutting down; retry later.' },
  'internal-error': { status: 500, message: 'Something went wrong on our side.' },
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

export function sendError(reply: FastifyReply, code: HttpErrorCode, headers: Record<string, string> = {}) {
  const { status, message } = HTTP_ERRORS[code];
  return reply.code(status).headers(headers).send({ error: code, message });
}

/** Maps an HTTP status that Fastify or a plugin raised to the catalog's code. */
export function codeForStatus(status: number): HttpErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 404:
      return 'not-found';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    case 429:
      return 'rate-limited';
    case 503:
      return 'over-capacity';
    default:
      return status >= 400 && status < 500 ? 'invalid-request' : 'internal-error';
  }
}
