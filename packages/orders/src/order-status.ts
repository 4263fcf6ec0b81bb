import type { EmailKind, OrderStatus } from '@fulfill/db';
import { isAfterPaymentStatus } from './after-payment-status.ts';

/** The parts of a Checkout Session that decide what becomes of it. */
export interface SessionState {
  status: string | null;
  payment_status: string;
  payment_intent?: string | { status: string } | null;
}

export type SessionOutcome =
  | { kind: 'order'; status: Exclude<OrderStatus, 'cancelled'> }
  | { kind: 'expired' }
  | { kind: 'not-complete' };

const FAILED_INTENT_STATES = new Set(['requires_payment_method', 'canceled']);

/**
 * Maps Stripe's state to the order's. A complete but unpaid session is awaiting a delayed payment unless its
 * payment intent (when expanded) or the event being handled says that payment failed.
 */
export function outcomeOfSession(session: SessionState, eventType?: string): SessionOutcome {
  if (session.status === 'expired') return { kind: 'expired' };
  if (session.status !== 'complete') return { kind: 'not-complete' };
  if (session.payment_status === 'paid' || session.payment_status === 'no_payment_required') {
    return { kind: 'order', status: 'paid' };
  }
  const intent = session.payment_intent;
  const intentFailed =
    typeof intent === 'object' && intent !== null && FAILED_INTENT_STATES.has(intent.status);
  if (intentFailed || eventType === 'checkout.session.async_payment_failed') {
    return { kind: 'order', status: 'payment_failed' };
  }
  return { kind: 'order', status: 'awaiting_payment' };
}

/**
 * Whether an order may move from one status to another. A paid order never changes; nothing goes back to
 * awaiting payment; a failed or cancelled order still becomes paid when Stripe says the money arrived. A refunded
 * or disputed order changes only through its refunds and disputes.
 */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  // Refunds and disputes own an order once they changed it (after-payment.ts); checkout events do not.
  if (from === to || from === 'paid' || isAfterPaymentStatus(from)) return false;
  if (to === 'awaiting_payment') return false;
  if (to === 'cancelled') return from === 'awaiting_payment';
  return true;
}

/** The email an order in this status is owed, if any. */
export function emailForStatus(status: OrderStatus): EmailKind | null {
  if (status === 'paid') return 'confirmation';
  if (status === 'payment_failed') return 'payment_failed';
  return null;
}
