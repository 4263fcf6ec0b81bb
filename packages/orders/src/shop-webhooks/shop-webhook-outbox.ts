import type { Database, ShopWebhookState } from '@fulfill/db';
import type { Kysely } from 'kysely';

/** An outbox row as the ops commands list it: no payload (it holds personal data). */
export interface ShopWebhookSummary {
  id: number;
  orderIdentifier: string;
  eventType: string;
  webhookId: string;
  state: ShopWebhookState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
}

/** Rows of one order, or in the given states, oldest first. */
export async function listShopWebhooks(
  db: Kysely<Database>,
  filter: { orderIdentifier?: string; states?: ShopWebhookState[]; olderThan?: Date; limit?: number },
): Promise<ShopWebhookSummary[]> {
  let query = db
    .selectFrom('shop_webhook_outbox')
    .innerJoin('orders', 'orders.id', 'shop_webhook_outbox.order_id')
    .select([
      'shop_webhook_outbox.id',
      'orders.order_identifier',
      'shop_webhook_outbox.event_type',
      'shop_webhook_outbox.webhook_id',
      'shop_webhook_outbox.state',
      'shop_webhook_outbox.attempts',
      'shop_webhook_outbox.last_status',
      'shop_webhook_outbox.last_error',
      'shop_webhook_outbox.created_at',
    ]);
  if (filter.orderIdentifier) query = query.where('orders.order_identifier', '=', filter.orderIdentifier);
  if (filter.states) query = query.where('shop_webhook_outbox.state', 'in', filter.states);
  if (filter.olderThan) query = query.where('shop_webhook_outbox.created_at', '<', filter.olderThan);
  const rows = await query
    .orderBy('shop_webhook_outbox.id')
    .limit(filter.limit ?? 1000)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    orderIdentifier: r.order_identifier,
    eventType: r.event_type,
    webhookId: r.webhook_id,
    state: r.state,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at,
  }));
}

/**
 * Makes rows deliverable again, with a fresh retry window: a `failed` row to retry it, a `delivered` one to
 * replay it. The body and `webhook-id` stay as they were, so the shop can tell a replay from a new event.
 */
export async function resetShopWebhooks(db: Kysely<Database>, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('shop_webhook_outbox')
    .set({ state: 'pending', retry_since: new Date(), updated_at: new Date() })
    .where('id', 'in', ids)
    .execute();
}
