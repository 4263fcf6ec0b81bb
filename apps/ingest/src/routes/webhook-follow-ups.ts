import {
  accountOptions,
  type CheckoutSession,
  fulfillmentKeyOf,
  isCaptureEventType,
  isFulfillmentEventType,
  manualCaptureIntentOfEvent,
  v1TypeOfNotification,
} from '@fulfill/orders';
import { buildFulfillmentJob } from '@fulfill/queue';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { EventNotification, IngestDeps, VerifiedEvent } from '../deps.ts';
import { enqueueWebhookJob } from '../enqueue-fulfillment.ts';
import { sendError } from '../errors.ts';
import { stripeFailureAnswer } from '../stripe-errors.ts';

/**
 * Webhooks that need Stripe read before their job can be built: a manual capture's payment intent event (which
 * names no Checkout Session) and an event notification (a thin event, which carries no object). Each answers
 * 2xx only once Redis holds the job; a Stripe that cannot be read answers 503, so that Stripe retries.
 */

function ignore(deps: IngestDeps, reply: FastifyReply, log: Logger, type: string, reason: string) {
  deps.metrics.webhooks.inc({ type, outcome: 'ignored' });
  log.info({ outcome: 'ignored', reason }, 'webhook');
  return reply.code(200).send({ received: true });
}

function stripeFailed(deps: IngestDeps, reply: FastifyReply, log: Logger, type: string, error: unknown) {
  const answer = stripeFailureAnswer(error);
  deps.metrics.webhooks.inc({ type, outcome: 'stripe-unavailable' });
  log.error({ outcome: 'stripe-unavailable', err: error }, 'webhook: Stripe read failed');
  // Whatever Stripe said, the event was validly signed: Stripe retries a 503, and a 4xx would drop it.
  return sendError(reply, 'stripe-unavailable', answer.headers ?? { 'retry-after': '5' });
}

/**
 * `payment_intent.succeeded` or `.canceled` of a manual capture: finds the intent's Checkout Session (for the
 * event's account) and enqueues its fulfillment, which re-reads the intent from Stripe. Any other intent is
 * acknowledged and ignored.
 */
export async function handleCaptureEvent(
  deps: IngestDeps,
  reply: FastifyReply,
  log: Logger,
  event: VerifiedEvent & { type: 'payment_intent.succeeded' | 'payment_intent.canceled' },
) {
  const intent = manualCaptureIntentOfEvent(event);
  if (!intent) return ignore(deps, reply, log, event.type, 'not-a-manual-capture');
  const account = event.account ?? null;
  let session: CheckoutSession | undefined;
  try {
    const page = await deps.stripe.checkout.sessions.list(
      { payment_intent: intent.id, limit: 1 },
      accountOptions(account),
    );
    session = page.data[0];
  } catch (error) {
    return stripeFailed(deps, reply, log, event.type, error);
  }
  if (!session) return ignore(deps, reply, log, event.type, 'no-checkout-session');
  const job = buildFulfillmentJob({
    sessionId: session.id,
    fulfillmentKey: intent.id,
    cause: { source: 'webhook', event: { id: event.id, type: event.type, created: event.created } },
    account,
  });
  return enqueueWebhookJob(deps, reply, log, event.type, job);
}

/**
 * An event notification from an event destination, already verified by stripe-node's parser: one for a
 * Checkout Session event is fetched from Stripe, its session retrieved, and the same job as its snapshot
 * event's enqueued; one for a manual capture's payment intent is handled as its snapshot event is, from the
 * payment intent fetched from Stripe. Any other type is acknowledged and ignored.
 */
export async function handleEventNotification(
  deps: IngestDeps,
  reply: FastifyReply,
  logger: Logger,
  notification: EventNotification,
) {
  const log = logger.child({ eventId: notification.id, type: notification.type, thin: true });
  const type = v1TypeOfNotification(notification.type);
  if (type !== null && isCaptureEventType(type)) {
    let event: VerifiedEvent & { type: typeof type };
    try {
      const fetched = await notification.fetchEvent();
      const account = typeof fetched.context === 'string' && fetched.context !== '' ? fetched.context : null;
      event = {
        id: notification.id,
        type,
        created: Math.floor(Date.parse(fetched.created) / 1000),
        data: { object: await notification.fetchRelatedObject?.() },
        ...(account ? { account } : {}),
      };
    } catch (error) {
      return stripeFailed(deps, reply, log, notification.type, error);
    }
    return handleCaptureEvent(deps, reply, log, event);
  }
  if (type === null || !isFulfillmentEventType(type)) {
    return ignore(deps, reply, log, notification.type, 'not-a-checkout-event');
  }
  let session: CheckoutSession;
  let account: string | null;
  let created: number;
  try {
    const event = await notification.fetchEvent();
    const related = event.related_object;
    if (related?.type !== 'checkout.session' || !related.id?.startsWith('cs_')) {
      deps.metrics.webhooks.inc({ type: notification.type, outcome: 'invalid-event' });
      log.warn({ outcome: 'invalid-event' }, 'webhook');
      return sendError(reply, 'invalid-event');
    }
    account = typeof event.context === 'string' && event.context !== '' ? event.context : null;
    created = Math.floor(Date.parse(event.created) / 1000);
    session = await deps.stripe.checkout.sessions.retrieve(related.id, undefined, accountOptions(account));
  } catch (error) {
    return stripeFailed(deps, reply, log, notification.type, error);
  }
  const job = buildFulfillmentJob({
    sessionId: session.id,
    fulfillmentKey: fulfillmentKeyOf(session),
    cause: { source: 'webhook', event: { id: notification.id, type, created } },
    account,
  });
  return enqueueWebhookJob(deps, reply, log, notification.type, job);
}
