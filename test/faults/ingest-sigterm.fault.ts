import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('the ingest SIGTERMed under load and restarted: every acknowledged checkout becomes one order', async () => {
  const found = await runScenario({
    name: 'ingest SIGTERM under load',
    inject: async ({ stack, checkouts }) => {
      await until(() => checkouts.filter((c) => c.acked).length >= 60);
      const [ingest] = stack.processes.filter((p) => p.role === 'ingest');
      if (!ingest) throw new Error('no ingest');
      const code = await stack.stopProcess(ingest, 'SIGTERM');
      const acked = checkouts.filter((c) => c.acked).length;
      await stack.startIngest();
      // Stripe retries what the ingest never acknowledged; the suite's redelivery stands in for that.
      return {
        faults: `SIGTERM (exit ${code}) after ${acked} acknowledged, restarted`,
        healedAt: Date.now(),
        problems: code === 0 ? [] : [`the ingest exited ${code} on SIGTERM`],
      };
    },
  });
  expect(found).toEqual([]);
});
