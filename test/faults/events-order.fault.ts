import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { createTestSession } from '../support/checkout.ts';
import { WEBHOOK_SECRET } from '../support/stack.ts';
import { waitFor } from '../support/wait-for.ts';
import type { FaultStack } from './support/fault-stack.ts';
import { runScenario } from './support/scenario.ts';
import { type Checkout, deliverWebhook, until } from './support/traffic.ts';

/** POSTs a hand-made event to the ingest, signed as Stripe would sign it. */
async function postEvent(stack: FaultStack, event: unknown): Promise<number> {
  const payload = JSON.stringify(event);
  const response = await fetch(`${stack.ingestUrl}/order/stripe-webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stack.emulator.signPayload(payload, WEBHOOK_SECRET),
    },
    body: payload,
  });
  await response.arrayBuffer();
  return response.status;
}

it('events out of order and redelivered converge on one order and one email', async () => {
  const found = await runScenario({
    name: 'events out of order and redelivered',
    quiescenceTimeoutMs: 90_000,
    inject: async ({ stack, checkouts }) => {
      const problems: string[] = [];
      const { emulator } = stack;
      // Delayed payments whose async_payment_succeeded arrives before their completed.
      const early: Checkout[] = [];
      for (let i = 0; i < 10; i++) {
        const email = `async-${i}@example.com`;
        const session = createTestSession(emulator);
        const completed = await emulator.completeCheckoutSession(session.id, {
          paymentStatus: 'unpaid',
          deliver: false,
          customerDetails: { name: `Async ${i}`, email },
        });
        const succeeded = await emulator.settleAsyncPayment(session.id, 'succeeded', { deliver: false });
        const checkout: Checkout = {
          sessionId: session.id,
          eventId: succeeded.event.id,
          kind: 'paid',
          email,
          route: 'webhook',
          acked: false,
        };
        early.push(checkout);
        checkouts.push(checkout);
        await deliverWebhook(stack, checkout);
        await emulator.deliverEvent(completed.event.id);
      }

      await until(() => checkouts.filter((c) => c.acked).length >= 100);
      // `expired` after `completed`, for paid checkouts that are already in.
      const paidIn = checkouts.filter((c) => c.kind === 'paid' && c.acked && !early.includes(c)).slice(0, 10);
      let expiredSent = 0;
      for (const [i, c] of paidIn.entries()) {
        const event = structuredClone(emulator.getEvent(c.eventId)) as unknown as {
          id: string;
          type: string;
          data: { object: { status: string } };
        };
        event.id = `evt_late_expired_${i}_${c.sessionId.slice(-12)}`;
        event.type = 'checkout.session.expired';
        event.data.object.status = 'expired';
        const status = await postEvent(stack, event);
        if (status !== 200) problems.push(`a late expired event was answered ${status}`);
        expiredSent += 1;
      }

      // One event delivered 20 times over 30 s.
      const repeated = paidIn[0] as Checkout;
      for (let i = 0; i < 20; i++) {
        await deliverWebhook(stack, repeated);
        await sleep(1500);
      }

      // A redelivery after its completed job was removed from the queue.
      const target = paidIn[1] as Checkout;
      const key = emulator.getSession(target.sessionId)?.payment_intent as string;
      const job = await waitFor(
        async () => {
          const j = await stack.queues.fulfillment.getJob(key);
          return j && (await j.getState()) === 'completed' ? j : undefined;
        },
        { what: 'the fulfillment job to complete', timeoutMs: 60_000 },
      );
      await job.remove();
      await deliverWebhook(stack, target);
      return {
        faults: `10 succeeded-before-completed, ${expiredSent} expired-after-completed, 1 event ×20 over 30 s, 1 redelivery after job removal`,
        healedAt: Date.now(),
        problems,
      };
    },
  });
  expect(found).toEqual([]);
});
