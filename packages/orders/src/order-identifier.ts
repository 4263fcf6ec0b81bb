import { createHmac } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LENGTH = 10;
const SPACE = 62n ** BigInt(LENGTH);

/**
 * The customer-facing order identifier: 10 base62 characters, HMAC-SHA256 of the fulfillment key under the
 * server secret. Every path computes the same identifier before the order exists, and nobody without the
 * secret can guess the identifier of another order.
 */
export function orderIdentifierFor(fulfillmentKey: string, secret: string): string {
  const digest = createHmac('sha256', secret).update(fulfillmentKey).digest();
  let value = digest.readBigUInt64BE(0) % SPACE;
  let out = '';
  for (let i = 0; i < LENGTH; i++) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

export const ORDER_IDENTIFIER_PATTERN = /^[0-9A-Za-z]{10}$/;

/**
 * The key an order is deduplicated by: the payment intent id, or the Checkout Session id where the session has
 * no payment intent (a 100%-discounted order).
 */
export function fulfillmentKeyOf(session: {
  id: string;
  payment_intent?: string | { id: string } | null;
}): string {
  const pi = session.payment_intent;
  if (typeof pi === 'string') return pi;
  return pi?.id ?? session.id;
}
