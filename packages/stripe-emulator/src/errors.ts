export type StripeErrorType =
  | 'invalid_request_error'
  | 'api_error'
  | 'rate_limit_error'
  | 'idempotency_error';

/** The JSON body Stripe returns with an error status. */
export interface StripeErrorBody {
  error: {
    type: StripeErrorType;
    message: string;
    code?: string;
    param?: string;
  };
}

/**
 * Raised by the emulator for requests Stripe would reject; `statusCode` and `body` are what the
 * HTTP API answers with. The programmatic API throws it too (e.g. completing an expired session).
 */
export class StripeEmulatorError extends Error {
  readonly statusCode: number;
  readonly body: StripeErrorBody;

  constructor(statusCode: number, body: StripeErrorBody) {
    super(body.error.message);
    this.name = 'StripeEmulatorError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

export function invalidRequest(message: string, param?: string, statusCode = 400): StripeEmulatorError {
  const error: StripeErrorBody['error'] = { type: 'invalid_request_error', message };
  if (param !== undefined) error.param = param;
  return new StripeEmulatorError(statusCode, { error });
}

export function resourceMissing(objectName: string, id: string, param = 'id'): StripeEmulatorError {
  return new StripeEmulatorError(404, {
    error: {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such ${objectName}: '${id}'`,
      param,
    },
  });
}

export function faultError(status: number): StripeErrorBody {
  if (status === 429) {
    return {
      error: {
        type: 'rate_limit_error',
        code: 'rate_limit',
        message: 'Request rate limit exceeded. (Injected by the Stripe emulator.)',
      },
    };
  }
  return {
    error: {
      type: 'api_error',
      message: `An unexpected error occurred (HTTP ${status}). (Injected by the Stripe emulator.)`,
    },
  };
}
