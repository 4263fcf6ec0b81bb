import { paymentIntentOfEvent } from '@fulfill/orders';
import { buildPaymentChangeJob, enqueuePaymentChange, withTimeout } from '@fulfill/queue';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { IngestDeps, VerifiedEvent } from '../deps.ts';
import { answerOnceEnqueued } from '../enqueue-fulfillment.ts';

/**
 * A verified refund or dispute event: enqueues the job that converges its order on Stripe's state, keyed by the
 * event so redeliveries make one job, and answers 200 only once Redis holds it (503 when it does not answer in
 * time). An event about a charge without a payment intent is not Fulfill's, and is acknowledged and ignored.
 */
export async function acceptPaymentEvent(
  deps: IngestDeps,
  event: VerifiedEvent & { type: Parameters<typeof buildPaymentChangeJob>[0]['event']['type'] },
  log: Logger,
  reply: FastifyReply,
) {
  const paymentIntentId = paymentIntentOfEvent(event);
  if (!paymentIntentId) {
    deps.metrics.webhooks.inc({ type: event.type, outcome: 'ignored' });
    log.info({ outcome: 'ignored', reason: 'no-payment-intent' }, 'webhook');
    return reply.code(200).send({ received: true });
  }
  const job = buildPaymentChangeJob({
    paymentIntentId,
    event: { id: event.id, type: event.type, created: event.created },
    source: 'webhook',
    ...(event.account ? { account: event.account } : {}),
    payload: event,
  });
  return answerOnceEnqueued(
    deps,
    reply,
    log,
    event.type,
    async () => {
      const result = await withTimeout(
        enqueuePaymentChange(deps.queues.paymentChange, job),
        deps.settings.enqueueTimeoutMs,
        'enqueue',
      );
      if (result.kind === 'duplicate') deps.metrics.duplicatesSuppressed.inc({ layer: 'queue' });
      return result;
    },
    { body: { received: true } },
  );
}
