import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

const API = /^\/v1\//;

it('the Stripe API failing with 500s, 429s with Retry-After, 5 s latency and connection resets heals', async () => {
  const found = await runScenario({
    name: 'Stripe API faults',
    quiescenceTimeoutMs: 120_000,
    inject: async ({ stack, checkouts }) => {
      const { emulator } = stack;
      await until(() => checkouts.filter((c) => c.acked).length >= 20);
      emulator.injectFault({ path: API, status: 500, count: 40 });
      await sleep(1500);
      emulator.injectFault({ path: API, status: 429, count: 40, retryAfter: 1 });
      await sleep(1500);
      emulator.setLatency(5000);
      await sleep(8000);
      emulator.setLatency(0);
      emulator.injectFault({ path: API, status: 500, count: 40, kind: 'reset' });
      await sleep(1500);
      emulator.clearFaults();
      return {
        faults: '40×500, 40×429 (Retry-After 1), 5 s latency for 8 s, 40 resets',
        healedAt: Date.now(),
      };
    },
  });
  expect(found).toEqual([]);
});
