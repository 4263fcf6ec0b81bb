import type { Database, EmailKind, Order, OrderStatus } from '@fulfill/db';
import { type Kysely, sql } from 'kysely';
import { orderFieldsOf, orderItemsOf } from './checkout-order.ts';
import { emailForStatus } from './order-status.ts';
import type { CheckoutLineItem, CheckoutSession } from './stripe-api.ts';

export interface NewOrderInput {
  session: CheckoutSession;
  items: CheckoutLineItem[];
  fulfillmentKey: string;
  orderIdentifier: string;
  status: OrderStatus;
  /** The Stripe event being handled, recorded beside the order. */
  event?: { id: string; type: string } | undefined;
  receivedAt?: Date | undefined;
}

/**
 * Writes a new order, its items, its Stripe event and the outbox row its status owes as one statement: one round
 * trip, atomic as any single statement is, so no transaction is held open between statements. Undefined when an
 * order under the fulfillment key exists already: then nothing at all was written (every other part of the
 * statement reads the order's own insert), and the caller takes the path for an existing order.
 */
export async function insertNewOrder(
  db: Kysely<Database>,
  input: NewOrderInput,
): Promise<{ order: Order; pendingEmails: EmailKind[] } | undefined> {
  const f = orderFieldsOf(input.session);
  // The items go as one jsonb parameter, whatever their number; their order_id comes from the new order.
  const items = JSON.stringify(orderItemsOf(0, input.items).map(({ order_id: _, ...item }) => item));
  const owed = emailForStatus(input.status);
  const event = input.event;
  const result = await sql<Order>`
    with inserted as (
      insert into orders (
        fulfillment_key, order_identifier, status, checkout_session_id, payment_intent_id, customer_email,
        customer_name, shipping_name, shipping_address, currency, amount_subtotal, amount_discount, amount_tax,
        amount_shipping, amount_total, cart_id
      ) values (
        ${input.fulfillmentKey}, ${input.orderIdentifier}, ${input.status}, ${f.checkout_session_id},
        ${f.payment_intent_id}, ${f.customer_email}, ${f.customer_name}, ${f.shipping_name},
        ${f.shipping_address ? JSON.stringify(f.shipping_address) : null}::jsonb, ${f.currency},
        ${f.amount_subtotal}, ${f.amount_discount}, ${f.amount_tax}, ${f.amount_shipping}, ${f.amount_total},
        ${f.cart_id}
      )
      on conflict (fulfillment_key) do nothing
      returning *
    ), new_items as (
      insert into order_items (
        order_id, position, stripe_line_item_id, description, quantity, currency, unit_amount, amount_subtotal,
        amount_discount, amount_tax, amount_total, price_id, product_id
      )
      select inserted.id, i.position, i.stripe_line_item_id, i.description, i.quantity, i.currency, i.unit_amount,
             i.amount_subtotal, i.amount_discount, i.amount_tax, i.amount_total, i.price_id, i.product_id
      from inserted cross join jsonb_to_recordset(${items}::jsonb) as i(
        position integer, stripe_line_item_id text, description text, quantity integer, currency text,
        unit_amount bigint, amount_subtotal bigint, amount_discount bigint, amount_tax bigint, amount_total bigint,
        price_id text, product_id text
      )
    ), new_event as (
      insert into stripe_events (event_id, type, checkout_session_id, received_at, processed_at)
      select ${event?.id ?? null}, ${event?.type ?? null}, inserted.checkout_session_id,
             coalesce(${input.receivedAt ?? null}::timestamptz, now()), ${new Date()}::timestamptz
      from inserted where ${event !== undefined}
      on conflict (event_id) do update set processed_at = excluded.processed_at
    ), new_outbox as (
      insert into email_outbox (order_id, kind)
      select inserted.id, ${owed ?? null} from inserted where ${owed !== null}
    )
    select * from inserted`.execute(db);
  const order = result.rows[0];
  if (!order) return undefined;
  return { order, pendingEmails: owed ? [owed] : [] };
}
