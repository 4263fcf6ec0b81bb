import rateLimit from '@fastify/rate-limit';
import type { Database } from '@fulfill/db';
import { fulfillmentKeyOf, orderIdentifierFor } from '@fulfill/orders';
import { buildFulfillmentJob } from '@fulfill/queue';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { IngestDeps } from '../deps.ts';
import { enqueueWithinBound } from '../enqueue-fulfillment.ts';
import { sendError } from '../errors.ts';
import { classifyStripeError } from '../stripe-errors.ts';

const POLL_INTERVAL_MS = 100;
const SESSION_ID = '^cs_[A-Za-z0-9_]{1,250}$';

async function waitForOrder(db: Kysely<Database>, fulfillmentKey: string, waitMs: number) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const order = await db
      .selectFrom('orders')
      .select(['order_identifier', 'status'])
      .where('fulfillment_key', '=', fulfillmentKey)
      .executeTakeFirst();
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
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: context.statusCode,
      error: 'rate-limited',
      message: `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });

  app.get<{ Querystring: { session_id: string } }>(
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
          properties: { session_id: { type: 'string', pattern: SESSION_ID } },
        },
      },
    },
    async (request, reply) => {
      if (request.validationError) return sendError(reply, 'invalid-session-id');
      const sessionId = request.query.session_id;
      const log = deps.logger.child({ sessionId, route: 'checkout-session-success' });

      let session: Awaited<ReturnType<IngestDeps['stripe']['checkout']['sessions']['retrieve']>>;
      try {
        session = await deps.stripe.checkout.sessions.retrieve(sessionId);
      } catch (error) {
        switch (classifyStripeError(error)) {
          case 'not-found':
            return sendError(reply, 'session-not-found');
          case 'rejected':
            log.info({ outcome: 'invalid-session-id', err: error }, 'Stripe rejected the session id');
            return sendError(reply, 'invalid-session-id');
          case 'unavailable':
            log.error({ outcome: 'stripe-unavailable', err: error }, 'session retrieve failed');
            return sendError(reply, 'stripe-unavailable', { 'retry-after': '5' });
        }
      }
      if (session.status !== 'complete') return sendError(reply, 'session-not-complete');

      const fulfillmentKey = fulfillmentKeyOf(session);
      const orderIdentifier = orderIdentifierFor(fulfillmentKey, deps.settings.orderIdSecret);
      try {
        const result = await enqueueWithinBound(
          deps,
          buildFulfillmentJob({ sessionId: session.id, fulfillmentKey, cause: { source: 'redirect' } }),
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
