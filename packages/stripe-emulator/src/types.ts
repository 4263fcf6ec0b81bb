export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface CustomerDetails {
  address: Address | null;
  business_name: string | null;
  email: string | null;
  individual_name: string | null;
  name: string | null;
  phone: string | null;
  tax_exempt: 'none' | 'exempt' | 'reverse';
  tax_ids: Array<{ type: string; value: string | null }>;
}

export interface ShippingDetails {
  name: string;
  address: Address;
}

export type CheckoutSessionStatus = 'open' | 'complete' | 'expired';
export type CheckoutPaymentStatus = 'paid' | 'unpaid' | 'no_payment_required';

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export type CheckoutMode = 'payment' | 'setup' | 'subscription';

/**
 * The Checkout Session fields the emulator always sends with Stripe's values for a hosted session that uses
 * none of those features (`session-defaults.ts`); typed loosely, as Fulfill never reads them.
 */
export interface UnusedSessionFields {
  adaptive_pricing: { enabled: boolean } | null;
  after_expiration: null;
  allow_promotion_codes: boolean | null;
  allowed_payment_method_types: string[] | null;
  automatic_tax: { enabled: boolean; liability: null; provider: string | null; status: null };
  billing_address_collection: 'auto' | 'required' | null;
  client_secret: string | null;
  consent: null;
  consent_collection: null;
  currency_conversion: null;
  custom_fields: never[];
  custom_text: {
    after_submit: null;
    shipping_address: null;
    submit: null;
    terms_of_service_acceptance: null;
  };
  customer_account: string | null;
  customer_creation: 'always' | 'if_required' | null;
  discounts: never[] | null;
  integration_identifier: string | null;
  invoice_creation: null;
  locale: string | null;
  managed_payments: null;
  origin_context: null;
  payment_link: string | null;
  payment_method_collection: 'always' | 'if_required' | null;
  payment_method_configuration_details: null;
  payment_method_options: Record<string, never> | null;
  permissions: null;
  recovered_from: string | null;
  saved_payment_method_options: null;
  submit_type: null;
  ui_mode: 'hosted_page';
  wallet_options: null;
}

/** A Checkout Session as stored and as returned without expansion. */
export interface CheckoutSession extends UnusedSessionFields {
  id: string;
  object: 'checkout.session';
  /** Null in setup mode, which charges nothing. */
  amount_subtotal: number | null;
  amount_total: number | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  collected_information: {
    business_name: string | null;
    individual_name: string | null;
    shipping_details: ShippingDetails | null;
  };
  created: number;
  currency: string | null;
  customer: string | null;
  customer_details: CustomerDetails | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  metadata: Record<string, string>;
  mode: CheckoutMode;
  /** A subscription sign-up's first invoice; null otherwise. */
  invoice: string | null;
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: CheckoutPaymentStatus;
  shipping_address_collection: { allowed_countries: string[] } | null;
  shipping_cost: {
    amount_subtotal: number;
    amount_tax: number;
    amount_total: number;
    shipping_rate: string;
  } | null;
  shipping_options: Array<{ shipping_amount: number; shipping_rate: string }>;
  status: CheckoutSessionStatus;
  success_url: string | null;
  setup_intent: string | null;
  subscription: string | null;
  total_details: { amount_discount: number; amount_shipping: number; amount_tax: number } | null;
  url: string | null;
}

/** A Checkout Session as the API returns it when `expand` asks for `line_items` or `payment_intent`. */
export type ExpandedCheckoutSession = Omit<CheckoutSession, 'payment_intent' | 'subscription'> & {
  payment_intent: string | PaymentIntent | null;
  subscription: string | Subscription | null;
  line_items?: ListObject<LineItem>;
};

/**
 * A subscription as far as a sign-up shows it: its status (`trialing` during a trial), its first invoice and
 * the trial's end. Only returned expanded inside a session; Fulfill reads `status` and `latest_invoice`.
 */
export interface Subscription {
  id: string;
  object: 'subscription';
  created: number;
  currency: string;
  customer: string;
  latest_invoice: string;
  livemode: false;
  metadata: Record<string, string>;
  status: 'active' | 'incomplete' | 'trialing';
  trial_end: number | null;
  trial_start: number | null;
}

export interface Price {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  custom_unit_amount: null;
  livemode: false;
  lookup_key: string | null;
  metadata: Record<string, string>;
  nickname: string | null;
  product: string;
  recurring: { interval: 'day' | 'week' | 'month' | 'year'; interval_count: number } | null;
  tax_behavior: 'unspecified';
  tiers_mode: null;
  transform_quantity: null;
  type: 'one_time' | 'recurring';
  unit_amount: number;
  unit_amount_decimal: string;
}

export interface LineItem {
  id: string;
  object: 'item';
  adjustable_quantity: null;
  amount_discount: number;
  amount_subtotal: number;
  amount_tax: number;
  amount_total: number;
  currency: string;
  description: string;
  metadata: Record<string, string>;
  price: Price;
  quantity: number;
}

export type PaymentIntentStatus =
  | 'processing'
  | 'requires_payment_method'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

/** A PaymentIntent with every field Stripe always sends; those Fulfill does not use keep Stripe's empty values. */
export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  allowed_payment_method_types: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  application: null;
  application_fee_amount: number | null;
  automatic_payment_methods: null;
  canceled_at: number | null;
  cancellation_reason: 'abandoned' | 'automatic' | 'duplicate' | 'requested_by_customer' | null;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  client_secret: string | null;
  confirmation_method: 'automatic' | 'manual';
  created: number;
  currency: string;
  customer: string | null;
  customer_account: null;
  description: string | null;
  excluded_payment_method_types: null;
  last_payment_error: null;
  latest_charge: string | null;
  livemode: false;
  managed_payments: null;
  metadata: Record<string, string>;
  next_action: null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_configuration_details: null;
  payment_method_options: Record<string, never>;
  payment_method_types: string[];
  payment_record: null;
  processing: null;
  receipt_email: string | null;
  review: null;
  setup_future_usage: null;
  shipping: null;
  source: null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: PaymentIntentStatus;
  transfer_group: string | null;
}

/** A connected account, as much as listing and scoping need. */
export interface ConnectedAccount {
  id: string;
  object: 'account';
  business_type: null;
  charges_enabled: boolean;
  country: string;
  created: number;
  default_currency: string;
  details_submitted: boolean;
  email: string | null;
  metadata: Record<string, string>;
  payouts_enabled: boolean;
  type: 'standard' | 'express' | 'custom';
}

export type CheckoutEventType =
  | 'checkout.session.completed'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed'
  | 'checkout.session.expired';

export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

/** A refund as the API returns it (the fields Fulfill and stripe-node's `Stripe.Refund` share). */
export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: null;
  charge: string;
  created: number;
  currency: string;
  failure_reason?: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  receipt_number: null;
  status: RefundStatus;
}

/** A charge as the API returns it; `refunds` is listed inline, as with `expand[]=refunds`. */
export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  disputed: boolean;
  livemode: false;
  metadata: Record<string, string>;
  paid: boolean;
  payment_intent: string;
  refunded: boolean;
  refunds: ListObject<Refund>;
  status: 'succeeded';
}

export type DisputeStatus = 'needs_response' | 'under_review' | 'won' | 'lost';

export interface Dispute {
  id: string;
  object: 'dispute';
  amount: number;
  charge: string;
  created: number;
  currency: string;
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string;
  status: DisputeStatus;
}

export type PaymentEventType =
  | 'charge.refunded'
  | 'refund.updated'
  | 'charge.dispute.created'
  | 'charge.dispute.closed';

export type PaymentIntentEventType = 'payment_intent.succeeded' | 'payment_intent.canceled';

export type EmulatorEventType = CheckoutEventType | PaymentIntentEventType | PaymentEventType;

/** Any event the emulator records. */
export type AnyStripeEvent = StripeEvent<CheckoutSession | PaymentIntent | Charge | Refund | Dispute>;

/** An event; `O` is its object's type (a Checkout Session's unless said otherwise). */
export interface StripeEvent<
  O extends CheckoutSession | PaymentIntent | Charge | Refund | Dispute = CheckoutSession,
> {
  id: string;
  object: 'event';
  /** The connected account the event happened on; absent for the platform's own. */
  account?: string;
  api_version: string;
  created: number;
  data: { object: O };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: EmulatorEventType;
}

/**
 * An event destination. `connect`: it receives the events of connected accounts (a Connect endpoint) instead of
 * the platform's own; `payload: 'thin'`: it receives event notifications (thin events) instead of snapshots.
 */
export interface WebhookEndpoint {
  url: string;
  secret: string;
  connect?: boolean;
  payload?: 'snapshot' | 'thin';
}

/** An event notification's event (`/v2/core/events/:id`): no object, a reference to it. */
export interface ThinEvent {
  id: string;
  object: 'v2.core.event';
  /** The connected account, where the event happened on one. */
  context?: string;
  /** ISO 8601. */
  created: string;
  livemode: false;
  related_object: { id: string; type: string; url: string };
  type: string;
}

/** One POST of an event to a webhook URL; `status` is 0 when no HTTP response arrived. */
export interface DeliveryResult {
  url: string;
  status: number;
  body: string;
}
