/** The refund and dispute event types that change an order after payment; subscribe the endpoint to them. */
export const PAYMENT_EVENT_TYPES = [
  'charge.refunded',
  'refund.updated',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const;

export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];

export function isPaymentEventType(type: string): type is PaymentEventType {
  return (PAYMENT_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * The payment intent a refund or dispute event is about: its charge's, refund's or dispute's `payment_intent`,
 * as an id or expanded. Null when the object has none (a charge made without a payment intent): not Fulfill's.
 */
export function paymentIntentOfEvent(event: { data?: { object?: unknown } }): string | null {
  const object = event.data?.object as { object?: unknown; payment_intent?: unknown } | undefined;
  if (object?.object !== 'charge' && object?.object !== 'refund' && object?.object !== 'dispute') return null;
  const pi = object.payment_intent;
  const id = typeof pi === 'string' ? pi : (pi as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.startsWith('pi_') ? id : null;
}
