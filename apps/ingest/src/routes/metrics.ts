import type { FastifyInstance } from 'fastify';
import type { IngestDeps } from '../deps.ts';

/** GET /metrics: Prometheus text format. */
export async function metricsRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
