import {
  checkoutSessionOfEvent,
  fulfillmentKeyOf,
  isCaptureEventType,
  isFulfillmentEventType,
  isPaymentEventType,
} from '@fulfill/orders';
import { buildFulfillmentJob } from '@fulfill/queue';
import type { FastifyInstance } from 'fastify';
import type { EventNotification, IngestDeps, VerifiedEvent } from '../deps.ts';
import { enqueueWebhookJob } from '../enqueue-fulfillment.ts';
import { sendError } from '../errors.ts';
import { verifyStripeSignature } from '../verify-stripe-signature.ts';
import { acceptPaymentEvent } from './payment-event.ts';
import { handleCaptureEvent, handleEventNotification } from './webhook-follow-ups.ts';

const TOLERANCE_SECONDS = 300;
const BODY_LIMIT = 1024 * 1024;

function verify(deps: IngestDeps, body: Buffer, header: string): VerifiedEvent | null {
  const check = verifyStripeSignature(body, header, deps.settings.webhookSecrets, TOLERANCE_SECONDS);
  return check.ok ? check.event : null;
}

/**
 * An event notification (thin event) signed by one of the secrets, read with stripe-node's own parser. Only
 * tried for a verified body that is one (`object: v2.core.event`), so a snapshot event costs nothing more.
 */
function verifyNotification(deps: IngestDeps, body: Buffer, header: string): EventNotification | null {
  for (const secret of deps.settings.webhookSecrets) {
    try {
      return deps.stripe.parseEventNotification(body, header, secret, TOLERANCE_SECONDS);
    } catch {
      // Not this secret, or not an event notification.
    }
  }
  return null;
}

/**
 * POST /order/stripe-webhook: verifies Stripe's signature over the raw body, enqueues the fulfillment job and
 * answers 200 only once Redis holds it; 503 when Redis does not answer in time, so that Stripe retries.
 */
export async function stripeWebhookRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  // Scoped to this plugin: only this route sees raw bodies, whatever their content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    done(null, body);
  });

  if (deps.settings.webhookSecrets.length === 0) {
    deps.logger.error(
      { event: 'webhook-not-configured' },
      'STRIPE_WEBHOOK_SECRET is not set: webhooks are answered 500 until it is',
    );
  }

  app.post('/order/stripe-webhook', async (request, reply) => {
    const { logger, metrics, settings } = deps;
    if (settings.webhookSecrets.length === 0) {
      metrics.webhooks.inc({ type: 'unknown', outcome: 'not-configured' });
      return sendError(reply, 'webhook-not-configured');
    }
    const header = request.headers['stripe-signature'];
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signed = typeof header === 'string' && header.length > 0;
    const verified = signed ? verify(deps, body, header) : null;
    const thin = verified?.object === 'v2.core.event';
    const notification = signed && thin ? verifyNotification(deps, body, header) : null;
    if (notification) return handleEventNotification(deps, reply, logger, notification);
    const event = thin ? null : verified;
    if (!event) {
      metrics.signatureFailures.inc();
      metrics.webhooks.inc({ type: 'unknown', outcome: 'invalid-signature' });
      logger.warn(
        { outcome: 'invalid-signature', hasHeader: typeof header === 'string' },
        'webhook rejected',
      );
      return sendError(reply, 'invalid-signature');
    }
    const log = logger.child({
      eventId: event.id,
      type: event.type,
      ...(event.account ? { account: event.account } : {}),
    });
    if (isCaptureEventType(event.type)) {
      return handleCaptureEvent(deps, reply, log, { ...event, type: event.type });
    }

    if (isPaymentEventType(event.type))
      return acceptPaymentEvent(deps, { ...event, type: event.type }, log, reply);
    if (!isFulfillmentEventType(event.type)) {
      metrics.webhooks.inc({ type: event.type, outcome: 'ignored' });
      log.info({ outcome: 'ignored' }, 'webhook');
      return reply.code(200).send({ received: true });
    }
    const session = checkoutSessionOfEvent(event);
    if (!session) {
      metrics.webhooks.inc({ type: event.type, outcome: 'invalid-event' });
      log.warn({ outcome: 'invalid-event' }, 'webhook');
      return sendError(reply, 'invalid-event');
    }

    const job = buildFulfillmentJob({
      sessionId: session.id,
      fulfillmentKey: fulfillmentKeyOf(session),
      cause: { source: 'webhook', event: { id: event.id, type: event.type, created: event.created } },
      account: event.account ?? null,
      payload: event,
    });
    return enqueueWebhookJob(deps, reply, log, event.type, job);
  });
}
