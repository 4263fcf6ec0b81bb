import {
  checkoutSessionOfEvent,
  fulfillmentKeyOf,
  isFulfillmentEventType,
  isPaymentEventType,
  paymentIntentOfEvent,
  storedEvents,
} from '@fulfill/orders';
import {
  buildFulfillmentJob,
  buildPaymentChangeJob,
  enqueueFulfillment,
  enqueuePaymentChange,
} from '@fulfill/queue';
import type { OpsDeps } from '../deps.ts';

/** What replaying one stored event means: a job to enqueue, or why there is none. */
type Plan =
  | { kind: 'fulfillment'; job: ReturnType<typeof buildFulfillmentJob> }
  | { kind: 'payment-change'; job: ReturnType<typeof buildPaymentChangeJob> }
  | { kind: 'skip'; reason: string };

/** The connected account a kept event happened on; null for the platform's own. */
const accountOf = (payload: { account?: unknown }): string | null =>
  typeof payload.account === 'string' ? payload.account : null;

function planOf(event: { event_id: string; type: string; payload: unknown }): Plan {
  const payload = event.payload as {
    id?: string;
    type?: string;
    created?: number;
    data?: { object?: unknown };
    account?: string;
  } | null;
  if (!payload) return { kind: 'skip', reason: 'payload not kept' };
  const created = typeof payload.created === 'number' ? payload.created : 0;
  const account = accountOf(payload);
  if (isFulfillmentEventType(event.type)) {
    const session = checkoutSessionOfEvent(payload);
    if (!session) return { kind: 'skip', reason: 'holds no Checkout Session' };
    return {
      kind: 'fulfillment',
      job: buildFulfillmentJob({
        sessionId: session.id,
        fulfillmentKey: fulfillmentKeyOf(session),
        cause: { source: 'replay', event: { id: event.event_id, type: event.type, created } },
        account,
      }),
    };
  }
  if (isPaymentEventType(event.type)) {
    const paymentIntentId = paymentIntentOfEvent(payload);
    if (!paymentIntentId) return { kind: 'skip', reason: 'names no payment intent' };
    return {
      kind: 'payment-change',
      job: buildPaymentChangeJob({
        paymentIntentId,
        event: { id: event.event_id, type: event.type, created },
        source: 'replay',
        ...(account === null ? {} : { account }),
      }),
    };
  }
  return { kind: 'skip', reason: 'not an event type Fulfill handles' };
}

/**
 * `replay-events --from T --to T [--type T] [--dry-run]`: enqueues again every kept event received in [from, to),
 * oldest first, as a replay: each job re-reads Stripe, so a replay converges on Stripe's state and running it
 * twice changes nothing more. Prints one line per event, what it would do (`--dry-run`) or did, then a summary.
 */
export async function replayEvents(
  deps: OpsDeps,
  command: { from: Date; to: Date; type: string | null; dryRun: boolean },
): Promise<number> {
  const events = await storedEvents(deps.db, {
    from: command.from,
    to: command.to,
    ...(command.type ? { type: command.type } : {}),
  });
  const counts = { enqueued: 0, duplicate: 0, skipped: 0 };
  for (const event of events) {
    const plan = planOf(event);
    const head = `event=${event.event_id} type=${event.type} received=${event.received_at.toISOString()}`;
    if (plan.kind === 'skip') {
      counts.skipped += 1;
      deps.out.info(`${head} skipped: ${plan.reason}`);
      continue;
    }
    if (command.dryRun) {
      deps.out.info(`${head} would enqueue ${plan.kind} job=${plan.job.jobId}`);
      continue;
    }
    const result =
      plan.kind === 'fulfillment'
        ? await enqueueFulfillment(deps.queues.fulfillment, plan.job)
        : await enqueuePaymentChange(deps.queues.paymentChange, plan.job);
    counts[result.kind === 'duplicate' ? 'duplicate' : 'enqueued'] += 1;
    deps.out.info(`${head} enqueued ${plan.kind} job=${result.jobId} outcome=${result.kind}`);
  }
  const verb = command.dryRun ? 'would replay' : 'replayed';
  deps.out.info(
    `${verb} ${events.length - counts.skipped} of ${events.length} event${events.length === 1 ? '' : 's'} ` +
      `(${counts.enqueued} enqueued, ${counts.duplicate} already waiting, ${counts.skipped} skipped)`,
  );
  return 0;
}
