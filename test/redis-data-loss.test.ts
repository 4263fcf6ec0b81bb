import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfKey, ordersOfSession } from './support/observe.ts';
import { type PrivateRedis, startPrivateRedis } from './support/private-redis.ts';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let redis: PrivateRedis;
let stack: Stack;
let worker: RunningProcess | undefined;
beforeAll(async () => {
  redis = await startPrivateRedis();
  stack = await startStack({ workers: false, redisUrl: redis.url });
});
afterAll(async () => {
  if (worker && worker.child.exitCode === null) worker.signal('SIGKILL');
  await stack?.stop();
  await redis?.destroy();
});

const linesOf = (output: string) => output.split('\n').filter((line) => line.trim().length > 0);

describe('a Redis that restarts empty under a running worker', () => {
  it('gets its reconcile schedule back, and the scheduled run alone recovers the lost checkout and the lost email', async () => {
    worker = startProcess(
      'apps/worker/src/worker.ts',
      await serviceEnv(stack, {
        RECONCILE_EVERY: '2s',
        RECONCILE_LOOKBACK: '1h',
        RECONCILE_EMAIL_GRACE: '1s',
      }),
    );
    const w = worker;
    await waitFor(() => w.output().includes('reconcile scheduler ready'), {
      what: 'the worker to schedule the reconciler',
      timeoutMs: 20_000,
    });

    // An order whose confirmation cannot go out yet: its email job is in Redis, retrying.
    await stack.smtp.stop();
    const unsent = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(unsent.event.id);
    const unsentKey = unsent.session.payment_intent as string;
    // Its first send attempt has failed and handed the row back: the job waits in Redis for its retry.
    await waitFor(
      async () => {
        const row = await stack.db
          .selectFrom('email_outbox')
          .select(['state', 'last_error'])
          .executeTakeFirst();
        return row?.state === 'pending' && row.last_error !== null;
      },
      { what: 'a failed first send of the stuck email', intervalMs: 10 },
    );

    // A checkout acknowledged to Stripe (its job is in Redis) that no worker has taken yet.
    w.signal('SIGSTOP');
    const acked = await completedCheckout(stack.emulator);
    const [delivery] = await stack.emulator.deliverEvent(acked.event.id);
    expect(delivery?.status).toBe(200);

    // Redis restarts with nothing: both jobs and the reconcile scheduler are gone.
    await redis.kill();
    await redis.start();
    await stack.smtp.start();
    w.signal('SIGCONT');

    await waitFor(async () => (await stack.queues.reconcile.getJobScheduler('reconcile')) !== undefined, {
      what: 'the reconcile scheduler to be asserted again',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await ordersOfSession(stack, acked.session.id)).length === 1, {
      what: 'the scheduled reconciler to recover the acknowledged checkout',
      timeoutMs: 30_000,
    });
    const ackedKey = acked.session.payment_intent as string;
    await waitFor(
      () => mailsOfKey(stack, ackedKey).length === 1 && mailsOfKey(stack, unsentKey).length === 1,
      {
        what: 'both confirmations',
        timeoutMs: 30_000,
      },
    );
    // A few more runs change nothing.
    const finishedRuns = () =>
      linesOf(w.output()).filter((line) => line.includes('"event":"reconcile-finished"')).length;
    const runsSoFar = finishedRuns();
    await waitFor(() => finishedRuns() >= runsSoFar + 2, {
      what: 'two more reconcile runs',
      timeoutMs: 20_000,
    });
    expect(await ordersOfSession(stack, acked.session.id)).toHaveLength(1);
    expect(await ordersOfSession(stack, unsent.session.id)).toHaveLength(1);
    expect(mailsOfKey(stack, ackedKey)).toHaveLength(1);
    expect(mailsOfKey(stack, unsentKey)).toHaveLength(1);

    expect(w.child.exitCode).toBeNull();
    const events = () =>
      linesOf(w.output()).map((line) => JSON.parse(line) as { event?: string; msg?: string; level: number });
    expect(
      events().some((e) => e.msg === 'reconcile scheduler restored'),
      w.output(),
    ).toBe(true);
    expect(
      events().some((e) => e.event === 'reconcile-email-requeued'),
      w.output(),
    ).toBe(true);

    // Now an outage the worker lives through awake: Redis down for 3 s while it keeps reconnecting.
    const before = events().length;
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await redis.start();
    // Only a line after the kill counts: the first outage has logged one already.
    await waitFor(
      () =>
        events()
          .slice(before)
          .some((e) => e.event === 'redis-connection-restored'),
      {
        what: 'the worker to see Redis back',
        timeoutMs: 20_000,
      },
    );
    const during = events().slice(before);
    // One line for the outage and one for its end, not one per reconnect attempt or per connection.
    expect(during.filter((e) => e.event === 'redis-connection-lost')).toHaveLength(1);
    expect(during.filter((e) => e.event === 'redis-connection-restored')).toHaveLength(1);
    expect(during.length).toBeLessThan(10);
    expect(w.child.exitCode).toBeNull();

    // Every line is one JSON object, through both outages: no raw stack traces.
    for (const line of linesOf(w.output())) expect(() => JSON.parse(line), line).not.toThrow();
    expect(w.output()).not.toContain('ada@example.com');

    // A clean stop once every worker's connection is back. A SIGTERM that meets one still reconnecting waits out
    // SHUTDOWN_TIMEOUT_MS and exits 1 (BullMQ's close waits for that connection to end), as docs/operations.md says.
    const { fulfillment, email, reconcile, paymentChange } = stack.queues;
    await waitFor(
      async () =>
        (
          await Promise.all([fulfillment, email, reconcile, paymentChange].map((q) => q.getWorkersCount()))
        ).every((count) => count > 0),
      { what: "the worker's connections to every queue", timeoutMs: 20_000 },
    );
    w.signal('SIGTERM');
    expect(await w.exited, w.output().slice(-3000)).toBe(0);
  }, 120_000);
});
