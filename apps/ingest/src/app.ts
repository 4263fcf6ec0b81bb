import cors from '@fastify/cors';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { browserCors } from './browser-cors.ts';
import type { IngestDeps } from './deps.ts';
import { codeForStatus, HTTP_ERRORS, sendError } from './errors.ts';
import { ADMIN_DASHBOARD_PREFIX, adminDashboardRoutes } from './routes/admin-dashboard.ts';
import { checkoutSuccessRoutes } from './routes/checkout-success.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { orderRoutes } from './routes/orders.ts';
import { stripeWebhookRoutes } from './routes/stripe-webhook.ts';

/** A whole HTTP/1.1 response carrying a catalog error, for a socket Fastify has no reply for. */
function rawErrorResponse(code: keyof typeof HTTP_ERRORS): string {
  const { status, message } = HTTP_ERRORS[code];
  const body = JSON.stringify({ error: code, message });
  return (
    `HTTP/1.1 ${status} Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Builds the ingest's Fastify instance without listening, so tests drive it through `inject()` and the server
 * file decides where it listens.
 */
export async function buildApp(deps: IngestDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // Routes log one line per event of their own, with stable fields; Fastify's per-request lines are off.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.settings.trustProxy,
    // Answers that Fastify would write itself go through the catalog instead: routing errors (bad
    // percent-encoding, an over-long parameter), unparsable HTTP, and requests arriving while closing.
    frameworkErrors: (error, _request, reply) =>
      void sendError(reply, codeForStatus(error.statusCode ?? 400)),
    clientErrorHandler: (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.end(rawErrorResponse('invalid-request'));
      socket.destroy(error);
    },
    return503OnClosing: false,
  });
  if (deps.tracing) await app.register(deps.tracing);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (closing) return sendError(reply, 'shutting-down', { 'retry-after': '5', connection: 'close' });
  });

  app.setErrorHandler((error: { statusCode?: number; validation?: unknown }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.validation) return sendError(reply, 'invalid-request');
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(reply, codeForStatus(status));
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not-found'));

  await app.register(async (ops) => {
    await healthRoutes(ops, deps);
    await metricsRoutes(ops, deps);
  });

  await app.register(async (scope) => adminDashboardRoutes(scope, deps), { prefix: ADMIN_DASHBOARD_PREFIX });

  await app.register(async (api) => {
    await api.register(cors, browserCors(deps.settings));
    const { maxEventLoopDelayMs, maxHeapUsedBytes, maxRssBytes } = deps.settings.underPressure;
    await api.register(underPressure, {
      maxEventLoopDelay: maxEventLoopDelayMs,
      maxHeapUsedBytes,
      maxRssBytes,
      retryAfter: 10,
      pressureHandler: (_request, reply, type, value) => {
        deps.logger.warn({ event: 'under-pressure', type, value }, 'shedding load');
        void sendError(reply, 'over-capacity', { 'retry-after': '10' });
      },
    });
    await api.register(async (scope) => stripeWebhookRoutes(scope, deps));
    await api.register(async (scope) => checkoutSuccessRoutes(scope, deps));
    await api.register(async (scope) => orderRoutes(scope, deps));
  });

  return app;
}
