import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('SMTP answering 421 and then 451 for a while: every confirmation arrives once', async () => {
  const found = await runScenario({
    name: 'SMTP 421/451',
    quiescenceTimeoutMs: 120_000,
    inject: async ({ stack, checkouts }) => {
      await until(() => checkouts.filter((c) => c.acked).length >= 30);
      stack.smtp.faults.greeting = 421;
      await sleep(8000);
      stack.smtp.faults.greeting = null;
      stack.smtp.faults.afterData = 451;
      await sleep(8000);
      stack.smtp.heal();
      const { greetingsRefused, temporaryFailures } = stack.smtp.stats;
      return {
        faults: `${greetingsRefused}×421 greeting (8 s), ${temporaryFailures}×451 after data (8 s)`,
        healedAt: Date.now(),
      };
    },
  });
  expect(found).toEqual([]);
});
