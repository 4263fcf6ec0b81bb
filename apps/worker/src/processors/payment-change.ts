import { applyPaymentChange, classifyStripeError } from '@fulfill/orders';
import { enqueueEmail, enqueueShopWebhook, parsePaymentChangeJob } from '@fulfill/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import type { WorkerDeps } from '../deps.ts';
import { dropKeptPayload } from './drop-kept-payload.ts';

/**
 * Converges an order on Stripe's refunds and disputes of its payment (`applyPaymentChange`), then enqueues the
 * refund notices and shop webhooks the change owes. An order that does not exist yet (a refund event ahead of the
 * checkout's, with no complete session in Stripe) is retried by the queue.
 */
export function createPaymentChangeProcessor(deps: WorkerDeps) {
  return async (job: Job) => {
    const data = parsePaymentChangeJob(job.data);
    const log = deps.logger.child({
      jobId: job.id,
      eventId: data.event.id,
      type: data.event.type,
      paymentIntentId: data.paymentIntentId,
      source: data.source,
      ...(data.account ? { account: data.account } : {}),
    });
    let result: Awaited<ReturnType<typeof applyPaymentChange>>;
    try {
      result = await applyPaymentChange(
        {
          db: deps.db,
          stripe: deps.stripe,
          orderIdSecret: deps.settings.orderIdSecret,
          shopWebhooks: deps.settings.shopWebhook !== undefined,
        },
        {
          paymentIntentId: data.paymentIntentId,
          account: data.account ?? null,
          event: data.event,
          receivedAt: new Date(data.receivedAt),
          ...(data.payload !== undefined ? { payload: data.payload } : {}),
        },
      );
    } catch (error) {
      if (classifyStripeError(error) === 'retryable' || !(error instanceof Error)) throw error;
      throw new UnrecoverableError(`Stripe rejected the request: ${error.message}`);
    }
    deps.metrics.paymentChanges.inc({ type: data.event.type, outcome: result.kind });
    await dropKeptPayload(job, log);
    if (result.kind === 'order-missing') {
      log.warn({ outcome: 'order-missing' }, 'payment change');
      throw new Error(`no order for payment intent ${data.paymentIntentId} yet`);
    }
    const { order } = result;
    if (result.kind === 'changed' || result.kind === 'unchanged') {
      for (const email of result.pendingEmails) {
        await enqueueEmail(deps.queues.email, email, { attempts: deps.settings.emailAttempts });
      }
    }
    if (result.kind === 'changed') {
      for (const id of result.shopWebhooks) await enqueueShopWebhook(deps.queues.shopWebhook, id);
    }
    log.info(
      {
        outcome: result.kind,
        orderIdentifier: order.order_identifier,
        status: order.status,
        amountRefunded: order.amount_refunded,
        ...(result.kind === 'changed' ? { previousStatus: result.previousStatus } : {}),
      },
      'payment change',
    );
    return { outcome: result.kind, orderIdentifier: order.order_identifier, status: order.status };
  };
}
