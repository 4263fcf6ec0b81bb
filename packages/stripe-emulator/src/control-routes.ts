import type { FastifyInstance } from 'fastify';
import { bodyOf } from './api-routes.ts';
import { createAccount } from './connect.ts';
import {
  completeOptionsOf,
  deliverOptionsOf,
  faultSpecOf,
  outcomeOf,
  webhookEndpointOf,
} from './control-params.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { invalidRequest } from './errors.ts';
import { toActiveFault } from './faults.ts';
import { optionalBoolean, optionalString, requiredInteger } from './params.ts';
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
    const { account: rawAccount, ...params } = bodyOf(request);
    const account = optionalString(rawAccount, 'account');
    if (account !== null && !state.accounts.has(account)) {
      throw invalidRequest(`No such connected account: ${account}`, 'account');
    }
    const record = core.createSession(params, account);
    return reply.code(201).send(sessionView(state, record));
  });

  app.post('/_emulator/accounts', async (request, reply) => {
    const body = bodyOf(request);
    const id = optionalString(body.id, 'id');
    const email = optionalString(body.email, 'email');
    return reply.code(201).send(createAccount(state, { ...(id ? { id } : {}), email }));
  });

  app.post<WithId>('/_emulator/payment_intents/:id/capture', async (request) => {
    const deliver = optionalBoolean(bodyOf(request).deliver, 'deliver');
    return core.capture(request.params.id, deliver === null ? {} : { deliver });
  });

  // `reason: automatic` is an authorization that expired uncaptured, as Stripe cancels it after about 7 days.
  app.post<WithId>('/_emulator/payment_intents/:id/cancel', async (request) => {
    const body = bodyOf(request);
    const deliver = optionalBoolean(body.deliver, 'deliver');
    const reason = optionalString(body.reason, 'reason') ?? 'requested_by_customer';
    if (!['requested_by_customer', 'automatic', 'abandoned', 'duplicate'].includes(reason)) {
      throw invalidRequest(
        'reason must be requested_by_customer, automatic, abandoned or duplicate.',
        'reason',
      );
    }
    return core.cancel(
      request.params.id,
      reason as 'requested_by_customer' | 'automatic' | 'abandoned' | 'duplicate',
      deliver === null ? {} : { deliver },
    );
  });

  app.get<WithId>('/_emulator/events/:id/thin', async (request) => {
    const record = state.events.get(request.params.id);
    if (!record) throw invalidRequest(`No such event: ${request.params.id}`, 'id', 404);
    return record.thin;
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
