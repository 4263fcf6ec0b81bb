import type { Database, Order, OrderItem, OrderStatus } from '@fulfill/db';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { EmailOrder } from './emails/index.ts';
import { orderHistory, type PublicHistoryEntry } from './order-history.ts';

/** One line of an order as the public view and the emails show it. */
export type OrderItemView = Pick<OrderItem, 'description' | 'quantity' | 'amount_total'>;

/** An order as anyone holding its identifier may see it: no email address, no postal address. */
export interface PublicOrderView {
  order_identifier: string;
  status: OrderStatus;
  currency: string;
  amount_total: number;
  /** Minor units refunded so far. */
  amount_refunded: number;
  items: OrderItemView[];
  /** ISO 8601. */
  created_at: string;
  /** Every change of the order, oldest first: statuses, amounts, times and Stripe event ids, nothing personal. */
  history: PublicHistoryEntry[];
}

/** The order's line items, in the order the checkout listed them. */
export async function orderItems(db: Kysely<Database>, orderId: number): Promise<OrderItemView[]> {
  return db
    .selectFrom('order_items')
    .select(['description', 'quantity', 'amount_total'])
    .where('order_id', '=', orderId)
    .orderBy('position')
    .execute();
}

/** The order a checkout became, found by its fulfillment key, if it exists yet. */
export async function orderByFulfillmentKey(
  db: Kysely<Database>,
  fulfillmentKey: string,
): Promise<{ order_identifier: string; status: OrderStatus } | undefined> {
  return db
    .selectFrom('orders')
    .select(['order_identifier', 'status'])
    .where('fulfillment_key', '=', fulfillmentKey)
    .executeTakeFirst();
}

/** The public view of the order with this identifier, if there is one. */
export async function publicOrderView(
  db: Kysely<Database>,
  orderIdentifier: string,
): Promise<PublicOrderView | undefined> {
  const order = await db
    .selectFrom('orders')
    .select(['id', 'order_identifier', 'status', 'currency', 'amount_total', 'amount_refunded', 'created_at'])
    .where('order_identifier', '=', orderIdentifier)
    .executeTakeFirst();
  if (!order) return undefined;
  return {
    order_identifier: order.order_identifier,
    status: order.status,
    currency: order.currency,
    amount_total: order.amount_total,
    amount_refunded: order.amount_refunded,
    items: await orderItems(db, order.id),
    created_at: order.created_at.toISOString(),
    history: await orderHistory(db, order.id),
  };
}

/** The `orders` columns an email about the order shows, and its address. */
export const EMAIL_ORDER_COLUMNS = [
  'order_identifier',
  'customer_email',
  'customer_name',
  'currency',
  'amount_subtotal',
  'amount_discount',
  'amount_tax',
  'amount_shipping',
  'amount_total',
  'shipping_name',
  'shipping_address',
] as const;

/** A row of `EMAIL_ORDER_COLUMNS` with the order's items, as `emailItemsOf` selects them. */
export type EmailOrderRow = Pick<Order, (typeof EMAIL_ORDER_COLUMNS)[number]> & {
  items: OrderItemView[];
};

/** The order's items as a JSON array in the checkout's order, selected in the same round trip as the order. */
export function emailItemsOf(eb: ExpressionBuilder<Database, 'orders'>) {
  return jsonArrayFrom(
    eb
      .selectFrom('order_items')
      .select(['description', 'quantity', 'amount_total'])
      .whereRef('order_items.order_id', '=', 'orders.id')
      .orderBy('position'),
  ).as('items');
}

/** What an email about the order shows, and whom it goes to (null when the checkout gave no address). */
export function emailOrderOf(row: EmailOrderRow): { order: EmailOrder; to: string | null } {
  const order: EmailOrder = {
    orderIdentifier: row.order_identifier,
    customerName: row.customer_name,
    currency: row.currency,
    amounts: {
      subtotal: row.amount_subtotal,
      discount: row.amount_discount,
      tax: row.amount_tax,
      shipping: row.amount_shipping,
      total: row.amount_total,
    },
    items: row.items.map((i) => ({
      description: i.description,
      quantity: i.quantity,
      amountTotal: i.amount_total,
    })),
    shipping: row.shipping_address ? { name: row.shipping_name, address: row.shipping_address } : null,
  };
  return { order, to: row.customer_email };
}
