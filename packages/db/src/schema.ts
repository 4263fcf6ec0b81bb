import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/**
 * `authorized`: a manual capture, the card authorized and not yet captured; `trialing`: a subscription sign-up
 * whose first payment a trial defers. Neither has taken money. `partially_refunded`, `refunded`, `disputed` and
 * `dispute_lost` follow a payment, as Stripe's charge and dispute say.
 */
export type OrderStatus =
  | 'awaiting_payment'
  | 'authorized'
  | 'paid'
  | 'trialing'
  | 'payment_failed'
  | 'cancelled'
  | 'partially_refunded'
  | 'refunded'
  | 'disputed'
  | 'dispute_lost';
export type EmailKind = 'confirmation' | 'payment_failed' | 'trial_started' | 'refund';
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
  /** Minor units refunded so far, pending refunds included, as Stripe's charge counts them. */
  amount_refunded: Generated<number>;
  /** When the Stripe read that the order's refund and dispute state came from began; a later read wins. */
  payment_state_read_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
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
  /** The verified event as Stripe sent it, kept for STRIPE_EVENT_RETENTION. */
  payload: ColumnType<unknown, string | null | undefined, string | null>;
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
  /** The refund a `refund` notice is about; null for the other kinds. */
  refund_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The refunded amount a `refund` notice states, in minor units. */
  refund_amount: ColumnType<number | null, number | null | undefined, number | null>;
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

/** One change of an order: a status change, or a change of the refunded amount. */
export interface OrderHistoryTable {
  id: Generated<number>;
  order_id: number;
  /** Null for the order's creation. */
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  amount_refunded: Generated<number>;
  stripe_event_id: string | null;
  changed_at: Generated<Date>;
}

/** `pending`: owed to the shop; `delivered`: the shop answered 2xx; `failed`: given up on (retries ran out). */
export type ShopWebhookState = 'pending' | 'delivered' | 'failed';

export interface ShopWebhookOutboxTable {
  id: Generated<number>;
  order_id: number;
  event_type: string;
  /** Stable per (order, event): the shop dedupes on it. */
  webhook_id: string;
  /** The JSON body sent, fixed when the change was written. */
  payload: ColumnType<unknown, string, string>;
  state: Generated<ShopWebhookState>;
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  delivered_at: Date | null;
  /** Retries run for SHOP_WEBHOOK_RETRY_FOR from here: the change, or an operator's retry or replay. */
  retry_since: Generated<Date>;
}

export interface ShopWebhookEndpointsTable {
  url: string;
  /** Set when the shop answered 410 Gone: nothing is sent until an operator enables it again. */
  disabled_at: Date | null;
  disabled_reason: string | null;
  updated_at: Generated<Date>;
}

/** The Kysely database interface of Fulfill's Postgres schema. */
export interface Database {
  orders: OrdersTable;
  order_items: OrderItemsTable;
  stripe_events: StripeEventsTable;
  email_outbox: EmailOutboxTable;
  checkout_expirations: CheckoutExpirationsTable;
  order_history: OrderHistoryTable;
  shop_webhook_outbox: ShopWebhookOutboxTable;
  shop_webhook_endpoints: ShopWebhookEndpointsTable;
  reconcile_checkpoints: ReconcileCheckpointsTable;
}

/** How far the reconciler has checked one Stripe account, and who runs it now (0005). */
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
export type OrderHistoryRow = Selectable<OrderHistoryTable>;
export type ShopWebhookRow = Selectable<ShopWebhookOutboxTable>;
