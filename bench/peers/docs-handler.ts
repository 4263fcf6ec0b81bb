/**
 * Peer (p) of `pnpm run bench`: the handler Stripe's and BullMQ's docs lead to. Fastify with a raw-body parser,
 * stripe-node's `constructEvent` with one secret, and one `queue.add` with the payment intent as the job id.
 * Environment: PORT (0: any), REDIS_URL, QUEUE_PREFIX, STRIPE_WEBHOOK_SECRET (the first secret is used).
 * Prints `listening <port>`.
 */
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import Stripe from 'stripe';

const secret = (process.env.STRIPE_WEBHOOK_SECRET ?? '').split(',')[0] ?? '';
const stripe = new Stripe('sk_test_peer');
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: null,
});
const queue = new Queue('fulfillment', { connection, prefix: process.env.QUEUE_PREFIX ?? 'bench-peer' });

const app = Fastify({ logger: false });
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
  done(null, body),
);
app.post('/order/stripe-webhook', async (request, reply) => {
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(
      request.body as Buffer,
      request.headers['stripe-signature'] as string,
      secret,
    );
  } catch {
    return reply.code(400).send({ error: 'invalid-signature' });
  }
  if (event.type === 'checkout.session.completed') {
    const session = event.data.object;
    const paymentIntent = typeof session.payment_intent === 'string' ? session.payment_intent : session.id;
    await queue.add('fulfill-checkout', { sessionId: session.id }, { jobId: paymentIntent });
  }
  return { received: true };
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`listening ${(app.server.address() as AddressInfo).port}\n`);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => queue.close())
    .then(() => connection.quit())
    .finally(() => process.exit(0));
});
