import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorCore } from './emulator-core.ts';
import { faultError, invalidRequest, type StripeEmulatorError } from './errors.ts';
import { type ActiveFault, type ApiRequestLogEntry, takeFault } from './faults.ts';
import { beginIdempotent, finishIdempotent, releaseIdempotent } from './idempotency.ts';

const NO_KEY_MESSAGE =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').";

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/v1/') || request.url.startsWith('/v2/');
}

export function requestPath(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? request.url : request.url.slice(0, index);
}

export function headerValue(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

function apiKeyError(authorization: string | null): StripeEmulatorError | null {
  if (authorization === null) return invalidRequest(NO_KEY_MESSAGE, undefined, 401);
  const [scheme = '', credentials = ''] = authorization.trim().split(/\s+/, 2);
  const key =
    scheme.toLowerCase() === 'basic'
      ? (Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] ?? '')
      : scheme.toLowerCase() === 'bearer'
        ? credentials
        : '';
  if (key === '') return invalidRequest(NO_KEY_MESSAGE, undefined, 401);
  if (!/^(sk|rk)_test_/.test(key)) {
    return invalidRequest(
      `Invalid API Key provided: ${key.slice(0, 8)}****. The Stripe emulator accepts only test keys (sk_test_… or rk_test_…).`,
      undefined,
      401,
    );
  }
  return null;
}

/** Stripe's v1 API takes form-encoded bodies only; a JSON body is refused, as Stripe refuses it. */
function jsonBodyError(request: FastifyRequest): StripeEmulatorError | null {
  if (!request.url.startsWith('/v1/')) return null;
  const type = headerValue(request, 'content-type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json/i.test(type.trim())) return null;
  return invalidRequest(
    'Invalid request: the v1 API takes parameters form-encoded (application/x-www-form-urlencoded), not as JSON.',
    undefined,
    400,
  );
}

/**
 * Adds to every `/v1` request: the request log, API key check, injected faults, `Idempotency-Key`
 * replay for POSTs and the configured latency. Every response gets a `request-id` header.
 */
export function registerApiHooks(app: FastifyInstance, core: EmulatorCore): void {
  const logEntries = new WeakMap<FastifyRequest, ApiRequestLogEntry>();
  const idempotencyKeys = new WeakMap<FastifyRequest, string>();
  const handlerFaults = new WeakMap<FastifyRequest, ActiveFault>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
    if (!isApiRequest(request)) return;
    reply.header('stripe-version', headerValue(request, 'stripe-version') ?? core.state.apiVersion);
    const path = requestPath(request);
    const entry: ApiRequestLogEntry = {
      method: request.method,
      path,
      query: request.url.slice(path.length + 1),
      requestId: request.id,
      status: null,
      at: Date.now(),
    };
    core.requests.push(entry);
    logEntries.set(request, entry);
    const authError = apiKeyError(headerValue(request, 'authorization'));
    if (authError) return reply.code(authError.statusCode).send(authError.body);
    const jsonError = jsonBodyError(request);
    if (jsonError) return reply.code(jsonError.statusCode).send(jsonError.body);
    const fault = takeFault(core.faults, request.method, path);
    if (fault?.kind === 'handler') {
      handlerFaults.set(request, fault);
      return;
    }
    if (fault?.kind === 'reset') {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (fault) {
      if (fault.retryAfter !== null) reply.header('retry-after', String(fault.retryAfter));
      if (fault.shouldRetry !== null) reply.header('stripe-should-retry', String(fault.shouldRetry));
      return reply.code(fault.status).send(faultError(fault.status));
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const key = headerValue(request, 'idempotency-key');
    if (!isApiRequest(request) || request.method !== 'POST' || key === null) return;
    const fingerprint = `${request.method} ${requestPath(request)} ${JSON.stringify(request.body ?? {})}`;
    const decision = beginIdempotent(core.idempotency, key, fingerprint);
    if (decision.kind === 'reject') throw decision.error;
    if (decision.kind === 'replay') {
      return reply
        .code(decision.status)
        .header('idempotent-replayed', 'true')
        .type('application/json; charset=utf-8')
        .send(decision.body);
    }
    idempotencyKeys.set(request, key);
  });

  // After the key is claimed: the API itself fails, and the answer is kept for the key.
  app.addHook('preHandler', async (request, reply) => {
    const fault = handlerFaults.get(request);
    if (fault) return reply.code(fault.status).send(faultError(fault.status));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!isApiRequest(request)) return payload;
    const key = idempotencyKeys.get(request);
    if (key !== undefined && typeof payload === 'string') {
      finishIdempotent(core.idempotency, key, reply.statusCode, payload);
    }
    if (core.latencyMs > 0) await sleep(core.latencyMs);
    return payload;
  });

  const release = (request: FastifyRequest): void => {
    const key = idempotencyKeys.get(request);
    if (key !== undefined) releaseIdempotent(core.idempotency, key);
  };

  app.addHook('onResponse', async (request, reply) => {
    const entry = logEntries.get(request);
    if (entry) entry.status = reply.statusCode;
    release(request);
  });

  app.addHook('onRequestAbort', async (request) => release(request));
}
