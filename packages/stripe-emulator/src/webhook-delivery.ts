import Stripe from 'stripe';
import type { DeliveryResult } from './types.ts';

/**
 * Returns a `Stripe-Signature` header value (`t=…,v1=…`) for `payload`, signed with `secret` at
 * `timestamp` (unix seconds, default now), exactly as Stripe signs webhook deliveries.
 */
export function signPayload(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}

/** One header carrying a `v1` signature per secret, as Stripe sends while a secret is being rolled. */
export function signatureHeader(payload: string, secrets: string[], timestamp: number): string {
  const signatures = secrets.map((secret) => {
    const header = signPayload(payload, secret, timestamp);
    return header.slice(header.indexOf(',') + 1);
  });
  return [`t=${timestamp}`, ...signatures].join(',');
}

export async function postWebhook(
  url: string,
  payload: string,
  signature: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<DeliveryResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': signature,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
    return { url, status: response.status, body: await response.text() };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { url, status: 0, body: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}
