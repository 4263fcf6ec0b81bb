/** The Checkout Session event types that lead to fulfillment. */
export const FULFILLMENT_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
] as const;

export type FulfillmentEventType = (typeof FULFILLMENT_EVENT_TYPES)[number];

export function isFulfillmentEventType(type: string): type is FulfillmentEventType {
  return (FULFILLMENT_EVENT_TYPES as readonly string[]).includes(type);
}
