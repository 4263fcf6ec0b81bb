import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('SMTP answering 451 and then 421 for a while: every confirmation arrives once', async () => {
  const found = await runScenario({
    name: 'SMTP 421/451',
    quiescenceTimeoutMs: 120_000,
    inject: async ({ stack, checkouts }) => {
      stack.smtp.faults.finalReplyDelayMs = 100;
      stack.smtp.faults.finalReplyDelayCount = Number.MAX_SAFE_INTEGER;
      await until(() => checkouts.filter((c) => c.acked).length >= 30);
      // 451 first: it hits the pooled connections already open. Then a restart drops them, so every new
      // connection meets the 421 greeting.
      stack.smtp.faults.afterData = 451;
      await sleep(8000);
      stack.smtp.faults.finalReplyDelayCount = 0;
      stack.smtp.faults.afterData = null;
      stack.smtp.faults.greeting = 421;
      await stack.smtp.stop();
      await stack.smtp.start();
      await sleep(8000);
      stack.smtp.heal();
      const { greetingsRefused, temporaryFailures } = stack.smtp.stats;
      const problems =
        greetingsRefused === 0 || temporaryFailures === 0 ? ['the 421/451 fault never hit a send'] : [];
      return {
        faults: `${temporaryFailures}×451 after data (8 s), ${greetingsRefused}×421 greeting (8 s)`,
        healedAt: Date.now(),
        problems,
      };
    },
  });
  expect(found).toEqual([]);
});
