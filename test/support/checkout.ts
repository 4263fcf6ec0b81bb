import type { CheckoutSessionCreateParams, StripeEmulator } from '@fulfill/stripe-emulator';

export interface TestCheckoutOptions {
  currency?: string;
  items?: Array<{ name: string; unitAmount: number; quantity?: number }>;
  discountPercent?: number;
  /** Adds a 5.00 shipping rate (default true). */
  shipping?: boolean;
  cartId?: string;
  email?: string;
  name?: string;
}

/** Creates an open Checkout Session in the emulator with plausible items and shipping. */
export function createTestSession(emulator: StripeEmulator, options: TestCheckoutOptions = {}) {
  const currency = options.currency ?? 'usd';
  const items = options.items ?? [
    { name: 'Linen shirt', unitAmount: 4500, quantity: 2 },
    { name: 'Canvas tote', unitAmount: 1999, quantity: 1 },
  ];
  const params: CheckoutSessionCreateParams = {
    mode: 'payment',
    line_items: items.map((item) => ({
      price_data: { currency, unit_amount: item.unitAmount, product_data: { name: item.name } },
      quantity: item.quantity ?? 1,
    })),
    metadata: { cart_id: options.cartId ?? `cart_${Math.random().toString(36).slice(2, 10)}` },
    success_url: 'https://shop.test/success?session_id={CHECKOUT_SESSION_ID}',
    shipping_address_collection: { allowed_countries: ['US', 'DE'] },
    ...(options.shipping === false
      ? {}
      : {
          shipping_options: [
            { shipping_rate_data: { display_name: 'Standard', fixed_amount: { amount: 500, currency } } },
          ],
        }),
    ...(options.discountPercent !== undefined
      ? { emulator: { discount_percent: options.discountPercent } }
      : {}),
  };
  return emulator.createCheckoutSession(params);
}

/** Creates a session and completes it without delivering the event; returns the session and the event. */
export async function completedCheckout(
  emulator: StripeEmulator,
  options: TestCheckoutOptions & { paymentStatus?: 'paid' | 'unpaid' } = {},
) {
  const session = createTestSession(emulator, options);
  return emulator.completeCheckoutSession(session.id, {
    paymentStatus: options.paymentStatus ?? 'paid',
    deliver: false,
    customerDetails: {
      name: options.name ?? 'Ada Lovelace',
      email: options.email ?? 'ada@example.com',
      address: { line1: '1 Analytical Way', city: 'London', postal_code: 'N1 9GU', country: 'GB' },
    },
    shippingDetails: {
      name: options.name ?? 'Ada Lovelace',
      address: { line1: '1 Analytical Way', city: 'London', postal_code: 'N1 9GU', country: 'GB' },
    },
  });
}
