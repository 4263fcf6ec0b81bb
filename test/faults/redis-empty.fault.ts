import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('Redis without persistence restarted empty: the scheduled reconciler recovers every order and email', async () => {
  const found = await runScenario({
    name: 'Redis killed, no persistence',
    redis: 'none',
    // No operator action: only the worker's own schedule, re-asserted after Redis comes back, may recover.
    workerEnv: { RECONCILE_EVERY: '5s', RECONCILE_LOOKBACK: '1h' },
    quiescenceTimeoutMs: 150_000,
    inject: async ({ stack, redis, checkouts }) => {
      stack.emulator.setLatency(150);
      await until(() => checkouts.filter((c) => c.acked).length >= 100);
      const backlog =
        (await stack.queues.fulfillment.getWaitingCount()) + (await stack.queues.email.getWaitingCount());
      await redis.kill();
      await sleep(2000);
      await redis.start();
      stack.emulator.setLatency(0);
      return { faults: `SIGKILL, restarted empty (${backlog} jobs lost)`, healedAt: Date.now() };
    },
  });
  expect(found).toEqual([]);
});
