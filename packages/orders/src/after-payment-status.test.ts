import { describe, expect, it } from 'vitest';
import {
  noticeableRefunds,
  type PaymentState,
  refundedAmountOf,
  statusOfPayment,
} from './after-payment-status.ts';
import { canTransition } from './order-status.ts';

const paid: PaymentState = { amount: 1000, refunds: [], disputes: [] };

describe('statusOfPayment', () => {
  it('follows the refunds: partial, then full; a failed refund counts for nothing', () => {
    expect(statusOfPayment(paid)).toBe('paid');
    const partial = { ...paid, refunds: [{ id: 're_1', amount: 300, status: 'succeeded' }] };
    expect(statusOfPayment(partial)).toBe('partially_refunded');
    const full = { ...paid, refunds: [...partial.refunds, { id: 're_2', amount: 700, status: 'pending' }] };
    expect(statusOfPayment(full)).toBe('refunded');
    expect(refundedAmountOf(full)).toBe(1000);
    const failed = { ...paid, refunds: [{ id: 're_1', amount: 1000, status: 'failed' }] };
    expect(statusOfPayment(failed)).toBe('paid');
    expect(refundedAmountOf(failed)).toBe(0);
    expect(noticeableRefunds(full)).toEqual([{ id: 're_1', amount: 300 }]);
  });

  it('puts an open dispute first, a lost one next, and returns a won one to what the refunds make it', () => {
    const refunds = [{ id: 're_1', amount: 200, status: 'succeeded' }];
    expect(statusOfPayment({ ...paid, refunds, disputes: [{ id: 'dp_1', status: 'needs_response' }] })).toBe(
      'disputed',
    );
    expect(statusOfPayment({ ...paid, refunds, disputes: [{ id: 'dp_1', status: 'lost' }] })).toBe(
      'dispute_lost',
    );
    expect(statusOfPayment({ ...paid, refunds, disputes: [{ id: 'dp_1', status: 'won' }] })).toBe(
      'partially_refunded',
    );
    expect(statusOfPayment({ ...paid, disputes: [{ id: 'dp_1', status: 'won' }] })).toBe('paid');
    expect(
      statusOfPayment({
        ...paid,
        disputes: [
          { id: 'dp_1', status: 'lost' },
          { id: 'dp_2', status: 'under_review' },
        ],
      }),
    ).toBe('disputed');
  });
});

describe('canTransition after payment', () => {
  it('never lets a checkout event move a refunded or disputed order', () => {
    for (const from of ['partially_refunded', 'refunded', 'disputed', 'dispute_lost'] as const) {
      expect(canTransition(from, 'paid')).toBe(false);
      expect(canTransition(from, 'payment_failed')).toBe(false);
      expect(canTransition(from, 'cancelled')).toBe(false);
    }
  });
});
