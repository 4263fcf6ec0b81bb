import type { FastifyInstance } from 'fastify';
import type { Stack } from './stack.ts';
import { WEBHOOK_SECRET } from './stack.ts';

/** POSTs a raw payload to the webhook route through `inject`, signed with `secret` (the stack's by default). */
export function postSignedWebhook(
  stack: Stack,
  payload: string,
  options: { secret?: string; app?: FastifyInstance } = {},
) {
  return (options.app ?? stack.app).inject({
    method: 'POST',
    url: '/order/stripe-webhook',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stack.emulator.signPayload(payload, options.secret ?? WEBHOOK_SECRET),
    },
    payload,
  });
}
