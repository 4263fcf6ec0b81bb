import { defineConfig } from 'vitest/config';

/**
 * The scenarios `FAULTS_SUBSET=ci` runs: one of each kind of fault (a process killed, Redis lost, Postgres
 * connections dropped, a mail server failing, Stripe failing, events out of order) and the abuse checks.
 */
const CI_SUBSET = [
  'test/faults/worker-kill.fault.ts',
  'test/faults/redis-empty.fault.ts',
  'test/faults/pg-terminate.fault.ts',
  'test/faults/smtp-tempfail.fault.ts',
  'test/faults/stripe-faults.fault.ts',
  'test/faults/events-order.fault.ts',
  'test/faults/abuse.fault.ts',
];

// `pnpm run test:faults`: the fault suite, apart from `pnpm test`. Scenarios run one at a time, each against
// its own private Postgres and Redis, because each one loads the whole machine and some stop services.
export default defineConfig({
  test: {
    include: process.env.FAULTS_SUBSET === 'ci' ? CI_SUBSET : ['test/faults/**/*.fault.ts'],
    globalSetup: ['test/faults/support/global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
