import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder } from './support/observe.ts';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
const processes: RunningProcess[] = [];
beforeAll(async () => {
  stack = await startStack({ workers: false });
});
afterAll(async () => {
  for (const p of processes) {
    if (p.child.exitCode === null) p.signal('SIGKILL');
  }
  await stack?.stop();
});

const workerEnv = () => serviceEnv(stack);

describe('a worker killed mid-job', () => {
  it('leaves the job to be retried by another worker, and there is still one order and one email', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    const key = session.payment_intent as string;
    // The job waits in Redis before any worker runs, so that it, and not the worker's first reconcile run, makes
    // the order; and Stripe answers slowly, so the job is still mid-flight when the worker dies.
    await stack.emulator.deliverEvent(event.id);
    stack.emulator.setLatency(3000);
    const first = startProcess('apps/worker/src/worker.ts', await workerEnv());
    processes.push(first);
    await waitFor(() => first.output().includes('worker started'), {
      what: 'the first worker',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await stack.queues.fulfillment.getJobState(key)) === 'active', {
      what: 'the job to start',
      intervalMs: 10,
    });
    first.signal('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(await stack.db.selectFrom('orders').select('id').execute()).toHaveLength(0);
    stack.emulator.setLatency(0);

    const second = startProcess('apps/worker/src/worker.ts', await workerEnv());
    processes.push(second);
    const identifier = orderIdentifierFor(key, ORDER_ID_SECRET);
    await waitFor(() => mailsOfOrder(stack, identifier).length > 0, {
      what: 'the confirmation from the second worker',
      timeoutMs: 25_000,
    });
    const orders = await stack.db.selectFrom('orders').selectAll().execute();
    expect(orders).toHaveLength(1);
    expect(orders[0]?.order_identifier).toBe(identifier);
    expect(mailsOfOrder(stack, identifier)).toHaveLength(1);
    // The email can go out before BullMQ has recorded the fulfillment job's completion: wait for that record.
    await waitFor(async () => (await stack.queues.fulfillment.getJobState(key)) === 'completed', {
      what: 'the fulfillment job to be recorded complete',
    });

    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('worker closed');
    expect(second.output()).not.toContain('ada@example.com');
  }, 60_000);
});
