import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('SMTP refusing connections for 30 s delays confirmations without losing or doubling one', async () => {
  const found = await runScenario({
    name: 'SMTP down 30 s',
    quiescenceTimeoutMs: 120_000,
    inject: async ({ stack, checkouts }) => {
      await until(() => checkouts.filter((c) => c.acked).length >= 40);
      await stack.smtp.stop();
      await sleep(30_000);
      await stack.smtp.start();
      return { faults: 'connections refused 30 s', healedAt: Date.now() };
    },
  });
  expect(found).toEqual([]);
});
