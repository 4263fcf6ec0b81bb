import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import type { IngestSettings } from './deps.ts';

/** The routes a storefront's page calls from the customer's browser; no other route answers CORS. */
export const BROWSER_ROUTES: ReadonlySet<string> = new Set([
  '/order/checkout-session-success',
  '/order/:identifier',
]);

/**
 * @fastify/cors options that let `settings.corsOrigins` read the browser routes' answers, errors included, and
 * `Retry-After` with them, so a page can honour it. Register them in the scope that holds those routes, before
 * anything there that may answer early (load shedding, the rate limit). Both routes are simple GETs, which a
 * browser sends without a preflight, so none is answered: OPTIONS stays a 404 like any other unknown route.
 */
export function browserCors(settings: Pick<IngestSettings, 'corsOrigins'>): FastifyCorsOptions {
  const origins = settings.corsOrigins ?? [];
  const allowed: FastifyCorsOptions = {
    origin: origins,
    methods: ['GET'],
    exposedHeaders: ['Retry-After'],
    preflight: false,
  };
  return {
    delegator: (request: FastifyRequest, callback) =>
      callback(
        null,
        origins.length > 0 && BROWSER_ROUTES.has(request.routeOptions.url ?? '')
          ? allowed
          : { origin: false },
      ),
  };
}
