import Stripe from 'stripe';

/**
 * Creates the Stripe client. `apiBase` points it at a Stripe-compatible API such as the local emulator
 * (`http://127.0.0.1:12111`); unset means Stripe itself.
 */
export function createStripeClient(options: {
  secretKey: string;
  apiBase?: string | undefined;
  maxNetworkRetries?: number;
  timeoutMs?: number;
}): Stripe {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  return new Stripe(options.secretKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 10_000,
    appInfo: { name: 'fulfill' },
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}

export type { Stripe };
