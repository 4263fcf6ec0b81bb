import type { CheckoutMode, UnusedSessionFields } from './types.ts';

/**
 * The values Stripe sends for the Checkout Session fields a hosted session leaves at their defaults: present,
 * as on every real session, and empty. The conformance test holds them to stripe-node's types.
 */
export function unusedSessionFields(mode: CheckoutMode): UnusedSessionFields {
  return {
    adaptive_pricing: mode === 'payment' ? { enabled: false } : null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    client_secret: null,
    consent: null,
    consent_collection: null,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer_account: null,
    customer_creation: mode === 'payment' ? 'if_required' : null,
    discounts: [],
    integration_identifier: null,
    invoice_creation: null,
    locale: null,
    managed_payments: null,
    origin_context: null,
    payment_link: null,
    payment_method_collection: mode === 'payment' ? null : 'always',
    payment_method_configuration_details: null,
    payment_method_options: {},
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    submit_type: null,
    ui_mode: 'hosted_page',
    wallet_options: null,
  };
}
