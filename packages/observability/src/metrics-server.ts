import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export interface MetricsAccess {
  /** When set, a scrape must send `Authorization: Bearer <token>`; otherwise it gets 401 `unauthorized`. */
  token?: string | undefined;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether an Authorization header carries the bearer token, compared in constant time. */
export function hasMetricsToken(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1] as string), digest(token));
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

/**
 * Answers `GET /metrics` from a registry on a plain node:http response: Prometheus text, 401 `unauthorized`
 * without the token, 500 `internal-error` if a collector throws.
 */
export function serveMetrics(
  registry: Registry,
  request: IncomingMessage,
  response: ServerResponse,
  access: MetricsAccess = {},
): void {
  if (!hasMetricsToken(request.headers.authorization, access.token)) {
    sendJson(
      response,
      401,
      { error: 'unauthorized', message: 'Credentials are required.' },
      { 'www-authenticate': 'Bearer realm="metrics"' },
    );
    return;
  }
  registry.metrics().then(
    (body) => {
      response.writeHead(200, { 'content-type': registry.contentType });
      response.end(body);
    },
    () => sendJson(response, 500, { error: 'internal-error', message: 'Something went wrong on our side.' }),
  );
}

/**
 * A listener of its own for `GET /metrics`, so that a process can keep its metrics off its public port.
 * Every other request gets 404 `not-found`. The caller listens and closes it.
 */
export function createMetricsServer(options: { registry: Registry } & MetricsAccess): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      serveMetrics(options.registry, request, response, options);
      return;
    }
    sendJson(response, 404, { error: 'not-found', message: 'No such route.' });
  });
}
