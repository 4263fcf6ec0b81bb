import { createServer, type Server } from 'node:http';
import { serveMetrics } from '@fulfill/observability';
import type { Registry } from 'prom-client';

/** The worker's small HTTP listener: GET /healthz for health checks and GET /metrics for Prometheus. */
export function createWorkerHttpServer(options: { registry: Registry; healthy: () => boolean }): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      const ok = options.healthy();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: ok ? 'ok' : 'closing' }));
      return;
    }
    if (request.method === 'GET' && path === '/metrics') {
      serveMetrics(options.registry, request, response);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not-found' }));
  });
}
