import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/**
 * `authorized`: a manual capture, the card authorized and not yet captured; `trialing`: a subscription sign-up
 * whose first payment a trial defers. Neither has taken money.
 */
export type OrderStatus =
  | 'awaiting_payment'
  | 'authorized'
  | 'paid'
  | 'trialing'
  | 'payment_failed'
  | 'cancelled';
export type EmailKind = 'confirmation' | 'payment_failed' | 'trial_started';
/** The Checkout Session modes that make an order; a `setup` session saves a card and makes none. */
export type OrderMode = 'payment' | 'subscription';
/**
 * `pending`: owed, nobody sending; `sending`: claimed by a worker until `lease_expires_at`; `sent`: the mail
 * server accepted it; `failed`: the mail server rejected it for good (a 5xx for the recipient or message).
 */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed';

/** A postal address as Stripe returns it. */
export interface PostalAddress {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

export interface OrdersTable {
  id: Generated<number>;
  /** The payment intent id, or the Checkout Session id where the session has no payment intent. */
  fulfillment_key: string;
  order_identifier: string;
  status: OrderStatus;
  checkout_session_id: string;
  payment_intent_id: string | null;
  customer_email: string | null;
  customer_name: string | null;
  shipping_name: string | null;
  shipping_address: ColumnType<PostalAddress | null, string | null, string | null>;
  currency: string;
  amount_subtotal: number;
  amount_discount: number;
  amount_tax: number;
  amount_shipping: number;
  amount_total: number;
  cart_id: string | null;
  mode: ColumnType<OrderMode, OrderMode | undefined, OrderMode>;
  /** The connected account (`acct_…`) the session belongs to; null for the platform's own. */
  stripe_account: string | null;
  /** A sign-up's subscription and its first invoice. */
  subscription_id: string | null;
  invoice_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderItemsTable {
  id: Generated<number>;
  order_id: number;
  position: number;
  stripe_line_item_id: string;
  description: string;
  quantity: number;
  currency: string;
  unit_amount: number | null;
  amount_subtotal: number;
  amount_discount: number;
  amount_tax: number;
  amount_total: number;
  price_id: string | null;
  product_id: string | null;
}

export interface StripeEventsTable {
  event_id: string;
  type: string;
  checkout_session_id: string | null;
  received_at: Timestamp;
  processed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface EmailOutboxTable {
  id: Generated<number>;
  order_id: number;
  kind: EmailKind;
  state: Generated<OutboxState>;
  attempts: Generated<number>;
  last_error: string | null;
  message_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  sent_at: Date | null;
  /** The claim of the worker sending it; only that worker renews or releases the lease. */
  lease_token: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface CheckoutExpirationsTable {
  checkout_session_id: string;
  fulfillment_key: string;
  cart_id: string | null;
  recorded_at: Generated<Date>;
}

/** The Kysely database interface of Fulfill's Postgres schema. */
export interface Database {
  orders: OrdersTable;
  order_items: OrderItemsTable;
  stripe_events: StripeEventsTable;
  email_outbox: EmailOutboxTable;
  checkout_expirations: CheckoutExpirationsTable;
}

export type Order = Selectable<OrdersTable>;
export type NewOrder = Insertable<OrdersTable>;
export type OrderUpdate = Updateable<OrdersTable>;
export type OrderItem = Selectable<OrderItemsTable>;
export type NewOrderItem = Insertable<OrderItemsTable>;
export type OutboxRow = Selectable<EmailOutboxTable>;
