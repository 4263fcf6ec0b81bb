/**
 * The payment intent events that move a manual capture on: captured (`succeeded`) or its authorization
 * released or expired (`canceled`). Only a manual-capture intent's events lead anywhere; an automatic
 * payment's order follows its Checkout Session events.
 */
export const CAPTURE_EVENT_TYPES = ['payment_intent.succeeded', 'payment_intent.canceled'] as const;

export type CaptureEventType = (typeof CAPTURE_EVENT_TYPES)[number];

export function isCaptureEventType(type: string): type is CaptureEventType {
  return (CAPTURE_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * The payment intent a capture event is about, where it is a manual capture's; null for any other object or
 * capture method, which the ingest acknowledges and ignores.
 */
export function manualCaptureIntentOfEvent(event: { data?: { object?: unknown } }): { id: string } | null {
  const object = event.data?.object as
    | { object?: unknown; id?: unknown; capture_method?: unknown }
    | undefined;
  if (object?.object !== 'payment_intent' || typeof object.id !== 'string' || !object.id.startsWith('pi_')) {
    return null;
  }
  return object.capture_method === 'manual' ? { id: object.id } : null;
}

/** A connected account's id as Stripe writes it: what a query parameter or a setting must look like. */
export const CONNECT_ACCOUNT_PATTERN = /^acct_[A-Za-z0-9]{1,255}$/;

/** The event types an event notification (thin event) names for a Checkout Session, by their v1 type. */
const NOTIFICATION_PREFIX = 'v1.';

/** The v1 event type an event notification stands for (`v1.checkout.session.completed` → `checkout.session.completed`). */
export function v1TypeOfNotification(type: string): string | null {
  return type.startsWith(NOTIFICATION_PREFIX) ? type.slice(NOTIFICATION_PREFIX.length) : null;
}
