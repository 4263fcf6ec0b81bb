import type { OrderStatus } from '@fulfill/db';

/** The statuses only refunds and disputes lead to; a checkout event never moves an order out of them. */
export const AFTER_PAYMENT_STATUSES = ['partially_refunded', 'refunded', 'disputed', 'dispute_lost'] as const;

export function isAfterPaymentStatus(status: OrderStatus): boolean {
  return (AFTER_PAYMENT_STATUSES as readonly string[]).includes(status);
}

/** The statuses refunds and disputes apply to: a paid order, and one they already changed. */
export function takesPaymentChanges(status: OrderStatus): boolean {
  return status === 'paid' || isAfterPaymentStatus(status);
}

/** What Stripe says now about a payment's refunds and disputes, as much as the status needs. */
export interface PaymentState {
  /** The charge's amount, in minor units. */
  amount: number;
  refunds: Array<{ id: string; amount: number; status: string | null }>;
  disputes: Array<{ id: string; status: string }>;
}

const CLOSED_DISPUTE = new Set(['won', 'lost', 'warning_closed', 'prevented']);
/** Refunds that count against the charge: Stripe's `amount_refunded` includes pending ones, not failed ones. */
const COUNTED_REFUND = new Set(['succeeded', 'pending', 'requires_action']);

/** Minor units refunded: pending and succeeded refunds, as Stripe's charge counts them. */
export function refundedAmountOf(state: PaymentState): number {
  return state.refunds
    .filter((r) => COUNTED_REFUND.has(r.status ?? ''))
    .reduce((sum, r) => sum + r.amount, 0);
}

/**
 * The order status a payment's refunds and disputes make, from Stripe's current state alone, so that events in
 * any order and any number converge: an open dispute makes it `disputed`; a lost one `dispute_lost`; otherwise
 * the refunds decide (`refunded` once they cover the charge, `partially_refunded` before), else `paid`. A dispute
 * won therefore returns the order to what the refunds make it, which is what it was before the dispute.
 */
export function statusOfPayment(state: PaymentState): OrderStatus {
  if (state.disputes.some((d) => !CLOSED_DISPUTE.has(d.status))) return 'disputed';
  if (state.disputes.some((d) => d.status === 'lost')) return 'dispute_lost';
  const refunded = refundedAmountOf(state);
  if (refunded > 0 && refunded >= state.amount) return 'refunded';
  if (refunded > 0) return 'partially_refunded';
  return 'paid';
}

/** Refunds that owe the customer a notice: those that succeeded. */
export function noticeableRefunds(state: PaymentState): Array<{ id: string; amount: number }> {
  return state.refunds.filter((r) => r.status === 'succeeded').map((r) => ({ id: r.id, amount: r.amount }));
}
