import { deliverShopWebhook, type ShopPost } from '@fulfill/orders';
import { parseShopWebhookJob } from '@fulfill/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import type { WorkerDeps } from '../deps.ts';

/** Posts with fetch, without following redirects (a 3xx is not a delivery), within `timeoutMs`. */
export const fetchPost: ShopPost = async ({ url, headers, body, timeoutMs }) => {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel().catch(() => {});
  return { status: response.status };
};

/**
 * Delivers one shop-webhook outbox row (`deliverShopWebhook`). A non-2xx answer or none throws, for the queue to
 * retry with the shop-webhook backoff; a 410 disables the endpoint, loudly (an error line and the
 * `fulfill_shop_webhook_endpoint_disabled` gauge); the rows it leaves pending wait for `ops shop-webhooks enable`.
 * The payload is never logged: it holds the customer's email and address.
 */
export function createShopWebhookProcessor(deps: WorkerDeps, post: ShopPost = fetchPost) {
  return async (job: Job) => {
    const settings = deps.settings.shopWebhook;
    if (!settings) throw new UnrecoverableError('shop webhooks are off: SHOP_WEBHOOK_URL is not set');
    const data = parseShopWebhookJob(job.data);
    const log = deps.logger.child({ jobId: job.id, outboxId: data.outboxId });
    const result = await deliverShopWebhook(
      {
        db: deps.db,
        endpoint: { url: settings.url, secrets: settings.secrets },
        post,
        timeoutMs: settings.timeoutMs,
        retryForMs: settings.retryForMs,
      },
      data,
    );
    switch (result.kind) {
      case 'not-found':
        throw new UnrecoverableError(`no shop-webhook outbox row ${data.outboxId}`);
      case 'already-delivered':
        log.info(
          { outcome: 'already-delivered', webhookId: result.webhookId, event: result.eventType },
          'shop webhook',
        );
        return { outcome: result.kind };
      case 'delivered':
        deps.metrics.shopWebhooks.inc({ event: result.eventType, result: 'delivered' });
        deps.metrics.shopWebhookEndpointDisabled.set(0);
        log.info(
          {
            outcome: 'delivered',
            webhookId: result.webhookId,
            event: result.eventType,
            status: result.status,
          },
          'shop webhook',
        );
        return { outcome: result.kind, webhookId: result.webhookId };
      case 'endpoint-disabled':
        deps.metrics.shopWebhooks.inc({ event: result.eventType, result: 'endpoint-disabled' });
        deps.metrics.shopWebhookEndpointDisabled.set(1);
        log.warn({ outcome: 'endpoint-disabled', since: result.since.toISOString() }, 'shop webhook held');
        throw new UnrecoverableError('the shop webhook endpoint is disabled (it answered 410 Gone)');
      case 'gone':
        deps.metrics.shopWebhooks.inc({ event: result.eventType, result: 'gone' });
        deps.metrics.shopWebhookEndpointDisabled.set(1);
        log.error(
          { event: 'shop-webhook-endpoint-disabled', outcome: 'gone', webhookId: result.webhookId },
          'the shop answered 410 Gone: its webhook endpoint is disabled until `ops shop-webhooks enable`',
        );
        throw new UnrecoverableError('the shop answered 410 Gone; endpoint disabled');
      case 'gave-up':
        deps.metrics.shopWebhooks.inc({ event: result.eventType, result: 'gave-up' });
        log.error(
          {
            outcome: 'gave-up',
            webhookId: result.webhookId,
            event: result.eventType,
            reason: result.lastError,
          },
          'shop webhook given up after SHOP_WEBHOOK_RETRY_FOR',
        );
        throw new UnrecoverableError(
          `gave up after SHOP_WEBHOOK_RETRY_FOR: ${result.lastError ?? 'no answer'}`,
        );
      case 'retry':
        deps.metrics.shopWebhooks.inc({ event: result.eventType, result: 'retrying' });
        log.warn(
          {
            outcome: 'retrying',
            webhookId: result.webhookId,
            event: result.eventType,
            status: result.status,
          },
          'shop webhook not accepted; will retry',
        );
        throw new Error(`shop answered ${result.error}`);
    }
  };
}
