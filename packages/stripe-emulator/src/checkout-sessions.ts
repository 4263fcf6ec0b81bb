import type { SessionInput } from './checkout-session-params.ts';
import { invalidRequest } from './errors.ts';
import { type EventRequestInfo, recordEvent } from './events.ts';
import { newId, newSessionId } from './ids.ts';
import { createPaymentIntent } from './payment-intents.ts';
import { unusedSessionFields } from './session-defaults.ts';
import { type EmulatorState, type EventRecord, requireSession, type SessionRecord } from './store.ts';
import { startSubscription } from './subscriptions.ts';
import type { Address, CheckoutSession, CustomerDetails, LineItem, ShippingDetails } from './types.ts';

const SESSION_LIFETIME_SECONDS = 24 * 60 * 60;

export const DEFAULT_ADDRESS: Address = {
  city: 'South San Francisco',
  country: 'US',
  line1: '354 Oyster Point Blvd',
  line2: null,
  postal_code: '94080',
  state: 'CA',
};

export interface CompleteOptions {
  paymentStatus?: 'paid' | 'unpaid';
  /**
   * Not something Stripe does: completes the session with these fields null, to test how a consumer copes
   * with a session missing what it must state.
   */
  nullFields?: Array<'currency' | 'amount_total'>;
  customerDetails?: Partial<{ name: string; email: string; address: Partial<Address> }>;
  shippingDetails?: { name: string; address: Partial<Address> } | null;
}

export interface SessionTransition {
  record: SessionRecord;
  event: EventRecord;
}

function buildLineItem(
  state: EmulatorState,
  item: SessionInput['lineItems'][number],
  discountPercent: number,
) {
  const subtotal = item.unitAmount * item.quantity;
  const discount = Math.round((subtotal * discountPercent) / 100);
  const lineItem: LineItem = {
    id: newId('li'),
    object: 'item',
    adjustable_quantity: null,
    amount_discount: discount,
    amount_subtotal: subtotal,
    amount_tax: 0,
    amount_total: subtotal - discount,
    currency: item.currency,
    description: item.productName,
    metadata: {},
    price: {
      id: newId('price'),
      object: 'price',
      active: false,
      billing_scheme: 'per_unit',
      created: state.now(),
      currency: item.currency,
      custom_unit_amount: null,
      livemode: false,
      lookup_key: null,
      metadata: {},
      nickname: null,
      product: newId('prod', 14),
      recurring: item.recurring,
      tax_behavior: 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: item.recurring === null ? 'one_time' : 'recurring',
      unit_amount: item.unitAmount,
      unit_amount_decimal: String(item.unitAmount),
    },
    quantity: item.quantity,
  };
  return lineItem;
}

export function createSession(
  state: EmulatorState,
  input: SessionInput,
  account: string | null = null,
): SessionRecord {
  const id = newSessionId();
  const created = state.now();
  const lineItems = input.lineItems.map((item) => buildLineItem(state, item, input.discountPercent));
  // A trial defers the first payment: the session charges nothing now.
  const trial = input.mode === 'subscription' && input.trialDays !== null;
  const subtotal = trial ? 0 : lineItems.reduce((sum, item) => sum + item.amount_subtotal, 0);
  const discount = trial ? 0 : lineItems.reduce((sum, item) => sum + item.amount_discount, 0);
  const shipping = input.shippingAmount ?? 0;
  const shippingRate = input.shippingAmount === null ? null : newId('shr');
  const setup = input.mode === 'setup';
  const session: CheckoutSession = {
    ...unusedSessionFields(input.mode),
    id,
    object: 'checkout.session',
    amount_subtotal: setup ? null : subtotal,
    amount_total: setup ? null : subtotal - discount + shipping,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    collected_information: { business_name: null, individual_name: null, shipping_details: null },
    created,
    currency: input.currency,
    customer: null,
    customer_details: null,
    customer_email: input.customerEmail,
    expires_at: input.expiresAt ?? created + SESSION_LIFETIME_SECONDS,
    invoice: null,
    livemode: false,
    metadata: input.metadata,
    mode: input.mode,
    payment_intent: null,
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    shipping_address_collection:
      input.shippingAllowedCountries === null ? null : { allowed_countries: input.shippingAllowedCountries },
    shipping_cost:
      shippingRate === null
        ? null
        : { amount_subtotal: shipping, amount_tax: 0, amount_total: shipping, shipping_rate: shippingRate },
    shipping_options:
      shippingRate === null ? [] : [{ shipping_amount: shipping, shipping_rate: shippingRate }],
    setup_intent: setup ? newId('seti') : null,
    status: 'open',
    subscription: null,
    success_url: input.successUrl,
    total_details: setup ? null : { amount_discount: discount, amount_shipping: shipping, amount_tax: 0 },
    url: `${state.publicUrl()}/_emulator/pay/${id}`,
  };
  const record: SessionRecord = {
    session,
    lineItems,
    account,
    captureMethod: input.captureMethod,
    trialDays: input.trialDays,
  };
  state.sessions.set(id, record);
  return record;
}

function fullAddress(address: Partial<Address> | undefined): Address {
  if (!address) return { ...DEFAULT_ADDRESS };
  return {
    city: address.city ?? null,
    country: address.country ?? null,
    line1: address.line1 ?? null,
    line2: address.line2 ?? null,
    postal_code: address.postal_code ?? null,
    state: address.state ?? null,
  };
}

function shippingFor(
  session: CheckoutSession,
  customer: CustomerDetails,
  requested: CompleteOptions['shippingDetails'],
): ShippingDetails | null {
  if (requested === null) return null;
  if (requested !== undefined) return { name: requested.name, address: fullAddress(requested.address) };
  if (session.shipping_address_collection === null || customer.address === null) return null;
  return { name: customer.name ?? '', address: { ...customer.address } };
}

export function completeSession(
  state: EmulatorState,
  id: string,
  options: CompleteOptions,
): SessionTransition {
  const record = requireSession(state, id);
  const { session } = record;
  if (session.status !== 'open') {
    throw invalidRequest(`Checkout Session ${id} is ${session.status}; only open sessions can be completed.`);
  }
  const customer: CustomerDetails = {
    address: fullAddress(options.customerDetails?.address),
    business_name: null,
    email: options.customerDetails?.email ?? session.customer_email ?? 'jenny.rosen@example.com',
    individual_name: null,
    name: options.customerDetails?.name ?? 'Jenny Rosen',
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  const paid = (options.paymentStatus ?? 'paid') === 'paid';
  if (session.mode === 'setup') {
    session.payment_status = 'no_payment_required';
  } else if (session.mode === 'subscription') {
    // A sign-up pays (or, in a trial, defers) through the subscription's first invoice: no payment intent.
    const subscription = startSubscription(state, record, paid);
    session.subscription = subscription.id;
    session.invoice = subscription.latest_invoice;
    session.customer = subscription.customer;
    session.payment_status = record.trialDays !== null ? 'no_payment_required' : paid ? 'paid' : 'unpaid';
  } else if (session.amount_total === 0) {
    session.payment_status = 'no_payment_required';
  } else {
    const intent = createPaymentIntent(state, {
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'usd',
      captureMethod: record.captureMethod,
      paid,
      account: record.account,
    });
    session.payment_intent = intent.id;
    // An authorization is not a payment: a manual capture's session stays unpaid.
    session.payment_status = intent.status === 'succeeded' ? 'paid' : 'unpaid';
  }
  for (const field of options.nullFields ?? []) session[field] = null;
  session.status = 'complete';
  session.url = null;
  session.customer_details = customer;
  session.collected_information.shipping_details = shippingFor(session, customer, options.shippingDetails);
  return { record, event: recordEvent(state, 'checkout.session.completed', session, record.account) };
}

export function settleAsyncPayment(
  state: EmulatorState,
  id: string,
  outcome: 'succeeded' | 'failed',
): SessionTransition {
  const record = requireSession(state, id);
  const { session } = record;
  const intent =
    session.payment_intent === null ? undefined : state.paymentIntents.get(session.payment_intent);
  if (
    session.status !== 'complete' ||
    session.payment_status !== 'unpaid' ||
    intent?.status !== 'processing'
  ) {
    throw invalidRequest(
      `Checkout Session ${id} has no pending delayed payment (status ${session.status}, payment_status ${session.payment_status}).`,
    );
  }
  if (outcome === 'succeeded') {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    session.payment_status = 'paid';
    return {
      record,
      event: recordEvent(state, 'checkout.session.async_payment_succeeded', session, record.account),
    };
  }
  intent.status = 'requires_payment_method';
  return {
    record,
    event: recordEvent(state, 'checkout.session.async_payment_failed', session, record.account),
  };
}

export function expireSession(
  state: EmulatorState,
  id: string,
  request?: EventRequestInfo,
): SessionTransition {
  const record = requireSession(state, id);
  const { session } = record;
  if (session.status !== 'open') {
    throw invalidRequest(
      `Only Checkout Sessions with a status of \`open\` can be expired; ${id} is ${session.status}.`,
    );
  }
  session.status = 'expired';
  session.url = null;
  return { record, event: recordEvent(state, 'checkout.session.expired', session, record.account, request) };
}
