import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder, queuesSettled } from './support/observe.ts';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
const workers: RunningProcess[] = [];
beforeAll(async () => {
  stack = await startStack({ workers: false });
});
afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.signal('SIGKILL');
  await stack?.stop();
});

describe('three worker processes on the same queues', () => {
  it('keep exactly one order per checkout and one confirmation per order under a duplicate-heavy load', async () => {
    for (let i = 0; i < 3; i++) {
      const worker = startProcess(
        'apps/worker/src/worker.ts',
        await serviceEnv(stack, { WORKER_CONCURRENCY: '4' }),
      );
      workers.push(worker);
    }
    await waitFor(() => workers.every((w) => w.output().includes('worker started')), {
      what: 'three workers',
      timeoutMs: 30_000,
    });

    stack.emulator.setLatency(20);
    const checkouts = await Promise.all(Array.from({ length: 40 }, () => completedCheckout(stack.emulator)));
    await Promise.all(
      checkouts.flatMap(({ session, event }) => [
        stack.emulator.deliverEvent(event.id),
        stack.emulator.deliverEvent(event.id),
        stack.emulator.deliverEvent(event.id),
        fetch(`${stack.ingestUrl}/order/checkout-session-success?session_id=${session.id}`),
      ]),
    );
    stack.emulator.setLatency(0);

    const sessionIds = checkouts.map(({ session }) => session.id);
    const orders = await waitFor(
      async () => {
        const rows = await stack.db
          .selectFrom('orders')
          .select(['checkout_session_id', 'order_identifier'])
          .where('checkout_session_id', 'in', sessionIds)
          .execute();
        return rows.length >= 40 ? rows : undefined;
      },
      { what: '40 orders', timeoutMs: 30_000 },
    );
    expect(new Set(orders.map((o) => o.checkout_session_id)).size).toBe(40);
    expect(orders).toHaveLength(40);
    await waitFor(() => orders.every((o) => mailsOfOrder(stack, o.order_identifier).length > 0), {
      what: 'every confirmation',
      timeoutMs: 30_000,
    });
    await queuesSettled(stack, ['email']);
    for (const o of orders) {
      expect(mailsOfOrder(stack, o.order_identifier)).toHaveLength(1);
    }
    const busy = workers.filter((w) => w.output().includes('"msg":"fulfillment"'));
    expect(busy.length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
