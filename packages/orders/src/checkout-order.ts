import type { NewOrderItem, Order, PostalAddress } from '@fulfill/db';
import type { CheckoutLineItem, CheckoutSession } from './stripe-api.ts';

/** The order columns that come from a Checkout Session. */
export type SessionOrderFields = Omit<
  Order,
  | 'id'
  | 'fulfillment_key'
  | 'order_identifier'
  | 'status'
  | 'created_at'
  | 'updated_at'
  | 'amount_refunded'
  | 'payment_state_read_at'
>;

function address(
  a:
    | {
        line1?: string | null;
        line2?: string | null;
        city?: string | null;
        state?: string | null;
        postal_code?: string | null;
        country?: string | null;
      }
    | null
    | undefined,
): PostalAddress | null {
  if (!a) return null;
  return {
    line1: a.line1 ?? null,
    line2: a.line2 ?? null,
    city: a.city ?? null,
    state: a.state ?? null,
    postal_code: a.postal_code ?? null,
    country: a.country ?? null,
  };
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);

/**
 * The order's columns from a complete session. The caller has checked (`outcomeOfSession`) that the currency
 * and the total are there: nothing here invents them.
 */
export function orderFieldsOf(
  session: CheckoutSession & { currency: string; amount_total: number },
  account: string | null,
): SessionOrderFields {
  const shipping = session.collected_information?.shipping_details ?? null;
  const pi = session.payment_intent;
  const subscription = typeof session.subscription === 'object' ? session.subscription : null;
  return {
    checkout_session_id: session.id,
    payment_intent_id: typeof pi === 'string' ? pi : (pi?.id ?? null),
    customer_email: session.customer_details?.email ?? session.customer_email ?? null,
    customer_name: session.customer_details?.name ?? null,
    shipping_name: shipping?.name ?? null,
    shipping_address: address(shipping?.address),
    currency: session.currency,
    amount_subtotal: session.amount_subtotal ?? 0,
    amount_discount: session.total_details?.amount_discount ?? 0,
    amount_tax: session.total_details?.amount_tax ?? 0,
    amount_shipping: session.total_details?.amount_shipping ?? 0,
    amount_total: session.amount_total,
    cart_id: session.metadata?.cart_id ?? null,
    mode: session.mode === 'subscription' ? 'subscription' : 'payment',
    stripe_account: account,
    subscription_id: idOf(session.subscription),
    invoice_id: idOf(session.invoice) ?? idOf(subscription?.latest_invoice),
  };
}

export function orderItemsOf(orderId: number, items: CheckoutLineItem[]): NewOrderItem[] {
  return items.map((item, position) => {
    const price = item.price;
    const product = price?.product;
    return {
      order_id: orderId,
      position,
      stripe_line_item_id: item.id,
      description: item.description ?? '',
      quantity: item.quantity ?? 1,
      currency: item.currency,
      unit_amount: price?.unit_amount ?? null,
      amount_subtotal: item.amount_subtotal,
      amount_discount: item.amount_discount,
      amount_tax: item.amount_tax,
      amount_total: item.amount_total,
      price_id: price?.id ?? null,
      product_id: typeof product === 'string' ? product : (product?.id ?? null),
    };
  });
}
