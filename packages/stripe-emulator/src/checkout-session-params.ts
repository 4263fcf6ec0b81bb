import { invalidRequest, resourceMissing } from './errors.ts';
import {
  arrayOf,
  fieldsOf,
  metadataOf,
  optionalInteger,
  optionalNumber,
  optionalString,
  requiredInteger,
  requiredString,
  stringArray,
} from './params.ts';
import { rejectUnknownSessionParams } from './strict-params.ts';

/**
 * The subset of Stripe's Checkout Session create parameters the emulator understands; Stripe's other
 * parameters are accepted and ignored, and any name Stripe does not take is refused (`strict-params.ts`). `emulator.discount_percent` is not a Stripe parameter: it
 * applies a percentage discount to every line item (100 makes a zero-total session).
 */
export interface CheckoutSessionCreateParams {
  mode?: 'payment' | 'setup' | 'subscription';
  /** Required in payment and subscription mode; not allowed in setup mode. */
  line_items?: Array<{
    price_data: {
      currency: string;
      unit_amount: number;
      product_data: { name: string; description?: string };
      /** Required in subscription mode. */
      recurring?: { interval: 'day' | 'week' | 'month' | 'year'; interval_count?: number };
    };
    quantity: number;
  }>;
  /** Setup mode only: the currency of the payment method being saved. */
  currency?: string;
  payment_intent_data?: { capture_method?: 'automatic' | 'automatic_async' | 'manual' };
  subscription_data?: { trial_period_days?: number };
  metadata?: Record<string, string>;
  customer_email?: string;
  client_reference_id?: string;
  success_url?: string;
  cancel_url?: string;
  expires_at?: number;
  shipping_address_collection?: { allowed_countries: string[] };
  shipping_options?: Array<{
    shipping_rate_data: { display_name?: string; fixed_amount: { amount: number; currency: string } };
  }>;
  emulator?: { discount_percent?: number };
}

export interface LineItemInput {
  currency: string;
  unitAmount: number;
  quantity: number;
  productName: string;
  productDescription: string | null;
  recurring: { interval: 'day' | 'week' | 'month' | 'year'; interval_count: number } | null;
}

export interface SessionInput {
  mode: 'payment' | 'setup' | 'subscription';
  /** Null in setup mode without a currency. */
  currency: string | null;
  captureMethod: 'automatic' | 'automatic_async' | 'manual';
  trialDays: number | null;
  lineItems: LineItemInput[];
  metadata: Record<string, string>;
  customerEmail: string | null;
  clientReferenceId: string | null;
  successUrl: string | null;
  cancelUrl: string | null;
  expiresAt: number | null;
  shippingAllowedCountries: string[] | null;
  shippingAmount: number | null;
  discountPercent: number;
}

const MAX_LINE_ITEMS = 100;

function currencyOf(value: unknown, param: string): string {
  const currency = requiredString(value, param).toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}`, param);
  return currency;
}

function parseLineItem(raw: unknown, index: number): LineItemInput {
  const param = `line_items[${index}]`;
  const item = fieldsOf(raw, param);
  const price = optionalString(item.price, `${param}[price]`);
  if (price !== null) throw resourceMissing('price', price, `${param}[price]`);
  if (item.price_data === undefined) {
    throw invalidRequest(`You must specify either \`price\` or \`price_data\` in \`${param}\`.`, param);
  }
  const priceData = fieldsOf(item.price_data, `${param}[price_data]`);
  const product = optionalString(priceData.product, `${param}[price_data][product]`);
  if (product !== null) throw resourceMissing('product', product, `${param}[price_data][product]`);
  const productData = fieldsOf(priceData.product_data, `${param}[price_data][product_data]`);
  const recurringParam = `${param}[price_data][recurring]`;
  const recurringFields =
    priceData.recurring === undefined ? null : fieldsOf(priceData.recurring, recurringParam);
  let recurring: LineItemInput['recurring'] = null;
  if (recurringFields !== null) {
    const interval = requiredString(recurringFields.interval, `${recurringParam}[interval]`);
    if (!['day', 'week', 'month', 'year'].includes(interval)) {
      throw invalidRequest(
        `Invalid ${recurringParam}[interval]: must be one of day, week, month, or year`,
        `${recurringParam}[interval]`,
      );
    }
    recurring = {
      interval: interval as 'day' | 'week' | 'month' | 'year',
      interval_count:
        optionalInteger(recurringFields.interval_count, `${recurringParam}[interval_count]`, { min: 1 }) ?? 1,
    };
  }
  return {
    recurring,
    currency: currencyOf(priceData.currency, `${param}[price_data][currency]`),
    unitAmount: requiredInteger(priceData.unit_amount, `${param}[price_data][unit_amount]`, { min: 0 }),
    quantity: requiredInteger(item.quantity, `${param}[quantity]`, { min: 1 }),
    productName: requiredString(productData.name, `${param}[price_data][product_data][name]`),
    productDescription: optionalString(
      productData.description,
      `${param}[price_data][product_data][description]`,
    ),
  };
}

function parseShippingAmount(raw: unknown, currency: string): number | null {
  const options = arrayOf(raw, 'shipping_options');
  if (options.length === 0) return null;
  const first = fieldsOf(options[0], 'shipping_options[0]');
  const rate = optionalString(first.shipping_rate, 'shipping_options[0][shipping_rate]');
  if (rate !== null) throw resourceMissing('shipping_rate', rate, 'shipping_options[0][shipping_rate]');
  const param = 'shipping_options[0][shipping_rate_data][fixed_amount]';
  const rateData = fieldsOf(first.shipping_rate_data, 'shipping_options[0][shipping_rate_data]');
  const fixed = fieldsOf(rateData.fixed_amount, param);
  const amountCurrency = optionalString(fixed.currency, `${param}[currency]`);
  if (amountCurrency !== null && amountCurrency.toLowerCase() !== currency) {
    throw invalidRequest(
      'The shipping rate currency must match the line item currency.',
      `${param}[currency]`,
    );
  }
  return requiredInteger(fixed.amount, `${param}[amount]`, { min: 0 });
}

function captureMethodOf(raw: unknown, mode: string): SessionInput['captureMethod'] {
  if (raw === undefined) return 'automatic_async';
  if (mode !== 'payment') {
    throw invalidRequest(
      'You can only specify `payment_intent_data` in `payment` mode.',
      'payment_intent_data',
    );
  }
  const param = 'payment_intent_data[capture_method]';
  const method =
    optionalString(fieldsOf(raw, 'payment_intent_data').capture_method, param) ?? 'automatic_async';
  if (method !== 'automatic' && method !== 'automatic_async' && method !== 'manual') {
    throw invalidRequest(`Invalid ${param}: must be one of automatic, automatic_async, or manual`, param);
  }
  return method;
}

function trialDaysOf(raw: unknown, mode: string): number | null {
  if (raw === undefined) return null;
  if (mode !== 'subscription') {
    throw invalidRequest(
      'You can only specify `subscription_data` in `subscription` mode.',
      'subscription_data',
    );
  }
  const param = 'subscription_data[trial_period_days]';
  return optionalInteger(fieldsOf(raw, 'subscription_data').trial_period_days, param, { min: 1 });
}

/** A setup session saves a payment method: no line items, no amounts, a currency only if one is given. */
function setupInput(params: Record<string, unknown>, itemCount: number, now: number): SessionInput {
  if (itemCount > 0) {
    throw invalidRequest('You cannot pass `line_items` in `setup` mode.', 'line_items');
  }
  const currency = optionalString(params.currency, 'currency');
  return {
    mode: 'setup',
    currency: currency === null ? null : currencyOf(currency, 'currency'),
    captureMethod: 'automatic_async',
    trialDays: null,
    lineItems: [],
    metadata: metadataOf(params.metadata, 'metadata'),
    customerEmail: optionalString(params.customer_email, 'customer_email'),
    clientReferenceId: optionalString(params.client_reference_id, 'client_reference_id'),
    successUrl: optionalString(params.success_url, 'success_url'),
    cancelUrl: optionalString(params.cancel_url, 'cancel_url'),
    expiresAt: optionalInteger(params.expires_at, 'expires_at', { min: now + 1 }),
    shippingAllowedCountries: null,
    shippingAmount: null,
    discountPercent: 0,
  };
}

/** Validates create parameters, given either as decoded form fields or as a typed object. */
export function parseSessionCreateParams(raw: unknown, now: number): SessionInput {
  const params = fieldsOf(raw, 'params');
  rejectUnknownSessionParams(params);
  const mode = optionalString(params.mode, 'mode') ?? 'payment';
  if (mode !== 'payment' && mode !== 'setup' && mode !== 'subscription') {
    throw invalidRequest('Invalid mode: must be one of payment, setup, or subscription', 'mode');
  }
  const rawItems = arrayOf(params.line_items, 'line_items');
  if (mode === 'setup') return setupInput(params, rawItems.length, now);
  if (rawItems.length === 0) throw invalidRequest('Missing required param: line_items.', 'line_items');
  if (rawItems.length > MAX_LINE_ITEMS) {
    throw invalidRequest(`line_items can contain at most ${MAX_LINE_ITEMS} items.`, 'line_items');
  }
  const lineItems = rawItems.map(parseLineItem);
  const recurringItems = lineItems.filter((item) => item.recurring !== null).length;
  if (mode === 'subscription' && recurringItems === 0) {
    throw invalidRequest(
      'You must specify at least one recurring price in `subscription` mode when using prices.',
      'line_items',
    );
  }
  if (mode === 'payment' && recurringItems > 0) {
    throw invalidRequest(
      'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
      'line_items',
    );
  }
  const currency = lineItems[0]?.currency ?? 'usd';
  if (lineItems.some((item) => item.currency !== currency)) {
    throw invalidRequest('All line items must use the same currency.', 'line_items');
  }
  const expiresAt = optionalInteger(params.expires_at, 'expires_at', { min: now + 1 });
  const shippingCollection = params.shipping_address_collection;
  const emulator = fieldsOf(params.emulator, 'emulator');
  const discountPercent = optionalNumber(emulator.discount_percent, 'emulator[discount_percent]') ?? 0;
  if (discountPercent < 0 || discountPercent > 100) {
    throw invalidRequest(
      'emulator[discount_percent] must be between 0 and 100.',
      'emulator[discount_percent]',
    );
  }
  const captureMethod = captureMethodOf(params.payment_intent_data, mode);
  const trialDays = trialDaysOf(params.subscription_data, mode);
  return {
    mode,
    captureMethod,
    trialDays,
    currency,
    lineItems,
    metadata: metadataOf(params.metadata, 'metadata'),
    customerEmail: optionalString(params.customer_email, 'customer_email'),
    clientReferenceId: optionalString(params.client_reference_id, 'client_reference_id'),
    successUrl: optionalString(params.success_url, 'success_url'),
    cancelUrl: optionalString(params.cancel_url, 'cancel_url'),
    expiresAt,
    shippingAllowedCountries:
      shippingCollection === undefined || shippingCollection === ''
        ? null
        : stringArray(
            fieldsOf(shippingCollection, 'shipping_address_collection').allowed_countries,
            'shipping_address_collection[allowed_countries]',
          ),
    shippingAmount: parseShippingAmount(params.shipping_options, currency),
    discountPercent,
  };
}
