import type { FastifyInstance } from 'fastify';
import { requestAccount } from './connect.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { resourceMissing } from './errors.ts';
import { isVisible } from './store.ts';

type WithId = { Params: { id: string } };

/**
 * `GET /v2/core/events/:id`: the event an event notification (thin event) names, as stripe-node's
 * `fetchEvent()` reads it, scoped by `Stripe-Context` as the v1 API is by `Stripe-Account`. Thin payloads
 * themselves go to endpoints added with `payload: 'thin'`.
 */
export function registerNotificationRoutes(app: FastifyInstance, core: EmulatorCore): void {
  const { state } = core;
  app.get<WithId>('/v2/core/events/:id', async (request) => {
    const account = requestAccount(state, request);
    const record = state.thinEvents.get(request.params.id);
    if (!record || !isVisible(account, record.thin.context)) {
      throw resourceMissing('v2.core.event', request.params.id);
    }
    return structuredClone(record.thin);
  });
}
