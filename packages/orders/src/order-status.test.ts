import { describe, expect, it } from 'vitest';
import { canTransition, emailForStatus, outcomeOfSession } from './order-status.ts';

describe('outcomeOfSession', () => {
  it('maps a complete, paid session to a paid order', () => {
    expect(outcomeOfSession({ status: 'complete', payment_status: 'paid' })).toEqual({
      kind: 'order',
      status: 'paid',
    });
  });

  it('treats no_payment_required (a 100% discount) as paid', () => {
    expect(outcomeOfSession({ status: 'complete', payment_status: 'no_payment_required' })).toEqual({
      kind: 'order',
      status: 'paid',
    });
  });

  it('keeps a complete, unpaid session awaiting its delayed payment', () => {
    expect(
      outcomeOfSession({
        status: 'complete',
        payment_status: 'unpaid',
        payment_intent: { status: 'processing' },
      }),
    ).toEqual({ kind: 'order', status: 'awaiting_payment' });
  });

  it('fails the payment when the intent needs a new payment method or the event says so', () => {
    expect(
      outcomeOfSession({
        status: 'complete',
        payment_status: 'unpaid',
        payment_intent: { status: 'requires_payment_method' },
      }),
    ).toEqual({ kind: 'order', status: 'payment_failed' });
    expect(
      outcomeOfSession(
        { status: 'complete', payment_status: 'unpaid' },
        'checkout.session.async_payment_failed',
      ),
    ).toEqual({ kind: 'order', status: 'payment_failed' });
  });

  it('lets a paid session win over a stale failure event', () => {
    expect(
      outcomeOfSession(
        { status: 'complete', payment_status: 'paid' },
        'checkout.session.async_payment_failed',
      ),
    ).toEqual({ kind: 'order', status: 'paid' });
  });

  it('makes no order of an open or expired session', () => {
    expect(outcomeOfSession({ status: 'open', payment_status: 'unpaid' })).toEqual({ kind: 'not-complete' });
    expect(outcomeOfSession({ status: 'expired', payment_status: 'unpaid' })).toEqual({ kind: 'expired' });
  });
});

describe('canTransition', () => {
  it('never changes a paid order', () => {
    for (const to of ['awaiting_payment', 'payment_failed', 'cancelled'] as const) {
      expect(canTransition('paid', to)).toBe(false);
    }
  });

  it('moves an awaiting order to paid, failed or cancelled, and never back', () => {
    expect(canTransition('awaiting_payment', 'paid')).toBe(true);
    expect(canTransition('awaiting_payment', 'payment_failed')).toBe(true);
    expect(canTransition('awaiting_payment', 'cancelled')).toBe(true);
    expect(canTransition('payment_failed', 'awaiting_payment')).toBe(false);
    expect(canTransition('payment_failed', 'cancelled')).toBe(false);
  });

  it('lets money that arrives late still make the order paid', () => {
    expect(canTransition('payment_failed', 'paid')).toBe(true);
    expect(canTransition('cancelled', 'paid')).toBe(true);
  });

  it('reports no change for the same status', () => {
    expect(canTransition('awaiting_payment', 'awaiting_payment')).toBe(false);
  });
});

describe('emailForStatus', () => {
  it('owes a confirmation when paid and a notice when the payment failed, and nothing otherwise', () => {
    expect(emailForStatus('paid')).toBe('confirmation');
    expect(emailForStatus('payment_failed')).toBe('payment_failed');
    expect(emailForStatus('awaiting_payment')).toBeNull();
    expect(emailForStatus('cancelled')).toBeNull();
  });
});
