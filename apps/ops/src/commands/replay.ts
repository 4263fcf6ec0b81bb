import {
  checkoutSessionOfEvent,
  type FulfillmentJobData,
  fulfillmentJobOfEvent,
  fulfillmentKeyOf,
  isFulfillmentEventType,
  isStripeNotFound,
  orderIdentifierFor,
} from '@fulfill/orders';
import { enqueueFulfillment } from '@fulfill/queue';
import type { OpsDeps } from '../deps.ts';

/** Enqueues as the webhook does, with a follow-up suffix of its own so each replay can run once more. */
async function enqueueReplay(deps: OpsDeps, data: Omit<FulfillmentJobData, 'enqueueId'>): Promise<string> {
  const result = await enqueueFulfillment(deps.queues.fulfillment, data, {
    followUpSuffix: `replay-${Date.now()}`,
  });
  const order = orderIdentifierFor(data.fulfillmentKey, deps.orderIdSecret);
  return `job=${result.jobId} outcome=${result.kind} order=${order}`;
}

/**
 * `replay-event evt_…`: reads the event from Stripe and, if it is a Checkout Session event Fulfill handles,
 * enqueues it exactly as the webhook would have. Other event types are reported and left alone.
 */
export async function replayEvent(deps: OpsDeps, eventId: string): Promise<number> {
  let event: Awaited<ReturnType<OpsDeps['stripe']['events']['retrieve']>>;
  try {
    event = await deps.stripe.events.retrieve(eventId);
  } catch (error) {
    if (!isStripeNotFound(error)) throw error;
    deps.out.error(`Stripe has no event ${eventId}`);
    return 1;
  }
  if (!isFulfillmentEventType(event.type)) {
    deps.out.info(`ignored ${event.id}: ${event.type} is not a Checkout Session event Fulfill handles`);
    return 0;
  }
  const session = checkoutSessionOfEvent(event);
  if (!session) {
    deps.out.error(`${event.id} (${event.type}) holds no Checkout Session`);
    return 1;
  }
  const enqueued = await enqueueReplay(
    deps,
    fulfillmentJobOfEvent({ id: event.id, type: event.type, created: event.created }, session, 'replay'),
  );
  deps.out.info(`replayed event=${event.id} type=${event.type} session=${session.id} ${enqueued}`);
  return 0;
}

/**
 * `replay-session cs_…`: reads the session from Stripe and enqueues its fulfillment. A session still open has
 * nothing to fulfill and is refused.
 */
export async function replaySession(deps: OpsDeps, sessionId: string): Promise<number> {
  let session: Awaited<ReturnType<OpsDeps['stripe']['checkout']['sessions']['retrieve']>>;
  try {
    session = await deps.stripe.checkout.sessions.retrieve(sessionId);
  } catch (error) {
    if (!isStripeNotFound(error)) throw error;
    deps.out.error(`Stripe has no Checkout Session ${sessionId}`);
    return 1;
  }
  if (session.status !== 'complete' && session.status !== 'expired') {
    deps.out.error(
      `${session.id} is ${session.status ?? 'in no state'}: nothing to fulfill until it completes`,
    );
    return 1;
  }
  const enqueued = await enqueueReplay(deps, {
    sessionId: session.id,
    fulfillmentKey: fulfillmentKeyOf(session),
    source: 'replay',
    receivedAt: Date.now(),
  });
  deps.out.info(
    `replayed session=${session.id} status=${session.status} payment_status=${session.payment_status} ${enqueued}`,
  );
  return 0;
}
