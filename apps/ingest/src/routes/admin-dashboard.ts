import type { FastifyInstance } from 'fastify';
import type { IngestDeps } from '../deps.ts';
import { sendError } from '../errors.ts';
import { basicAuthChecker } from './basic-auth.ts';

/** Where the ingest mounts the queue dashboard; register `adminDashboardRoutes` under this prefix. */
export const ADMIN_DASHBOARD_PREFIX = '/admin/queues';

const CHALLENGE = 'Basic realm="Fulfill queues", charset="UTF-8"';

/**
 * The bull-board dashboard of every queue (fulfillment, email, reconcile, payment-change, shop-webhook), behind HTTP Basic auth from
 * `settings.admin`. Every request under the prefix is checked, the UI's assets and API included; anything else
 * gets 401 `unauthorized` with a challenge. Without `settings.admin` nothing is mounted (the app's 404) and
 * one warning says how to turn it on. The dashboard's retries give a job a fresh attempt budget (see
 * `FreshRetryAdapter`). bull-board itself is imported only when the dashboard is mounted.
 */
export async function adminDashboardRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  const { admin } = deps.settings;
  if (!admin) {
    deps.logger.warn(
      { event: 'dashboard-disabled', path: ADMIN_DASHBOARD_PREFIX },
      'queue dashboard is off: set ADMIN_USER and ADMIN_PASSWORD (or ADMIN_PASSWORD_FILE) to mount it',
    );
    return;
  }

  const authorized = basicAuthChecker(admin);
  app.addHook('onRequest', async (request, reply) => {
    if (!authorized(request.headers.authorization)) {
      return sendError(reply, 'unauthorized', { 'www-authenticate': CHALLENGE });
    }
  });
  // A 404 of our own, so that unknown paths under the prefix are behind the same hook.
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not-found'));

  // bull-board (about 20 MiB of resident memory) is loaded only where the dashboard is mounted.
  const [{ createBullBoard }, { FastifyAdapter }, { FreshRetryAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/fastify'),
    import('./fresh-retry-adapter.ts'),
  ]);
  const serverAdapter = new FastifyAdapter().setBasePath(app.prefix);
  const { fulfillment, email, reconcile, paymentChange, shopWebhook } = deps.queues;
  createBullBoard({
    queues: [fulfillment, email, reconcile, paymentChange, shopWebhook].map(
      (queue) => new FreshRetryAdapter(queue),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Fulfill queues' } },
  });
  await app.register(serverAdapter.registerPlugin());
}
