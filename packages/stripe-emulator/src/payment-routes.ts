import type { FastifyInstance } from 'fastify';
import { bodyOf, queryOf } from './api-routes.ts';
import {
  chargeOfIntent,
  chargeView,
  createRefund,
  endRefund,
  requireCharge,
  requireRefund,
  succeedRefund,
} from './charges.ts';
import { requestAccount } from './connect.ts';
import { closeDispute, createDispute, requireDispute } from './disputes.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { invalidRequest, resourceMissing } from './errors.ts';
import { paginate, parseListParams } from './pagination.ts';
import { type Fields, optionalBoolean, optionalInteger, optionalString, requiredString } from './params.ts';
import { type AccountScope, type EmulatorState, isVisible } from './store.ts';

type WithId = { Params: { id: string } };

function deliverOf(body: Fields): boolean | undefined {
  return optionalBoolean(body.deliver, 'deliver') ?? undefined;
}

type PaymentObject = { id: string; payment_intent: string; charge?: string };

/**
 * Lists newest first, filtered by `payment_intent` (and `charge`) when given, as Stripe's list endpoints do, and
 * by the account the request is made for: each object belongs to its payment intent's account.
 */
function listBy<T extends PaymentObject>(
  state: EmulatorState,
  scope: AccountScope,
  items: Iterable<T>,
  query: Fields,
  url: string,
  objectName: string,
) {
  const paymentIntent = optionalString(query.payment_intent, 'payment_intent');
  const charge = optionalString(query.charge, 'charge');
  return paginate([...items].reverse(), parseListParams(query), {
    url,
    objectName,
    filter: (item) =>
      isVisible(scope, state.accountOf.get(item.payment_intent)) &&
      (paymentIntent === null || item.payment_intent === paymentIntent) &&
      (charge === null || item.charge === charge),
  });
}

/** An object of another account than the request's is missing to it, as Stripe answers 404 across accounts. */
function scoped<T extends PaymentObject>(
  state: EmulatorState,
  scope: AccountScope,
  object: T,
  name: string,
): T {
  if (!isVisible(scope, state.accountOf.get(object.payment_intent))) throw resourceMissing(name, object.id);
  return object;
}

function ensureCharges(state: EmulatorState, query: Fields): void {
  const paymentIntent = optionalString(query.payment_intent, 'payment_intent');
  if (paymentIntent !== null) chargeOfIntent(state, paymentIntent);
}

/**
 * Charges, refunds and disputes: the `/v1` reads and `POST /v1/refunds`, and the `/_emulator/` controls that play
 * the card network (a refund failing later, a dispute opened and closed).
 */
export function registerPaymentRoutes(app: FastifyInstance, core: EmulatorCore): void {
  const { state } = core;

  app.get('/v1/charges', async (request) => {
    const query = queryOf(request);
    ensureCharges(state, query);
    const page = listBy(
      state,
      requestAccount(state, request),
      state.charges.values(),
      query,
      '/v1/charges',
      'charge',
    );
    return { ...page, data: page.data.map((charge) => chargeView(state, charge)) };
  });
  app.get<WithId>('/v1/charges/:id', async (request) =>
    chargeView(
      state,
      scoped(state, requestAccount(state, request), requireCharge(state, request.params.id), 'charge'),
    ),
  );

  app.post('/v1/refunds', async (request) => {
    const body = bodyOf(request);
    const scope = requestAccount(state, request);
    const paymentIntent = optionalString(body.payment_intent, 'payment_intent');
    const chargeId = optionalString(body.charge, 'charge');
    if (paymentIntent !== null && !isVisible(scope, state.accountOf.get(paymentIntent))) {
      throw resourceMissing('payment_intent', paymentIntent, 'payment_intent');
    }
    if (chargeId !== null) scoped(state, scope, requireCharge(state, chargeId, 'charge'), 'charge');
    const { object } = await core.emit(
      createRefund(state, {
        paymentIntent,
        charge: chargeId,
        amount: optionalInteger(body.amount, 'amount', { min: 1 }),
        reason: optionalString(body.reason, 'reason'),
      }),
    );
    return object;
  });
  app.get('/v1/refunds', async (request) =>
    structuredClone(
      listBy(
        state,
        requestAccount(state, request),
        state.refunds.values(),
        queryOf(request),
        '/v1/refunds',
        'refund',
      ),
    ),
  );
  app.get<WithId>('/v1/refunds/:id', async (request) =>
    structuredClone(
      scoped(state, requestAccount(state, request), requireRefund(state, request.params.id), 'refund'),
    ),
  );

  app.get('/v1/disputes', async (request) =>
    structuredClone(
      listBy(
        state,
        requestAccount(state, request),
        state.disputes.values(),
        queryOf(request),
        '/v1/disputes',
        'dispute',
      ),
    ),
  );
  app.get<WithId>('/v1/disputes/:id', async (request) =>
    structuredClone(
      scoped(state, requestAccount(state, request), requireDispute(state, request.params.id), 'dispute'),
    ),
  );

  app.post<WithId>('/_emulator/payment_intents/:id/refund', async (request) => {
    const body = bodyOf(request);
    const pending = optionalBoolean(body.pending, 'pending');
    return core.emit(
      createRefund(state, {
        paymentIntent: request.params.id,
        amount: optionalInteger(body.amount, 'amount', { min: 1 }),
        reason: optionalString(body.reason, 'reason'),
        status: pending ? 'pending' : 'succeeded',
      }),
      deliverOf(body),
    );
  });

  app.post<WithId>('/_emulator/refunds/:id/settle', async (request) => {
    const body = bodyOf(request);
    const outcome = requiredString(body.outcome, 'outcome');
    if (outcome === 'succeeded') return core.emit(succeedRefund(state, request.params.id), deliverOf(body));
    if (outcome !== 'failed' && outcome !== 'canceled')
      throw invalidRequest('outcome must be succeeded, failed or canceled.', 'outcome');
    return core.emit(endRefund(state, request.params.id, outcome), deliverOf(body));
  });

  app.post<WithId>('/_emulator/payment_intents/:id/dispute', async (request) => {
    const body = bodyOf(request);
    return core.emit(
      createDispute(state, {
        paymentIntent: request.params.id,
        amount: optionalInteger(body.amount, 'amount', { min: 1 }),
        reason: optionalString(body.reason, 'reason'),
      }),
      deliverOf(body),
    );
  });

  app.post<WithId>('/_emulator/disputes/:id/close', async (request) => {
    const body = bodyOf(request);
    const outcome = requiredString(body.outcome, 'outcome');
    if (outcome !== 'won' && outcome !== 'lost')
      throw invalidRequest('outcome must be won or lost.', 'outcome');
    return core.emit(closeDispute(state, request.params.id, outcome), deliverOf(body));
  });
}
