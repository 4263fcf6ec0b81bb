import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('pg_terminate_backend of every project connection, repeatedly, mid-transaction and mid-send', async () => {
  const found = await runScenario({
    name: 'pg_terminate_backend, repeated',
    inject: async ({ stack, postgres, checkouts }) => {
      // A slow final reply and a slow Stripe keep sends and transactions open when the connections drop.
      stack.smtp.faults.finalReplyDelayMs = 200;
      stack.smtp.faults.finalReplyDelayCount = Number.MAX_SAFE_INTEGER;
      stack.emulator.setLatency(30);
      await until(() => checkouts.filter((c) => c.acked).length >= 30);
      let rounds = 0;
      let terminated = 0;
      for (; rounds < 12; rounds++) {
        terminated += await postgres.terminateProjectConnections(stack.database.name);
        await sleep(800);
      }
      stack.smtp.heal();
      stack.emulator.setLatency(0);
      return { faults: `${rounds} rounds, ${terminated} connections terminated`, healedAt: Date.now() };
    },
  });
  expect(found).toEqual([]);
});
