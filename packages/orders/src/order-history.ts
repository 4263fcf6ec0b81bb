import type { Database, Order, OrderHistoryRow } from '@fulfill/db';
import type { Kysely, Transaction } from 'kysely';
import { type OrderChange, shopEventsOf, webhookIdFor } from './shop-webhooks/shop-events.ts';
import { shopPayloadOf } from './shop-webhooks/shop-payload.ts';

/** The shop webhooks a change owes, by outbox row id: the caller enqueues one delivery job for each. */
export type PendingShopWebhooks = number[];

/**
 * Records one change of an order inside the transaction that makes it: a history row, and, when shop webhooks are
 * on, the outbox row of each shop event the change makes (`shopEventsOf`), so that a change is never committed
 * without its webhooks, nor a webhook written for a change that rolled back. A `webhook_id` written before
 * (the same event again) is left as it is. Returns the new outbox rows.
 */
export async function recordOrderChange(
  trx: Transaction<Database>,
  change: OrderChange,
  options: { shopWebhooks: boolean },
): Promise<PendingShopWebhooks> {
  const { order } = change;
  const history = await trx
    .insertInto('order_history')
    .values({
      order_id: order.id,
      from_status: change.from,
      to_status: order.status,
      amount_refunded: order.amount_refunded,
      stripe_event_id: change.eventId ?? null,
    })
    .returning(['id', 'changed_at'])
    .executeTakeFirstOrThrow();
  if (!options.shopWebhooks) return [];
  const events = shopEventsOf(change, history.id);
  if (events.length === 0) return [];
  const items = await trx
    .selectFrom('order_items')
    .select(['description', 'quantity', 'currency', 'unit_amount', 'amount_total', 'price_id', 'product_id'])
    .where('order_id', '=', order.id)
    .orderBy('position')
    .execute();
  const rows = await trx
    .insertInto('shop_webhook_outbox')
    .values(
      events.map((event) => ({
        order_id: order.id,
        event_type: event.type,
        webhook_id: webhookIdFor(order.order_identifier, event.type, event.subject),
        payload: JSON.stringify(
          shopPayloadOf(event.type, { order, items, previousStatus: change.from, at: history.changed_at }),
        ),
        last_status: null,
        last_error: null,
        delivered_at: null,
      })),
    )
    .onConflict((oc) => oc.column('webhook_id').doNothing())
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** An order's history as anyone holding its identifier may see it: statuses, amounts, times, event ids. */
export interface PublicHistoryEntry {
  /** ISO 8601. */
  at: string;
  from: Order['status'] | null;
  to: Order['status'];
  amount_refunded: number;
  stripe_event_id: string | null;
}

/** The order's history, oldest first. */
export async function orderHistory(db: Kysely<Database>, orderId: number): Promise<PublicHistoryEntry[]> {
  const rows: Array<
    Pick<OrderHistoryRow, 'changed_at' | 'from_status' | 'to_status' | 'amount_refunded' | 'stripe_event_id'>
  > = await db
    .selectFrom('order_history')
    .select(['changed_at', 'from_status', 'to_status', 'amount_refunded', 'stripe_event_id'])
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    at: row.changed_at.toISOString(),
    from: row.from_status,
    to: row.to_status,
    amount_refunded: Number(row.amount_refunded),
    stripe_event_id: row.stripe_event_id,
  }));
}
