import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { IngestDeps } from './deps.ts';
import { codeForStatus, sendError } from './errors.ts';
import { ADMIN_DASHBOARD_PREFIX, adminDashboardRoutes } from './routes/admin-dashboard.ts';
import { checkoutSuccessRoutes } from './routes/checkout-success.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { orderRoutes } from './routes/orders.ts';
import { stripeWebhookRoutes } from './routes/stripe-webhook.ts';

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
    return503OnClosing: true,
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
