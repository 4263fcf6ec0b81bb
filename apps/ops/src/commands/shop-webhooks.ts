import { enableShopEndpoint, listShopWebhooks, resetShopWebhooks, shopEndpointState } from '@fulfill/orders';
import { enqueueShopWebhook } from '@fulfill/queue';
import type { OpsDeps } from '../deps.ts';

export type ShopWebhooksAction = 'failed' | 'retry' | 'replay' | 'enable';

function describeRow(row: Awaited<ReturnType<typeof listShopWebhooks>>[number]): string {
  const last = row.lastStatus !== null ? ` last_status=${row.lastStatus}` : '';
  const error = row.lastError ? ` last_error=${JSON.stringify(row.lastError)}` : '';
  return (
    `${row.id} order=${row.orderIdentifier} event=${row.eventType} webhook_id=${row.webhookId} ` +
    `state=${row.state} attempts=${row.attempts}${last}${error} created=${row.createdAt.toISOString()}`
  );
}

async function requeue(deps: OpsDeps, ids: number[]): Promise<void> {
  await resetShopWebhooks(deps.db, ids);
  for (const id of ids) await enqueueShopWebhook(deps.queues.shopWebhook, id);
}

/**
 * `shop-webhooks failed|retry|replay|enable [--order ID]`:
 * - `failed` lists the deliveries not made: given up (`failed`), or pending after a failed attempt;
 * - `retry` makes those deliverable again (of one order, or all) with a fresh retry window, and enqueues them;
 * - `replay --order ID` sends every event of the order again, delivered ones too, with the same `webhook-id`;
 * - `enable` re-enables an endpoint disabled by a 410, and enqueues every pending delivery.
 * The payloads (customer email and address) are never printed.
 */
export async function shopWebhooks(
  deps: OpsDeps,
  command: { action: ShopWebhooksAction; orderIdentifier: string | null },
): Promise<number> {
  const url = deps.shopWebhookUrl;
  if (!url) {
    deps.out.error('shop webhooks are off: SHOP_WEBHOOK_URL is not set');
    return 1;
  }
  const order = command.orderIdentifier ? { orderIdentifier: command.orderIdentifier } : {};
  const endpoint = await shopEndpointState(deps.db, url);
  const endpointLine = endpoint.disabledAt
    ? `endpoint disabled since ${endpoint.disabledAt.toISOString()} (${endpoint.reason ?? 'no reason'}); run \`ops shop-webhooks enable\``
    : 'endpoint enabled';
  switch (command.action) {
    case 'failed': {
      const rows = (await listShopWebhooks(deps.db, { ...order, states: ['failed', 'pending'] })).filter(
        (row) => row.state === 'failed' || row.attempts > 0,
      );
      for (const row of rows) deps.out.info(describeRow(row));
      deps.out.info(
        `${rows.length} undelivered shop webhook${rows.length === 1 ? '' : 's'}; ${endpointLine}`,
      );
      return 0;
    }
    case 'retry': {
      const rows = await listShopWebhooks(deps.db, { ...order, states: ['failed', 'pending'] });
      await requeue(
        deps,
        rows.map((r) => r.id),
      );
      for (const row of rows) deps.out.info(`retried ${describeRow(row)}`);
      deps.out.info(`${rows.length} shop webhook${rows.length === 1 ? '' : 's'} enqueued; ${endpointLine}`);
      return 0;
    }
    case 'replay': {
      if (!command.orderIdentifier) {
        deps.out.error('replay needs --order ID');
        return 1;
      }
      const rows = await listShopWebhooks(deps.db, order);
      if (rows.length === 0) {
        deps.out.error(`no shop webhooks for order ${command.orderIdentifier}`);
        return 1;
      }
      await requeue(
        deps,
        rows.map((r) => r.id),
      );
      for (const row of rows) deps.out.info(`replayed ${describeRow(row)}`);
      deps.out.info(`${rows.length} shop webhook${rows.length === 1 ? '' : 's'} enqueued; ${endpointLine}`);
      return 0;
    }
    case 'enable': {
      const enabled = await enableShopEndpoint(deps.db, url);
      const rows = await listShopWebhooks(deps.db, { ...order, states: ['pending'] });
      await requeue(
        deps,
        rows.map((r) => r.id),
      );
      deps.out.info(
        `${enabled ? 'endpoint enabled again' : 'endpoint was not disabled'}; ${rows.length} pending shop webhook${rows.length === 1 ? '' : 's'} enqueued`,
      );
      return 0;
    }
  }
}
