import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder } from './support/observe.ts';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { type Stack, startStack, WEBHOOK_SECRET } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

const processes: RunningProcess[] = [];
const stacks: Stack[] = [];
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) p.signal('SIGKILL');
  for (const s of stacks) await s.stop();
});

async function ordersBySession(stack: Stack, sessionIds: string[]) {
  const rows = await stack.db
    .selectFrom('orders')
    .select(['checkout_session_id', 'order_identifier'])
    .where('checkout_session_id', 'in', sessionIds)
    .execute();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.checkout_session_id, (counts.get(r.checkout_session_id) ?? 0) + 1);
  return { rows, counts };
}

describe('SIGTERM to the ingest under load', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    stacks.push(stack);
  });

  it('finishes what is in flight, exits 0, and every webhook that got a 2xx becomes exactly one order', async () => {
    const env = await serviceEnv(stack, { SHUTDOWN_TIMEOUT_MS: '10000' });
    const ingest = startProcess('apps/ingest/src/server.ts', env);
    processes.push(ingest);
    const url = `http://127.0.0.1:${env.PORT}`;
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok, { what: 'the ingest', timeoutMs: 20_000 });

    const checkouts = await Promise.all(Array.from({ length: 60 }, () => completedCheckout(stack.emulator)));
    const accepted = new Set<string>();
    const statuses: Array<number | 'refused'> = [];
    const send = async (i: number) => {
      const { session, event } = checkouts[i % checkouts.length] as (typeof checkouts)[number];
      const payload = JSON.stringify(event);
      try {
        const response = await fetch(`${url}/order/stripe-webhook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': stack.emulator.signPayload(payload, WEBHOOK_SECRET),
          },
          body: payload,
        });
        statuses.push(response.status);
        if (response.ok) accepted.add(session.id);
      } catch {
        statuses.push('refused');
      }
    };
    const load = (async () => {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < 600; i++) {
        inFlight.push(send(i));
        if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await Promise.all(inFlight);
    })();
    await waitFor(() => statuses.length >= 100, { what: 'load to build up', intervalMs: 5 });
    ingest.signal('SIGTERM');
    await load;
    expect(await ingest.exited).toBe(0);
    expect(ingest.output()).toContain('ingest closed');

    // The signal landed mid-load: some webhooks were accepted before it and some refused after.
    expect(accepted.size).toBeGreaterThan(0);
    expect(statuses.some((s) => s !== 200)).toBe(true);
    expect(statuses.filter((s) => s !== 200 && s !== 503 && s !== 'refused')).toEqual([]);
    const sessionIds = [...accepted];
    await waitFor(async () => (await ordersBySession(stack, sessionIds)).rows.length >= sessionIds.length, {
      what: 'an order for every accepted webhook',
      timeoutMs: 30_000,
    });
    const { counts } = await ordersBySession(stack, sessionIds);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(sessionIds.length);
  }, 90_000);
});

describe('SIGTERM to a worker under load', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ workers: false });
    stacks.push(stack);
  });

  it('finishes its active jobs and exits 0; another worker drains the rest; one order and one email each', async () => {
    const first = startProcess(
      'apps/worker/src/worker.ts',
      await serviceEnv(stack, { WORKER_CONCURRENCY: '4', SHUTDOWN_TIMEOUT_MS: '15000' }),
    );
    processes.push(first);
    await waitFor(() => first.output().includes('worker started'), { what: 'the worker', timeoutMs: 20_000 });

    stack.emulator.setLatency(300);
    const checkouts = await Promise.all(Array.from({ length: 30 }, () => completedCheckout(stack.emulator)));
    const deliveries = await Promise.all(checkouts.map(({ event }) => stack.emulator.deliverEvent(event.id)));
    expect(deliveries.flat().every((d) => d.status === 200)).toBe(true);
    await waitFor(async () => (await stack.queues.fulfillment.getActiveCount()) > 0, {
      what: 'active jobs',
      intervalMs: 10,
    });
    const activeAtSignal = (await stack.queues.fulfillment.getActive()).map((j) => j.id);
    first.signal('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('worker closed');
    for (const id of activeAtSignal) {
      expect(await stack.queues.fulfillment.getJobState(id as string), `job ${id} active at SIGTERM`).toBe(
        'completed',
      );
    }
    expect(await stack.queues.fulfillment.getActiveCount()).toBe(0);
    stack.emulator.setLatency(0);

    const second = startProcess('apps/worker/src/worker.ts', await serviceEnv(stack));
    processes.push(second);
    const sessionIds = checkouts.map(({ session }) => session.id);
    await waitFor(async () => (await ordersBySession(stack, sessionIds)).rows.length === 30, {
      what: 'every order',
      timeoutMs: 30_000,
    });
    const { rows, counts } = await ordersBySession(stack, sessionIds);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    await waitFor(() => rows.every((r) => mailsOfOrder(stack, r.order_identifier).length > 0), {
      what: 'every email',
      timeoutMs: 30_000,
    });
    for (const r of rows) {
      expect(mailsOfOrder(stack, r.order_identifier)).toHaveLength(1);
    }
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);
});

describe('a second signal', () => {
  it('forces the worker out at once while a job is still running', async () => {
    const stack = await startStack({ workers: false });
    stacks.push(stack);
    const worker = startProcess(
      'apps/worker/src/worker.ts',
      await serviceEnv(stack, { SHUTDOWN_TIMEOUT_MS: '30000' }),
    );
    processes.push(worker);
    await waitFor(() => worker.output().includes('worker started'), {
      what: 'the worker',
      timeoutMs: 20_000,
    });
    stack.emulator.setLatency(10_000);
    const { event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    await waitFor(async () => (await stack.queues.fulfillment.getActiveCount()) === 1, {
      what: 'the job to start',
    });
    worker.signal('SIGTERM');
    await waitFor(() => worker.output().includes('worker closing'), { what: 'graceful close to begin' });
    const started = Date.now();
    worker.signal('SIGTERM');
    const code = await worker.exited;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(code).not.toBe(0);
    stack.emulator.setLatency(0);
  }, 60_000);
});
