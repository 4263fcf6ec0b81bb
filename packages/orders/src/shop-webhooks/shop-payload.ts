import type { Order, OrderItem, OrderStatus } from '@fulfill/db';
import type { ShopEventType } from './shop-events.ts';

/** The body of a webhook to the shop, in Standard Webhooks' recommended shape `{type, timestamp, data}`. */
export interface ShopWebhookPayload {
  type: ShopEventType;
  /** ISO 8601: when the change was committed. */
  timestamp: string;
  data: {
    order_identifier: string;
    status: OrderStatus;
    previous_status: OrderStatus | null;
    cart_id: string | null;
    checkout_session_id: string;
    payment_intent_id: string | null;
    currency: string;
    amount_subtotal: number;
    amount_discount: number;
    amount_tax: number;
    amount_shipping: number;
    amount_total: number;
    amount_refunded: number;
    items: Array<
      Pick<
        OrderItem,
        'description' | 'quantity' | 'currency' | 'unit_amount' | 'amount_total' | 'price_id' | 'product_id'
      >
    >;
    customer: { email: string | null; name: string | null };
    shipping: { name: string | null; address: Order['shipping_address'] } | null;
    created_at: string;
  };
}

/** The parts of an order its webhooks carry. */
export type ShopPayloadOrder = Pick<
  Order,
  | 'order_identifier'
  | 'status'
  | 'cart_id'
  | 'checkout_session_id'
  | 'payment_intent_id'
  | 'currency'
  | 'amount_subtotal'
  | 'amount_discount'
  | 'amount_tax'
  | 'amount_shipping'
  | 'amount_total'
  | 'amount_refunded'
  | 'customer_email'
  | 'customer_name'
  | 'shipping_name'
  | 'shipping_address'
  | 'created_at'
>;

/** What the shop needs to act on an order's change; it holds personal data, so it is never logged. */
export function shopPayloadOf(
  type: ShopEventType,
  input: {
    order: ShopPayloadOrder;
    items: ShopWebhookPayload['data']['items'];
    previousStatus: OrderStatus | null;
    at: Date;
  },
): ShopWebhookPayload {
  const { order } = input;
  return {
    type,
    timestamp: input.at.toISOString(),
    data: {
      order_identifier: order.order_identifier,
      status: order.status,
      previous_status: input.previousStatus,
      cart_id: order.cart_id,
      checkout_session_id: order.checkout_session_id,
      payment_intent_id: order.payment_intent_id,
      currency: order.currency,
      amount_subtotal: Number(order.amount_subtotal),
      amount_discount: Number(order.amount_discount),
      amount_tax: Number(order.amount_tax),
      amount_shipping: Number(order.amount_shipping),
      amount_total: Number(order.amount_total),
      amount_refunded: Number(order.amount_refunded),
      items: input.items.map((item) => ({
        ...item,
        unit_amount: item.unit_amount === null ? null : Number(item.unit_amount),
        amount_total: Number(item.amount_total),
      })),
      customer: { email: order.customer_email, name: order.customer_name },
      shipping:
        order.shipping_address || order.shipping_name
          ? { name: order.shipping_name, address: order.shipping_address }
          : null,
      created_at: order.created_at.toISOString(),
    },
  };
}
