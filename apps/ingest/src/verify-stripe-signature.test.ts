import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { verifyStripeSignature } from './verify-stripe-signature.ts';

const stripe = new Stripe('sk_test_signature');
const NEW = 'whsec_new_0123456789abcdef';
const OLD = 'whsec_old_fedcba9876543210';
const NOW = 1_760_000_000;
const TOLERANCE = 300;
const event = {
  id: 'evt_1',
  type: 'checkout.session.completed',
  created: NOW,
  data: { object: { id: 'cs_1' } },
};
const body = JSON.stringify({ ...event, note: 'naïve café ☕' });

/** stripe-node's own header for `payload`, signed with each secret at `timestamp`, as one header. */
function header(payload: string, secrets: string[], timestamp = NOW): string {
  const v1 = secrets.map((secret) => {
    const one = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
    return one.slice(one.indexOf(',') + 1);
  });
  return [`t=${timestamp}`, ...v1].join(',');
}

/** What stripe-node's `constructEvent` decides for the same input with any of the secrets. */
function stripeAccepts(payload: string, value: string, secrets: string[], tolerance = TOLERANCE): boolean {
  return secrets.some((secret) => {
    try {
      stripe.webhooks.constructEvent(payload, value, secret, tolerance, undefined, NOW * 1000);
      return true;
    } catch {
      return false;
    }
  });
}

const ours = (payload: string, value: string | undefined, secrets: string[], tolerance = TOLERANCE) =>
  verifyStripeSignature(Buffer.from(payload), value, secrets, tolerance, NOW);

describe('verifyStripeSignature, against stripe-node', () => {
  const cases: Array<[string, string, string | undefined, string[], number?]> = [
    ['one v1, one secret', body, header(body, [NEW]), [NEW]],
    ['one v1 per secret while rolling, both configured', body, header(body, [NEW, OLD]), [NEW, OLD]],
    ['signed with the old secret only, both configured', body, header(body, [OLD]), [NEW, OLD]],
    ['signed with the new secret, only the old configured', body, header(body, [NEW]), [OLD]],
    ['a v1 per secret, neither configured', body, header(body, [NEW, OLD]), ['whsec_other']],
    ['a tampered body', `${body} `, header(body, [NEW]), [NEW]],
    ['a timestamp just inside the tolerance', body, header(body, [NEW], NOW - TOLERANCE), [NEW]],
    ['a timestamp just outside the tolerance', body, header(body, [NEW], NOW - TOLERANCE - 1), [NEW]],
    ['an old timestamp with the tolerance off', body, header(body, [NEW], NOW - 10_000), [NEW], 0],
    ['a timestamp in the future', body, header(body, [NEW], NOW + 10_000), [NEW]],
    ['a re-signed timestamp', body, header(body, [NEW]).replace(`t=${NOW}`, `t=${NOW + 1}`), [NEW]],
    ['no t', body, header(body, [NEW]).replace(`t=${NOW},`, ''), [NEW]],
    ['no v1', body, `t=${NOW}`, [NEW]],
    ['only a v0', body, header(body, [NEW]).replace('v1=', 'v0='), [NEW]],
    [
      'an upper-case signature',
      body,
      header(body, [NEW]).toUpperCase().replace('T=', 't=').replace('V1=', 'v1='),
      [NEW],
    ],
    ['a truncated signature', body, header(body, [NEW]).slice(0, -1), [NEW]],
    [
      'the valid v1 after a bad one',
      body,
      `t=${NOW},v1=${'0'.repeat(64)},${header(body, [NEW]).split(',')[1]}`,
      [NEW],
    ],
    ['an extra scheme beside v1', body, `${header(body, [NEW])},v0=abc`, [NEW]],
    ['a space before v1', body, header(body, [NEW]).replace(',v1=', ', v1='), [NEW]],
    ['garbage', body, 'not a signature', [NEW]],
  ];
  it.each(cases)('%s: decides as stripe-node does', (_name, payload, value, secrets, tolerance) => {
    const expected = stripeAccepts(payload, value ?? '', secrets, tolerance);
    expect(ours(payload, value, secrets, tolerance).ok).toBe(expected);
  });

  it('accepts what stripe-node accepts, with the parsed event', () => {
    const result = ours(body, header(body, [NEW, OLD]), [OLD]);
    expect(result).toEqual({ ok: true, event: JSON.parse(body) });
    expect(stripeAccepts(body, header(body, [NEW, OLD]), [OLD])).toBe(true);
  });

  it('says why it refuses, without throwing', () => {
    expect(ours(body, undefined, [NEW])).toEqual({ ok: false, reason: 'no-header' });
    expect(ours(body, 'v1=abc', [NEW])).toEqual({ ok: false, reason: 'malformed-header' });
    expect(ours(body, header(body, [OLD]), [NEW])).toEqual({ ok: false, reason: 'no-match' });
    expect(ours(body, header(body, [NEW], NOW - 301), [NEW])).toEqual({
      ok: false,
      reason: 'outside-tolerance',
    });
    expect(ours('{not json', header('{not json', [NEW]), [NEW])).toEqual({
      ok: false,
      reason: 'invalid-json',
    });
    expect(ours(body, header(body, [NEW]), [])).toEqual({ ok: false, reason: 'no-match' });
  });
});
