import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifiedEvent } from './deps.ts';

/** Why a delivery's signature was refused; a refusal never throws. */
export type SignatureRefusal =
  | 'no-header'
  | 'malformed-header'
  | 'no-match'
  | 'outside-tolerance'
  | 'invalid-json';

export type SignatureCheck = { ok: true; event: VerifiedEvent } | { ok: false; reason: SignatureRefusal };

const SIGNATURE_HEX_LENGTH = 64;

/**
 * Verifies a `Stripe-Signature` header over the raw body, as stripe-node's `webhooks.constructEvent` does, for
 * several secrets at once and without an exception per mismatch: the header's `t` and every `v1` (Stripe sends
 * one per secret while one is rolled), an HMAC-SHA256 of `${t}.${body}` per secret, compared in constant time
 * with each `v1`, then the tolerance (a timestamp older than `toleranceSeconds` is refused; 0 disables the check;
 * a future one is accepted, as stripe-node does), then the body parsed as JSON. `nowSeconds` is for tests.
 */
export function verifyStripeSignature(
  payload: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  toleranceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, reason: 'no-header' };
  let timestamp = -1;
  const signatures: Buffer[] = [];
  // stripe-node's parse: comma-separated `key=value` items; the last `t` wins, every `v1` counts.
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? undefined : item.slice(eq + 1).split('=', 1)[0];
    if (key === 't') timestamp = Number.parseInt(value ?? '', 10);
    else if (key === 'v1' && value !== undefined) signatures.push(Buffer.from(value));
  }
  if (!(timestamp >= 0) || signatures.length === 0) return { ok: false, reason: 'malformed-header' };

  const prefix = `${timestamp}.`;
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', secret).update(prefix).update(payload).digest('hex'));
    for (const signature of signatures) {
      // Lengths are public (every v1 is 64 hex digits); the content is compared in constant time.
      if (signature.length === SIGNATURE_HEX_LENGTH && timingSafeEqual(signature, expected)) matched = true;
    }
  }
  if (!matched) return { ok: false, reason: 'no-match' };
  if (toleranceSeconds > 0 && nowSeconds - timestamp > toleranceSeconds)
    return { ok: false, reason: 'outside-tolerance' };
  try {
    return { ok: true, event: JSON.parse(payload.toString('utf8')) as VerifiedEvent };
  } catch {
    return { ok: false, reason: 'invalid-json' };
  }
}
