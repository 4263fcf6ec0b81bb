import {
  accountOptions,
  checkoutSessionOfEvent,
  classifyStripeError,
  fulfillmentKeyOf,
  isFulfillmentEventType,
  orderIdentifierFor,
} from '@fulfill/orders';
import { buildFulfillmentJob, enqueueFulfillment, type FulfillmentJobEvent } from '@fulfill/queue';
import type { OpsDeps } from '../deps.ts';

/** Enqueues as the webhook does, as a replay: its follow-up id names its time, so each replay can run once more. */
async function enqueueReplay(
  deps: OpsDeps,
  session: Parameters<typeof fulfillmentKeyOf>[0],
  account: string | null,
  event?: FulfillmentJobEvent,
): Promise<string> {
  const fulfillmentKey = fulfillmentKeyOf(session);
  const job = buildFulfillmentJob({
    sessionId: session.id,
    fulfillmentKey,
    cause: { source: 'replay', ...(event ? { event } : {}) },
    account,
  });
  const result = await enqueueFulfillment(deps.queues.fulfillment, job);
  const order = orderIdentifierFor(fulfillmentKey, deps.orderIdSecret);
  return `job=${result.jobId} outcome=${result.kind} order=${order}`;
}

/**
 * `replay-event evt_…`: reads the event from Stripe and, if it is a Checkout Session event Fulfill handles,
 * enqueues it exactly as the webhook would have. Other event types are reported and left alone. A connected
 * account's event is read, and fulfilled, for `account`.
 */
export async function replayEvent(
  deps: OpsDeps,
  eventId: string,
  account: string | null = null,
): Promise<number> {
  let event: Awaited<ReturnType<OpsDeps['stripe']['events']['retrieve']>>;
  try {
    event = await deps.stripe.events.retrieve(eventId, undefined, accountOptions(account));
  } catch (error) {
    if (classifyStripeError(error) !== 'not-found') throw error;
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
  const enqueued = await enqueueReplay(deps, session, event.account ?? account, {
    id: event.id,
    type: event.type,
    created: event.created,
  });
  deps.out.info(`replayed event=${event.id} type=${event.type} session=${session.id} ${enqueued}`);
  return 0;
}

/**
 * `replay-session cs_…`: reads the session from Stripe and enqueues its fulfillment. A session still open has
 * nothing to fulfill and is refused.
 */
export async function replaySession(
  deps: OpsDeps,
  sessionId: string,
  account: string | null = null,
): Promise<number> {
  let session: Awaited<ReturnType<OpsDeps['stripe']['checkout']['sessions']['retrieve']>>;
  try {
    session = await deps.stripe.checkout.sessions.retrieve(sessionId, undefined, accountOptions(account));
  } catch (error) {
    if (classifyStripeError(error) !== 'not-found') throw error;
    deps.out.error(`Stripe has no Checkout Session ${sessionId}`);
    return 1;
  }
  if (session.status !== 'complete' && session.status !== 'expired') {
    deps.out.error(
      `${session.id} is ${session.status ?? 'in no state'}: nothing to fulfill until it completes`,
    );
    return 1;
  }
  const enqueued = await enqueueReplay(deps, session, account);
  deps.out.info(
    `replayed session=${session.id} status=${session.status} payment_status=${session.payment_status} ${enqueued}`,
  );
  return 0;
}
