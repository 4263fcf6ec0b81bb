import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('Redis with AOF killed and restarted loses nothing', async () => {
  const found = await runScenario({
    name: 'Redis killed, AOF',
    redis: 'aof',
    inject: async ({ stack, redis, checkouts }) => {
      stack.emulator.setLatency(100);
      await until(() => checkouts.filter((c) => c.acked).length >= 80);
      const backlog = await stack.queues.fulfillment.getWaitingCount();
      await redis.kill();
      await sleep(3000);
      await redis.start();
      stack.emulator.setLatency(0);
      return { faults: `SIGKILL, down 3 s (${backlog} jobs waiting)`, healedAt: Date.now() };
    },
  });
  expect(found).toEqual([]);
});
