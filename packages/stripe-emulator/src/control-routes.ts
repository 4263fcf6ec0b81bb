import type { FastifyInstance } from 'fastify';
import { bodyOf } from './api-routes.ts';
import {
  completeOptionsOf,
  deliverOptionsOf,
  faultSpecOf,
  outcomeOf,
  webhookEndpointOf,
} from './control-params.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { toActiveFault } from './faults.ts';
import { optionalBoolean, requiredInteger } from './params.ts';
import { sessionView } from './session-view.ts';

type WithId = { Params: { id: string } };

/**
 * Non-Stripe routes under `/_emulator/` for demos and containers; JSON bodies carry the same options
 * as the programmatic API.
 */
export function registerControlRoutes(app: FastifyInstance, core: EmulatorCore): void {
  const { state } = core;

  app.get('/_emulator/health', async () => ({ ok: true }));

  app.post('/_emulator/checkout/sessions', async (request, reply) => {
    const record = core.createSession(bodyOf(request));
    return reply.code(201).send(sessionView(state, record));
  });

  app.post<WithId>('/_emulator/checkout/sessions/:id/complete', async (request) =>
    core.complete(request.params.id, completeOptionsOf(bodyOf(request))),
  );

  app.post<WithId>('/_emulator/checkout/sessions/:id/async_payment', async (request) => {
    const body = bodyOf(request);
    const deliver = optionalBoolean(body.deliver, 'deliver');
    return core.settle(request.params.id, outcomeOf(body), deliver === null ? {} : { deliver });
  });

  app.post<WithId>('/_emulator/checkout/sessions/:id/expire', async (request) => {
    const deliver = optionalBoolean(bodyOf(request).deliver, 'deliver');
    return core.expire(request.params.id, deliver === null ? {} : { deliver });
  });

  app.post<WithId>('/_emulator/events/:id/deliver', async (request) => ({
    deliveries: await core.deliver(request.params.id, deliverOptionsOf(bodyOf(request))),
  }));

  app.get('/_emulator/webhook_endpoints', async () => ({ data: [...state.endpoints.values()] }));

  app.post('/_emulator/webhook_endpoints', async (request, reply) => {
    const endpoint = webhookEndpointOf(bodyOf(request));
    core.addEndpoint(endpoint);
    return reply.code(201).send(endpoint);
  });

  app.post('/_emulator/faults', async (request, reply) => {
    const fault = toActiveFault(faultSpecOf(bodyOf(request)));
    core.faults.push(fault);
    return reply.code(201).send({ ...fault, path: String(fault.path) });
  });

  app.delete('/_emulator/faults', async () => {
    core.faults.length = 0;
    return { ok: true };
  });

  app.post('/_emulator/latency', async (request) => {
    core.latencyMs = requiredInteger(bodyOf(request).ms, 'ms', { min: 0 });
    return { ms: core.latencyMs };
  });

  app.get('/_emulator/requests', async () => ({ data: core.requests }));
}
