import { hasMetricsToken } from '@fulfill/observability';
import type { FastifyInstance } from 'fastify';
import type { IngestDeps } from '../deps.ts';
import { sendError } from '../errors.ts';

/**
 * GET /metrics on the ingest's port: Prometheus text, behind the bearer token when one is set. Not mounted when
 * the metrics have a listener of their own (`settings.metrics.separateListener`), so the route answers 404.
 */
export async function metricsRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  const { token, separateListener } = deps.settings.metrics ?? {};
  if (separateListener) return;
  app.get('/metrics', async (request, reply) => {
    if (!hasMetricsToken(request.headers.authorization, token)) {
      return sendError(reply, 'unauthorized', { 'www-authenticate': 'Bearer realm="metrics"' });
    }
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
