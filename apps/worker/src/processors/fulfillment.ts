import { classifyStripeError, fulfillCheckout } from '@fulfill/orders';
import { enqueueEmail, enqueueShopWebhook, parseFulfillmentJob } from '@fulfill/queue';
import { fulfillmentAttributes, inSpan, SPAN_ATTRIBUTES } from '@fulfill/telemetry';
import { type Job, UnrecoverableError } from 'bullmq';
import type { WorkerDeps } from '../deps.ts';
import { dropKeptPayload } from './drop-kept-payload.ts';

/** Fulfills a checkout, then enqueues the emails its order still owes. */
export function createFulfillmentProcessor(deps: WorkerDeps) {
  return async (job: Job) => {
    const data = parseFulfillmentJob(job.data);
    const log = deps.logger.child({
      jobId: job.id,
      sessionId: data.sessionId,
      source: data.source,
      ...(data.event ? { eventId: data.event.id, type: data.event.type } : {}),
      ...(data.account ? { account: data.account } : {}),
    });

    let result: Awaited<ReturnType<typeof fulfillCheckout>>;
    try {
      result = await inSpan('fulfill.order_write', fulfillmentAttributes(data), async (span) => {
        const written = await fulfillCheckout(
          {
            db: deps.db,
            stripe: deps.stripe,
            orderIdSecret: deps.settings.orderIdSecret,
            shopWebhooks: deps.settings.shopWebhook !== undefined,
          },
          {
            sessionId: data.sessionId,
            receivedAt: new Date(data.receivedAt),
            account: data.account ?? null,
            ...(data.event ? { event: data.event } : {}),
            ...(data.payload !== undefined ? { payload: data.payload } : {}),
          },
        );
        span.setAttribute(SPAN_ATTRIBUTES.outcome, written.kind);
        if ('order' in written)
          span.setAttribute(SPAN_ATTRIBUTES.orderIdentifier, written.order.order_identifier);
        return written;
      });
    } catch (error) {
      // Only Stripe's refusal of the request is final; the queue retries everything else.
      if (classifyStripeError(error) === 'retryable' || !(error instanceof Error)) throw error;
      throw new UnrecoverableError(`Stripe rejected the request: ${error.message}`);
    }

    await dropKeptPayload(job, log);
    switch (result.kind) {
      case 'session-not-found':
        throw new UnrecoverableError(`Stripe has no Checkout Session ${data.sessionId}`);
      case 'missing-data':
        // Permanent and visible: the failed job, this error line and its metric; nothing was written.
        deps.metrics.fulfillmentRejected.inc({ reason: 'missing-data' });
        log.error({ outcome: 'missing-data', missing: result.missing }, 'fulfillment');
        throw new UnrecoverableError(
          `Checkout Session ${data.sessionId} is complete without ${result.missing.join(' and ')}; no order was written`,
        );
      case 'no-order':
        log.info({ outcome: 'no-order', reason: result.reason }, 'fulfillment');
        return { outcome: 'no-order' };
      case 'not-complete':
        log.info({ outcome: 'not-complete' }, 'fulfillment');
        return { outcome: 'not-complete' };
      case 'expired':
        for (const id of result.shopWebhooks) await enqueueShopWebhook(deps.queues.shopWebhook, id);
        log.info(
          { outcome: 'expired', cancelledOrder: result.cancelledOrder?.order_identifier ?? null },
          'fulfillment',
        );
        return { outcome: 'expired' };
      case 'created':
      case 'updated':
      case 'unchanged': {
        const { order } = result;
        if (result.kind === 'created') {
          deps.metrics.ordersCreated.inc({ status: order.status });
          if (data.event) {
            const seconds = (order.created_at.getTime() - data.event.created * 1000) / 1000;
            deps.metrics.webhookToOrderSeconds.observe(Math.max(0, seconds));
          }
        }
        if (result.kind === 'unchanged') deps.metrics.duplicatesSuppressed.inc({ layer: 'database' });
        if (result.kind !== 'unchanged') {
          for (const id of result.shopWebhooks) await enqueueShopWebhook(deps.queues.shopWebhook, id);
        }
        for (const kind of result.pendingEmails) {
          await enqueueEmail(
            deps.queues.email,
            { orderId: order.id, kind },
            { attempts: deps.settings.emailAttempts, newOutboxRow: result.kind === 'created' },
          );
        }
        log.info(
          {
            outcome: result.kind,
            orderIdentifier: order.order_identifier,
            status: order.status,
            pendingEmails: result.pendingEmails,
          },
          'fulfillment',
        );
        return { outcome: result.kind, orderIdentifier: order.order_identifier, status: order.status };
      }
    }
  };
}
