import { describe, expect, it } from 'vitest';
import { checkoutSessionOfEvent } from './checkout-event.ts';

describe('checkoutSessionOfEvent', () => {
  it('reads the session with its payment intent as an id, expanded or not', () => {
    const base = { object: 'checkout.session', id: 'cs_test_1', status: 'complete', payment_status: 'paid' };
    expect(checkoutSessionOfEvent({ data: { object: { ...base, payment_intent: 'pi_1' } } })).toEqual({
      id: 'cs_test_1',
      payment_intent: 'pi_1',
      status: 'complete',
      payment_status: 'paid',
    });
    expect(
      checkoutSessionOfEvent({ data: { object: { ...base, payment_intent: { id: 'pi_2' } } } })
        ?.payment_intent,
    ).toBe('pi_2');
    expect(
      checkoutSessionOfEvent({ data: { object: { ...base, payment_intent: null } } })?.payment_intent,
    ).toBeNull();
  });

  it('returns null for anything that is not a Checkout Session', () => {
    expect(checkoutSessionOfEvent({ data: { object: { object: 'payment_intent', id: 'pi_1' } } })).toBeNull();
    expect(
      checkoutSessionOfEvent({ data: { object: { object: 'checkout.session', id: 'pi_1' } } }),
    ).toBeNull();
    expect(checkoutSessionOfEvent({ data: { object: null } })).toBeNull();
    expect(checkoutSessionOfEvent({})).toBeNull();
  });
});
