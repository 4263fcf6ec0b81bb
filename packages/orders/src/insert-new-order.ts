import type { Database, EmailKind, Order, OrderStatus } from '@fulfill/db';
import { type Kysely, sql } from 'kysely';
import { orderItemsOf, type SessionOrderFields } from './checkout-order.ts';
import { emailForStatus } from './order-status.ts';
import { shopEventsOfCreation, webhookIdFor } from './shop-webhooks/shop-events.ts';
import { shopPayloadOf } from './shop-webhooks/shop-payload.ts';
import type { CheckoutLineItem } from './stripe-api.ts';

export interface NewOrderInput {
  /** The order's columns from its session (`orderFieldsOf`). */
  fields: SessionOrderFields;
  items: CheckoutLineItem[];
  fulfillmentKey: string;
  orderIdentifier: string;
  status: OrderStatus;
  /** The Stripe event being handled, recorded beside the order. */
  event?: { id: string; type: string } | undefined;
  receivedAt?: Date | undefined;
  /** The verified event as Stripe sent it, kept with the event's row. */
  payload?: unknown;
  /** Whether the creation writes its shop webhooks to their outbox (SHOP_WEBHOOK_URL is set). */
  shopWebhooks: boolean;
}

export interface NewOrder {
  order: Order;
  pendingEmails: EmailKind[];
  /** The outbox rows of the shop webhooks the creation owes. */
  shopWebhooks: number[];
}

/**
 * Writes a new order, its items, its Stripe event, its first history row, the outbox row its status owes and,
 * when shop webhooks are on, their outbox rows, as one statement: one round trip, atomic as any single statement
 * is, so no transaction is held open between statements. Undefined when an order under the fulfillment key exists
 * already: then nothing at all was written (every other part of the statement reads the order's own insert), and
 * the caller takes the path for an existing order.
 */
export async function insertNewOrder(
  db: Kysely<Database>,
  input: NewOrderInput,
): Promise<NewOrder | undefined> {
  const f = input.fields;
  // The items go as one jsonb parameter, whatever their number; their order_id comes from the new order.
  const itemRows = orderItemsOf(0, input.items).map(({ order_id: _, ...item }) => item);
  const owed = emailForStatus(input.status);
  const event = input.event;
  const payload =
    input.payload === undefined || input.payload === null ? null : JSON.stringify(input.payload);
  // The creation's time, given rather than defaulted, so that its webhooks carry the time the row holds.
  const now = new Date();
  const webhooks = input.shopWebhooks
    ? shopEventsOfCreation(input.status).map(({ type, subject }) => ({
        event_type: type,
        webhook_id: webhookIdFor(input.orderIdentifier, type, subject),
        payload: shopPayloadOf(type, {
          order: {
            ...f,
            order_identifier: input.orderIdentifier,
            status: input.status,
            amount_refunded: 0,
            created_at: now,
          },
          items: itemRows.map((item) => ({
            description: item.description,
            quantity: item.quantity,
            currency: item.currency,
            unit_amount: item.unit_amount ?? null,
            amount_total: item.amount_total,
            price_id: item.price_id ?? null,
            product_id: item.product_id ?? null,
          })),
          previousStatus: null,
          at: now,
        }),
      }))
    : [];
  const result = await sql<Order & { shop_webhook_ids: number[] | null }>`
    with inserted as (
      insert into orders (
        fulfillment_key, order_identifier, status, checkout_session_id, payment_intent_id, customer_email,
        customer_name, shipping_name, shipping_address, currency, amount_subtotal, amount_discount, amount_tax,
        amount_shipping, amount_total, cart_id, mode, stripe_account, subscription_id, invoice_id, created_at,
        updated_at
      ) values (
        ${input.fulfillmentKey}, ${input.orderIdentifier}, ${input.status}, ${f.checkout_session_id},
        ${f.payment_intent_id}, ${f.customer_email}, ${f.customer_name}, ${f.shipping_name},
        ${f.shipping_address ? JSON.stringify(f.shipping_address) : null}::jsonb, ${f.currency},
        ${f.amount_subtotal}, ${f.amount_discount}, ${f.amount_tax}, ${f.amount_shipping}, ${f.amount_total},
        ${f.cart_id}, ${f.mode}, ${f.stripe_account}, ${f.subscription_id}, ${f.invoice_id},
        ${now}::timestamptz, ${now}::timestamptz
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
      from inserted cross join jsonb_to_recordset(${JSON.stringify(itemRows)}::jsonb) as i(
        position integer, stripe_line_item_id text, description text, quantity integer, currency text,
        unit_amount bigint, amount_subtotal bigint, amount_discount bigint, amount_tax bigint, amount_total bigint,
        price_id text, product_id text
      )
    ), new_event as (
      insert into stripe_events (event_id, type, checkout_session_id, received_at, processed_at, payload)
      select ${event?.id ?? null}, ${event?.type ?? null}, inserted.checkout_session_id,
             coalesce(${input.receivedAt ?? null}::timestamptz, now()), ${now}::timestamptz, ${payload}::jsonb
      from inserted where ${event !== undefined}
      on conflict (event_id) do update
        set processed_at = excluded.processed_at, payload = coalesce(excluded.payload, stripe_events.payload)
    ), new_history as (
      insert into order_history (order_id, from_status, to_status, amount_refunded, stripe_event_id, changed_at)
      select inserted.id, null, inserted.status, 0, ${event?.id ?? null}, ${now}::timestamptz from inserted
    ), new_outbox as (
      insert into email_outbox (order_id, kind)
      select inserted.id, ${owed ?? null} from inserted where ${owed !== null}
    ), new_shop_webhooks as (
      insert into shop_webhook_outbox (order_id, event_type, webhook_id, payload)
      select inserted.id, w.event_type, w.webhook_id, w.payload
      from inserted cross join jsonb_to_recordset(${JSON.stringify(webhooks)}::jsonb)
        as w(event_type text, webhook_id text, payload jsonb)
      on conflict (webhook_id) do nothing
      returning id
    )
    select inserted.*, (select array_agg(id order by id) from new_shop_webhooks) as shop_webhook_ids
    from inserted`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const { shop_webhook_ids, ...order } = row;
  return {
    order,
    pendingEmails: owed ? [owed] : [],
    shopWebhooks: (shop_webhook_ids ?? []).map(Number),
  };
}
