import type { EmailKind, OrderStatus } from '@fulfill/db';
import { isAfterPaymentStatus } from './after-payment-status.ts';

/** The parts of a Checkout Session that decide what becomes of it. */
export interface SessionState {
  status: string | null;
  payment_status: string;
  /** Absent on objects that predate modes (read as `payment`). */
  mode?: string;
  payment_intent?: string | { status: string; capture_method?: string } | null;
  /** A sign-up's subscription, an id or expanded. */
  subscription?: string | { status: string } | null;
  currency?: string | null;
  amount_total?: number | null;
}

export type SessionOutcome =
  | { kind: 'order'; status: OrderStatus }
  | { kind: 'expired' }
  | { kind: 'not-complete' }
  /** A setup-mode session: a card saved, nothing charged, no order. */
  | { kind: 'no-order'; reason: 'setup-mode' }
  /** A complete session that would make an order but lacks what the order must state. */
  | { kind: 'missing-data'; missing: Array<'currency' | 'amount_total'> };

const FAILED_INTENT_STATES = new Set(['requires_payment_method', 'canceled']);

function missingFields(session: SessionState): Array<'currency' | 'amount_total'> {
  const missing: Array<'currency' | 'amount_total'> = [];
  if (typeof session.currency !== 'string' || session.currency === '') missing.push('currency');
  if (typeof session.amount_total !== 'number') missing.push('amount_total');
  return missing;
}

function subscriptionOutcome(session: SessionState): SessionOutcome {
  if (session.payment_status === 'paid') return { kind: 'order', status: 'paid' };
  if (session.payment_status === 'no_payment_required') {
    const sub = session.subscription;
    // Without the subscription expanded nothing says money was taken: never claim it was.
    const trialing = typeof sub !== 'object' || sub === null || sub.status === 'trialing';
    return { kind: 'order', status: trialing ? 'trialing' : 'paid' };
  }
  return { kind: 'order', status: 'awaiting_payment' };
}

function paymentOutcome(session: SessionState, eventType: string | undefined): SessionOutcome {
  if (session.payment_status === 'paid' || session.payment_status === 'no_payment_required') {
    return { kind: 'order', status: 'paid' };
  }
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  // A manual capture's session stays `unpaid`: its payment intent tells authorized, captured and released.
  if (intent?.status === 'succeeded') return { kind: 'order', status: 'paid' };
  if (intent?.status === 'requires_capture') return { kind: 'order', status: 'authorized' };
  if (intent?.status === 'canceled' && intent.capture_method === 'manual') {
    return { kind: 'order', status: 'cancelled' };
  }
  const intentFailed = intent !== null && FAILED_INTENT_STATES.has(intent.status);
  if (intentFailed || eventType === 'checkout.session.async_payment_failed') {
    return { kind: 'order', status: 'payment_failed' };
  }
  return { kind: 'order', status: 'awaiting_payment' };
}

/**
 * Maps Stripe's state to the order's. A complete but unpaid session is awaiting a delayed payment unless its
 * payment intent (when expanded) or the event being handled says that payment failed, or that it is a manual
 * capture (authorized, captured, or its authorization released). A setup session makes no order; a sign-up
 * with no payment required is `trialing` unless its expanded subscription says it is not in a trial. A
 * session that would make an order without a currency or a total is `missing-data`: nothing is invented.
 */
export function outcomeOfSession(session: SessionState, eventType?: string): SessionOutcome {
  if (session.status === 'expired') return { kind: 'expired' };
  if (session.status !== 'complete') return { kind: 'not-complete' };
  const mode = session.mode ?? 'payment';
  if (mode === 'setup') return { kind: 'no-order', reason: 'setup-mode' };
  if (session.currency !== undefined || session.amount_total !== undefined) {
    const missing = missingFields(session);
    if (missing.length > 0) return { kind: 'missing-data', missing };
  }
  return mode === 'subscription' ? subscriptionOutcome(session) : paymentOutcome(session, eventType);
}

/**
 * Whether an order may move from one status to another. A paid order never changes; nothing goes back to
 * awaiting payment or to authorized; only an order that took no money is cancelled; a failed or cancelled
 * order still becomes paid when Stripe says the money arrived. A refunded or disputed order changes only through
 * its refunds and disputes.
 */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  // Refunds and disputes own an order once they changed it (after-payment.ts); checkout events do not.
  if (from === to || from === 'paid' || isAfterPaymentStatus(from)) return false;
  if (to === 'awaiting_payment') return false;
  if (to === 'authorized') return from === 'awaiting_payment';
  if (to === 'cancelled') return from === 'awaiting_payment' || from === 'authorized';
  return true;
}

/** The email an order in this status is owed, if any: a receipt only once money was taken. */
export function emailForStatus(status: OrderStatus): EmailKind | null {
  if (status === 'paid') return 'confirmation';
  if (status === 'payment_failed') return 'payment_failed';
  if (status === 'trialing') return 'trial_started';
  return null;
}
