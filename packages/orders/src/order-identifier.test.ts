import { describe, expect, it } from 'vitest';
import { fulfillmentKeyOf, ORDER_IDENTIFIER_PATTERN, orderIdentifierFor } from './order-identifier.ts';

describe('orderIdentifierFor', () => {
  it('is 10 base62 characters', () => {
    for (let i = 0; i < 200; i++) {
      expect(orderIdentifierFor(`pi_${i}`, 'secret-secret-secret')).toMatch(ORDER_IDENTIFIER_PATTERN);
    }
  });

  it('is the same for the same key and secret, whichever path computes it', () => {
    expect(orderIdentifierFor('pi_123', 'secret-a-secret-a')).toBe(
      orderIdentifierFor('pi_123', 'secret-a-secret-a'),
    );
  });

  it('differs across keys and across secrets', () => {
    const ids = new Set(
      Array.from({ length: 5000 }, (_, i) => orderIdentifierFor(`pi_${i}`, 'secret-secret-secret')),
    );
    expect(ids.size).toBe(5000);
    expect(orderIdentifierFor('pi_1', 'secret-a-secret-a')).not.toBe(
      orderIdentifierFor('pi_1', 'secret-b-secret-b'),
    );
  });
});

describe('fulfillmentKeyOf', () => {
  it('is the payment intent id, expanded or not', () => {
    expect(fulfillmentKeyOf({ id: 'cs_1', payment_intent: 'pi_1' })).toBe('pi_1');
    expect(fulfillmentKeyOf({ id: 'cs_1', payment_intent: { id: 'pi_2' } })).toBe('pi_2');
  });

  it('falls back to the session id when there is no payment intent', () => {
    expect(fulfillmentKeyOf({ id: 'cs_1', payment_intent: null })).toBe('cs_1');
  });
});
