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

/** A Checkout Session as stored and as returned without expansion. */
export interface CheckoutSession {
  id: string;
  object: 'checkout.session';
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  collected_information: {
    business_name: string | null;
    individual_name: string | null;
    shipping_details: ShippingDetails | null;
  };
  created: number;
  currency: string;
  customer: string | null;
  customer_details: CustomerDetails | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  metadata: Record<string, string>;
  mode: 'payment';
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
  total_details: { amount_discount: number; amount_shipping: number; amount_tax: number };
  url: string | null;
}

/** A Checkout Session as the API returns it when `expand` asks for `line_items` or `payment_intent`. */
export type ExpandedCheckoutSession = Omit<CheckoutSession, 'payment_intent'> & {
  payment_intent: string | PaymentIntent | null;
  line_items?: ListObject<LineItem>;
};

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
  recurring: null;
  tax_behavior: 'unspecified';
  tiers_mode: null;
  transform_quantity: null;
  type: 'one_time';
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

export type PaymentIntentStatus = 'processing' | 'requires_payment_method' | 'succeeded';

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  created: number;
  currency: string;
  livemode: false;
  metadata: Record<string, string>;
  status: PaymentIntentStatus;
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

/** An event; `T` narrows what it is about (a session event's object is a `CheckoutSession`). */
export interface StripeEvent<T = CheckoutSession | Charge | Refund | Dispute> {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: T };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: CheckoutEventType | PaymentEventType;
}

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

/** One POST of an event to a webhook URL; `status` is 0 when no HTTP response arrived. */
export interface DeliveryResult {
  url: string;
  status: number;
  body: string;
}
