import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type OrderStatus = 'awaiting_payment' | 'paid' | 'payment_failed' | 'cancelled';
export type EmailKind = 'confirmation' | 'payment_failed';
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
  reconcile_checkpoints: ReconcileCheckpointsTable;
}

/** How far the reconciler has checked one Stripe account, and who runs it now (0006). */
export interface ReconcileCheckpointsTable {
  account: string;
  /** Unix seconds: the `created` of the newest Checkout Session a finished run checked. */
  sessions_checked_through: number | null;
  /** Unix seconds: the `created` of the newest event a finished run checked. */
  events_checked_through: number | null;
  full_sweep_at: Date | null;
  lease_token: string | null;
  lease_expires_at: Date | null;
  updated_at: Generated<Date>;
}

export type Order = Selectable<OrdersTable>;
export type NewOrder = Insertable<OrdersTable>;
export type OrderUpdate = Updateable<OrdersTable>;
export type OrderItem = Selectable<OrderItemsTable>;
export type NewOrderItem = Insertable<OrderItemsTable>;
export type OutboxRow = Selectable<EmailOutboxTable>;
