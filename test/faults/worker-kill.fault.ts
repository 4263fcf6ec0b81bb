import { expect, it } from 'vitest';
import { runScenario } from './support/scenario.ts';
import { until } from './support/traffic.ts';

it('a worker SIGKILLed mid-batch and restarted leaves one order and one email per paid checkout', async () => {
  const found = await runScenario({
    name: 'worker SIGKILL mid-batch',
    inject: async ({ stack, checkouts }) => {
      // Stripe answers slowly, so the worker is in the middle of a batch of jobs when it dies.
      stack.emulator.setLatency(150);
      await until(() => checkouts.filter((c) => c.acked).length >= 60);
      const [worker] = stack.processes.filter((p) => p.role === 'worker');
      if (!worker) throw new Error('no worker');
      const active = await stack.queues.fulfillment.getActiveCount();
      await stack.stopProcess(worker, 'SIGKILL');
      stack.emulator.setLatency(0);
      await stack.startWorker();
      return { faults: `1 SIGKILL (${active} jobs active)`, healedAt: Date.now() };
    },
  });
  expect(found).toEqual([]);
});
