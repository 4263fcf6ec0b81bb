import type { FastifyInstance } from 'fastify';
import { headerValue } from './api-hooks.ts';
import { bodyOf, queryOf } from './api-routes.ts';
import { requestAccount } from './connect.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { invalidRequest } from './errors.ts';
import { paginate, parseListParams } from './pagination.ts';
import { optionalString } from './params.ts';
import { requirePaymentIntent } from './store.ts';

type WithId = { Params: { id: string } };

const CANCEL_REASONS = new Set(['abandoned', 'duplicate', 'requested_by_customer']);

/**
 * Manual capture (`POST /v1/payment_intents/:id/capture` and `/cancel`, scoped by `Stripe-Account`) and the
 * platform's list of its connected accounts (`GET /v1/accounts`).
 */
export function registerIntentRoutes(app: FastifyInstance, core: EmulatorCore): void {
  const { state } = core;

  app.post<WithId>('/v1/payment_intents/:id/capture', async (request) => {
    requirePaymentIntent(state, request.params.id, 'id', requestAccount(state, request));
    const result = await core.capture(request.params.id, { background: true });
    return result.paymentIntent;
  });

  app.post<WithId>('/v1/payment_intents/:id/cancel', async (request) => {
    requirePaymentIntent(state, request.params.id, 'id', requestAccount(state, request));
    const reason = optionalString(bodyOf(request).cancellation_reason, 'cancellation_reason');
    if (reason !== null && !CANCEL_REASONS.has(reason)) {
      throw invalidRequest(
        'Invalid cancellation_reason: must be one of abandoned, duplicate, or requested_by_customer',
        'cancellation_reason',
      );
    }
    const result = await core.cancel(
      request.params.id,
      (reason ?? 'requested_by_customer') as 'abandoned' | 'duplicate' | 'requested_by_customer',
      { background: true },
    );
    return result.paymentIntent;
  });

  app.get('/v1/accounts', async (request) => {
    if (headerValue(request, 'stripe-account') !== null) {
      throw invalidRequest('Only a platform can list its connected accounts.', undefined, 400);
    }
    const newestFirst = [...state.accounts.values()].reverse();
    return structuredClone(
      paginate(newestFirst, parseListParams(queryOf(request)), {
        url: '/v1/accounts',
        objectName: 'account',
      }),
    );
  });
}
