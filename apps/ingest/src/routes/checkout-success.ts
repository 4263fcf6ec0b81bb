import rateLimit from '@fastify/rate-limit';
import type { Database } from '@fulfill/db';
import { accountOptions, fulfillmentKeyOf, orderByFulfillmentKey, orderIdentifierFor } from '@fulfill/orders';
import { buildFulfillmentJob } from '@fulfill/queue';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { IngestDeps } from '../deps.ts';
import { enqueueWithinBound } from '../enqueue-fulfillment.ts';
import { sendError } from '../errors.ts';
import { stripeFailureAnswer } from '../stripe-errors.ts';

const POLL_INTERVAL_MS = 100;
const SESSION_ID = '^cs_[A-Za-z0-9_]{1,250}$';
const ACCOUNT_ID = '^acct_[A-Za-z0-9]{1,255}$';

async function waitForOrder(db: Kysely<Database>, fulfillmentKey: string, waitMs: number) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const order = await orderByFulfillmentKey(db, fulfillmentKey);
    if (order || Date.now() >= deadline) return order;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, deadline - Date.now())));
  }
}

/**
 * GET /order/checkout-session-success?session_id=cs_…: the storefront's call after Stripe's success redirect.
 * Nothing in the request is trusted: the session is retrieved from Stripe, and only a complete one is enqueued,
 * under the same job id the webhook uses. Waits a short bound for the order, then answers 202 for polling.
 */
export async function checkoutSuccessRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  // Past the limit the plugin sets Retry-After and throws a 429, which the app's error handler answers from the
  // catalog (`rate-limited`) like every error a plugin raises. Counted in Redis, the limit holds across ingests;
  // while Redis does not answer it is skipped (fail open), and the redirect answers what its enqueue meets.
  await app.register(rateLimit, {
    global: false,
    ...(deps.rateLimitStore
      ? { redis: deps.rateLimitStore.redis, nameSpace: deps.rateLimitStore.keyPrefix, skipOnError: true }
      : {}),
  });

  app.get<{ Querystring: { session_id: string; account?: string } }>(
    '/order/checkout-session-success',
    {
      attachValidation: true,
      config: {
        rateLimit: {
          max: deps.settings.successRateLimit.max,
          timeWindow: deps.settings.successRateLimit.windowMs,
        },
      },
      schema: {
        querystring: {
          type: 'object',
          required: ['session_id'],
          properties: {
            session_id: { type: 'string', pattern: SESSION_ID },
            // A Connect platform's storefront names the connected account the session was created on.
            account: { type: 'string', pattern: ACCOUNT_ID },
          },
        },
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        const badAccount = request.validationError.validation.some(
          (v: { instancePath: string }) => v.instancePath === '/account',
        );
        return sendError(reply, badAccount ? 'invalid-account' : 'invalid-session-id');
      }
      const sessionId = request.query.session_id;
      const account = request.query.account ?? deps.settings.stripeAccount ?? null;
      const log = deps.logger.child({
        sessionId,
        route: 'checkout-session-success',
        ...(account ? { account } : {}),
      });

      let session: Awaited<ReturnType<IngestDeps['stripe']['checkout']['sessions']['retrieve']>>;
      try {
        session = await deps.stripe.checkout.sessions.retrieve(sessionId, undefined, accountOptions(account));
      } catch (error) {
        const answer = stripeFailureAnswer(error);
        if (answer.code === 'invalid-session-id') {
          log.info({ outcome: 'invalid-session-id', err: error }, 'Stripe rejected the session id');
        } else if (answer.code === 'stripe-unavailable') {
          log.error({ outcome: 'stripe-unavailable', err: error }, 'session retrieve failed');
        }
        return sendError(reply, answer.code, answer.headers);
      }
      if (session.status !== 'complete') return sendError(reply, 'session-not-complete');

      const fulfillmentKey = fulfillmentKeyOf(session);
      const orderIdentifier = orderIdentifierFor(fulfillmentKey, deps.settings.orderIdSecret);
      try {
        const result = await enqueueWithinBound(
          deps,
          buildFulfillmentJob({
            sessionId: session.id,
            fulfillmentKey,
            cause: { source: 'redirect' },
            account,
          }),
          orderIdentifier,
        );
        log.info({ outcome: result.kind, orderIdentifier }, 'success redirect');
      } catch (error) {
        log.error({ outcome: 'queue-unavailable', err: error }, 'success redirect not enqueued');
        return sendError(reply, 'queue-unavailable', { 'retry-after': '5' });
      }

      let order: Awaited<ReturnType<typeof waitForOrder>>;
      try {
        order = await waitForOrder(deps.db, fulfillmentKey, deps.settings.successWaitMs);
      } catch (error) {
        // The job is in Redis and will become the order once Postgres is back; the storefront asks again.
        log.error({ outcome: 'database-unavailable', orderIdentifier, err: error }, 'order lookup failed');
        return sendError(reply, 'database-unavailable', { 'retry-after': '5' });
      }
      if (order)
        return reply.code(200).send({ order_identifier: order.order_identifier, status: order.status });
      return reply.code(202).send({ order_identifier: orderIdentifier, status: 'pending' });
    },
  );
}
