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

describe('outcomeOfSession across modes and payment states', () => {
  const complete = { status: 'complete', currency: 'usd', amount_total: 4200 };

  it('makes no order of a setup session', () => {
    expect(
      outcomeOfSession({
        ...complete,
        mode: 'setup',
        payment_status: 'no_payment_required',
        amount_total: null,
      }),
    ).toEqual({ kind: 'no-order', reason: 'setup-mode' });
  });

  it('makes a trial sign-up trialing, a paid one paid, and never claims money a subscription did not take', () => {
    const signUp = { ...complete, mode: 'subscription', amount_total: 0 };
    expect(outcomeOfSession({ ...signUp, payment_status: 'no_payment_required' })).toEqual({
      kind: 'order',
      status: 'trialing',
    });
    expect(
      outcomeOfSession({
        ...signUp,
        payment_status: 'no_payment_required',
        subscription: { status: 'trialing' },
      }),
    ).toEqual({ kind: 'order', status: 'trialing' });
    expect(
      outcomeOfSession({
        ...signUp,
        payment_status: 'no_payment_required',
        subscription: { status: 'active' },
      }),
    ).toEqual({ kind: 'order', status: 'paid' });
    expect(outcomeOfSession({ ...signUp, amount_total: 1500, payment_status: 'paid' })).toEqual({
      kind: 'order',
      status: 'paid',
    });
    expect(outcomeOfSession({ ...signUp, payment_status: 'unpaid' })).toEqual({
      kind: 'order',
      status: 'awaiting_payment',
    });
  });

  it('follows a manual capture from its payment intent: authorized, paid, or cancelled', () => {
    const unpaid = { ...complete, mode: 'payment', payment_status: 'unpaid' };
    const intent = (status: string, capture_method = 'manual') => ({ status, capture_method });
    expect(outcomeOfSession({ ...unpaid, payment_intent: intent('requires_capture') })).toEqual({
      kind: 'order',
      status: 'authorized',
    });
    expect(outcomeOfSession({ ...unpaid, payment_intent: intent('succeeded') })).toEqual({
      kind: 'order',
      status: 'paid',
    });
    expect(outcomeOfSession({ ...unpaid, payment_intent: intent('canceled') })).toEqual({
      kind: 'order',
      status: 'cancelled',
    });
    // An automatic payment's cancelled intent is a failed payment, as before.
    expect(outcomeOfSession({ ...unpaid, payment_intent: intent('canceled', 'automatic_async') })).toEqual({
      kind: 'order',
      status: 'payment_failed',
    });
  });

  it('invents nothing: a session that would make an order without a currency or a total is missing-data', () => {
    expect(outcomeOfSession({ ...complete, payment_status: 'paid', currency: null })).toEqual({
      kind: 'missing-data',
      missing: ['currency'],
    });
    expect(
      outcomeOfSession({ ...complete, payment_status: 'paid', currency: null, amount_total: null }),
    ).toEqual({ kind: 'missing-data', missing: ['currency', 'amount_total'] });
    expect(
      outcomeOfSession({ ...complete, mode: 'subscription', payment_status: 'paid', amount_total: null }),
    ).toEqual({ kind: 'missing-data', missing: ['amount_total'] });
  });
});

describe('canTransition for authorized and trialing orders', () => {
  it('moves an authorization to paid or cancelled, and nothing back to authorized', () => {
    expect(canTransition('awaiting_payment', 'authorized')).toBe(true);
    expect(canTransition('authorized', 'paid')).toBe(true);
    expect(canTransition('authorized', 'cancelled')).toBe(true);
    expect(canTransition('cancelled', 'authorized')).toBe(false);
    expect(canTransition('payment_failed', 'authorized')).toBe(false);
    expect(canTransition('paid', 'authorized')).toBe(false);
    expect(canTransition('trialing', 'cancelled')).toBe(false);
  });

  it('owes a trial email to a trialing sign-up and nothing to an authorization', () => {
    expect(emailForStatus('trialing')).toBe('trial_started');
    expect(emailForStatus('authorized')).toBeNull();
  });
});
