import { defineConfig } from 'vitest/config';

// `pnpm run test:faults`: the fault suite, apart from `pnpm test`. Scenarios run one at a time, each against
// its own private Postgres and Redis, because each one loads the whole machine and some stop services.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    globalSetup: ['test/faults/support/global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
