/** The Checkout Session inside a Stripe event: what fulfillment, replays and the reconciler read of it. */
export interface EventCheckoutSession {
  id: string;
  /** The payment intent's id, whether the event carried it as an id or expanded. */
  payment_intent: string | null;
  status: string | null;
  payment_status: string;
}

/**
 * Reads the Checkout Session an event's `data.object` holds, as Stripe sent it when the event was created.
 * Returns null where the object is not a Checkout Session, so a malformed or foreign event is rejected, not
 * thrown on.
 */
export function checkoutSessionOfEvent(event: { data?: { object?: unknown } }): EventCheckoutSession | null {
  const object = event.data?.object as
    | { object?: unknown; id?: unknown; payment_intent?: unknown; status?: unknown; payment_status?: unknown }
    | undefined;
  if (
    object?.object !== 'checkout.session' ||
    typeof object.id !== 'string' ||
    !object.id.startsWith('cs_')
  ) {
    return null;
  }
  const pi = object.payment_intent;
  const paymentIntent =
    typeof pi === 'string'
      ? pi
      : typeof (pi as { id?: unknown })?.id === 'string'
        ? (pi as { id: string }).id
        : null;
  return {
    id: object.id,
    payment_intent: paymentIntent,
    status: typeof object.status === 'string' ? object.status : null,
    payment_status: typeof object.payment_status === 'string' ? object.payment_status : 'unpaid',
  };
}
