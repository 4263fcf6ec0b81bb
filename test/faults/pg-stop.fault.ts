import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('the private Postgres stopped for 10 s heals without loss', async () => {
  const found = await runScenario({
    name: 'Postgres stopped 10 s',
    inject: async ({ postgres, checkouts }) => {
      await until(() => checkouts.filter((c) => c.acked).length >= 60);
      await postgres.stop();
      await sleep(10_000);
      await postgres.start();
      return { faults: 'fast shutdown, down 10 s', healedAt: Date.now() };
    },
  });
  expect(found).toEqual([]);
});
