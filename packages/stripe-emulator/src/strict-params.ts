import { StripeEmulatorError } from './errors.ts';
import type { Fields } from './params.ts';

/**
 * The parameters of `POST /v1/checkout/sessions` in the API version the emulator speaks, as stripe-node's
 * `Checkout.SessionCreateParams` declares them (the conformance test holds this list to those types), plus the
 * emulator's own `emulator[…]`. Any other name, including `payment_method_types`, which Stripe removed, is
 * answered 400 `parameter_unknown` as Stripe answers it. Parameters listed but not modelled are accepted and
 * have no effect.
 */
export const SESSION_CREATE_PARAMS = [
  'adaptive_pricing',
  'after_expiration',
  'allow_promotion_codes',
  'allowed_payment_method_types',
  'automatic_tax',
  'billing_address_collection',
  'branding_settings',
  'cancel_url',
  'client_reference_id',
  'consent_collection',
  'currency',
  'custom_fields',
  'custom_text',
  'customer',
  'customer_account',
  'customer_creation',
  'customer_email',
  'customer_update',
  'discounts',
  'excluded_payment_method_types',
  'expand',
  'expires_at',
  'integration_identifier',
  'invoice_creation',
  'line_items',
  'locale',
  'managed_payments',
  'metadata',
  'mode',
  'name_collection',
  'optional_items',
  'origin_context',
  'payment_intent_data',
  'payment_method_collection',
  'payment_method_configuration',
  'payment_method_data',
  'payment_method_options',
  'permissions',
  'phone_number_collection',
  'redirect_on_completion',
  'return_url',
  'saved_payment_method_options',
  'setup_intent_data',
  'shipping_address_collection',
  'shipping_options',
  'submit_type',
  'subscription_data',
  'success_url',
  'tax_id_collection',
  'ui_mode',
  'wallet_options',
] as const;

/** The emulator's own parameters, which no Stripe API has. */
export const EMULATOR_PARAMS = ['emulator'] as const;

const SESSION_PARAMS = new Set<string>([...SESSION_CREATE_PARAMS, ...EMULATOR_PARAMS]);

const LINE_ITEM_PARAMS = new Set([
  'adjustable_quantity',
  'dynamic_tax_rates',
  'metadata',
  'price',
  'price_data',
  'quantity',
  'tax_rates',
]);
const PRICE_DATA_PARAMS = new Set([
  'currency',
  'product',
  'product_data',
  'recurring',
  'tax_behavior',
  'unit_amount',
  'unit_amount_decimal',
]);

export function unknownParameter(param: string): StripeEmulatorError {
  return new StripeEmulatorError(400, {
    error: {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      param,
      message: `Received unknown parameter: ${param}`,
    },
  });
}

function checkKeys(fields: unknown, allowed: Set<string>, prefix: string): void {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return;
  for (const key of Object.keys(fields)) {
    if (!allowed.has(key)) throw unknownParameter(prefix === '' ? key : `${prefix}[${key}]`);
  }
}

/** Throws `parameter_unknown` for the first parameter a Checkout Session create does not take. */
export function rejectUnknownSessionParams(params: Fields): void {
  checkKeys(params, SESSION_PARAMS, '');
  const items = Array.isArray(params.line_items)
    ? params.line_items
    : typeof params.line_items === 'object' && params.line_items !== null
      ? Object.values(params.line_items)
      : [];
  items.forEach((item, index) => {
    checkKeys(item, LINE_ITEM_PARAMS, `line_items[${index}]`);
    const priceData = (item as { price_data?: unknown } | null)?.price_data;
    checkKeys(priceData, PRICE_DATA_PARAMS, `line_items[${index}][price_data]`);
  });
}
