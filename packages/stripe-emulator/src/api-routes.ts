import type { FastifyInstance, FastifyRequest } from 'fastify';
import { headerValue } from './api-hooks.ts';
import { requestAccount } from './connect.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { invalidRequest } from './errors.ts';
import { registerNotificationRoutes } from './event-notifications.ts';
import { deliverySucceeded, eventView, typeMatches } from './events.ts';
import { decodeForm } from './form-decoder.ts';
import { registerIntentRoutes } from './intent-routes.ts';
import { createdFilter, paginate, parseListParams } from './pagination.ts';
import { type Fields, isFields, optionalBoolean, optionalString, stringArray } from './params.ts';
import { lineItemsPage, parseExpand, sessionView } from './session-view.ts';
import { isVisible, requireEvent, requirePaymentIntent, requireSession } from './store.ts';

type WithId = { Params: { id: string } };

const SESSION_STATUSES = new Set(['open', 'complete', 'expired']);

export function queryOf(request: FastifyRequest): Fields {
  const index = request.url.indexOf('?');
  return index === -1 ? {} : decodeForm(request.url.slice(index + 1));
}

export function bodyOf(request: FastifyRequest): Fields {
  return isFields(request.body) ? request.body : {};
}

function registerSessionRoutes(app: FastifyInstance, core: EmulatorCore): void {
  const { state } = core;

  app.post('/v1/checkout/sessions', async (request) => {
    const body = bodyOf(request);
    const expand = parseExpand(body.expand);
    const account = requestAccount(state, request);
    const { expand: _expand, ...params } = body;
    return sessionView(state, core.createSession(params, account), expand);
  });

  app.get('/v1/checkout/sessions', async (request) => {
    const query = queryOf(request);
    const account = requestAccount(state, request);
    const params = parseListParams(query);
    const expand = parseExpand(query.expand, 'data.');
    const created = createdFilter(query.created);
    const status = optionalString(query.status, 'status');
    if (status !== null && !SESSION_STATUSES.has(status)) {
      throw invalidRequest(`Invalid status: must be one of open, complete, or expired`, 'status');
    }
    const paymentIntent = optionalString(query.payment_intent, 'payment_intent');
    const newestFirst = [...state.sessions.values()]
      .reverse()
      .map((record) => ({ id: record.session.id, record }));
    const page = paginate(newestFirst, params, {
      url: '/v1/checkout/sessions',
      objectName: 'checkout.session',
      filter: ({ record: { session, account: owner } }) =>
        isVisible(account, owner) &&
        created(session.created) &&
        (status === null || session.status === status) &&
        (paymentIntent === null || session.payment_intent === paymentIntent),
    });
    return { ...page, data: page.data.map(({ record }) => sessionView(state, record, expand)) };
  });

  app.get<WithId>('/v1/checkout/sessions/:id', async (request) => {
    const expand = parseExpand(queryOf(request).expand);
    const account = requestAccount(state, request);
    return sessionView(state, requireSession(state, request.params.id, 'id', account), expand);
  });

  app.get<WithId>('/v1/checkout/sessions/:id/line_items', async (request) => {
    const record = requireSession(state, request.params.id, 'id', requestAccount(state, request));
    return lineItemsPage(record, parseListParams(queryOf(request)));
  });

  app.post<WithId>('/v1/checkout/sessions/:id/expire', async (request) => {
    const body = bodyOf(request);
    const expand = parseExpand(body.expand);
    const { id } = request.params;
    requireSession(state, id, 'id', requestAccount(state, request));
    await core.expire(id, {
      request: { id: request.id, idempotencyKey: headerValue(request, 'idempotency-key') },
      background: true,
    });
    return sessionView(state, requireSession(state, id), expand);
  });
}

function registerEventRoutes(app: FastifyInstance, core: EmulatorCore): void {
  const { state } = core;

  app.get<WithId>('/v1/payment_intents/:id', async (request) =>
    structuredClone(requirePaymentIntent(state, request.params.id, 'id', requestAccount(state, request))),
  );

  app.get<WithId>('/v1/events/:id', async (request) =>
    eventView(state, requireEvent(state, request.params.id, 'id', requestAccount(state, request))),
  );

  app.get('/v1/events', async (request) => {
    const query = queryOf(request);
    const account = requestAccount(state, request);
    const params = parseListParams(query);
    const created = createdFilter(query.created);
    const type = optionalString(query.type, 'type');
    const types = stringArray(query.types, 'types');
    if (type !== null && types.length > 0) {
      throw invalidRequest('You may only specify one of these parameters: type, types.');
    }
    if (types.length > 20) throw invalidRequest('types can contain at most 20 entries.', 'types');
    const patterns = type === null ? types : [type];
    const deliverySuccess = optionalBoolean(query.delivery_success, 'delivery_success');
    const newestFirst = [...state.events.values()]
      .reverse()
      .map((record) => ({ id: record.event.id, record }));
    const page = paginate(newestFirst, params, {
      url: '/v1/events',
      objectName: 'event',
      filter: ({ record }) =>
        isVisible(account, record.event.account) &&
        created(record.event.created) &&
        (patterns.length === 0 || patterns.some((pattern) => typeMatches(record.event.type, pattern))) &&
        (deliverySuccess === null || deliverySucceeded(state, record) === deliverySuccess),
    });
    return { ...page, data: page.data.map(({ record }) => eventView(state, record)) };
  });
}

/** The Stripe-compatible `/v1` routes. */
export function registerApiRoutes(app: FastifyInstance, core: EmulatorCore): void {
  registerSessionRoutes(app, core);
  registerEventRoutes(app, core);
  registerIntentRoutes(app, core);
  registerNotificationRoutes(app, core);
}
