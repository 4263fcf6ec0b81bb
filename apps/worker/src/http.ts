import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveMetrics } from '@fulfill/observability';
import type { Registry } from 'prom-client';

/** What the worker's readiness depends on, each answered at once from state the process already holds. */
export interface WorkerReadiness {
  /** Liveness: false once shutdown has begun. */
  healthy: () => boolean;
  /** Redis answers and the BullMQ workers are running: the worker can take jobs. Without it, as healthy. */
  ready?: () => { ready: true } | { ready: false; reason: string };
}

/**
 * The worker's small HTTP listener. GET /healthz is liveness (200 while the process runs and is not shutting
 * down); GET /readyz is readiness (200 only while it can take jobs, 503 with the reason otherwise, such as
 * Redis down); GET /metrics for Prometheus.
 */
export function createWorkerHttpServer(options: { registry: Registry } & WorkerReadiness): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && path === '/healthz') {
      const ok = options.healthy();
      json(ok ? 200 : 503, { status: ok ? 'ok' : 'closing' });
      return;
    }
    if (request.method === 'GET' && path === '/readyz') {
      if (!options.healthy()) return json(503, { status: 'closing' });
      const state = options.ready?.() ?? { ready: true };
      json(
        state.ready ? 200 : 503,
        state.ready ? { status: 'ready' } : { status: 'not-ready', reason: state.reason },
      );
      return;
    }
    if (request.method === 'GET' && path === '/metrics') {
      serveMetrics(options.registry, request, response);
      return;
    }
    json(404, { error: 'not-found' });
  });
}

/**
 * Listens on METRICS_PORT and resolves with the port actually bound (the kernel's choice for 0). Rejects with
 * a one-line message naming METRICS_PORT when the port is taken, as by a second worker on the same host.
 */
export async function listenOnMetricsPort(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `METRICS_PORT ${port} on ${host} is already in use (EADDRINUSE), perhaps by another worker on this host: give each worker its own METRICS_PORT, or 0 for any free port`,
      );
    }
    throw new Error(`cannot listen on METRICS_PORT ${port} on ${host}: ${(error as Error).message}`);
  }
  return (server.address() as AddressInfo).port;
}
