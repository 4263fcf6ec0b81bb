import { freePort } from '@fulfill/dev-support';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { processesUsing, startProcess } from '../support/processes.ts';
import { waitFor } from '../support/wait-for.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
});
afterAll(async () => {
  await database?.drop();
});

async function env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `test-start-${Date.now()}`,
    STRIPE_SECRET_KEY: 'sk_test_start',
    STRIPE_API_BASE: 'http://127.0.0.1:9',
    STRIPE_WEBHOOK_SECRET: 'whsec_test_start',
    ORDER_ID_SECRET: 'order-id-secret-for-start-test',
    SMTP_URL: 'smtp://127.0.0.1:9',
    MAIL_FROM: 'Shop <orders@shop.test>',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(await freePort()),
    RECONCILE_EVERY: '1h',
    ...extra,
  };
}

describe('pnpm start (scripts/start.ts)', () => {
  it('migrates, runs the ingest and a worker, and stops both on Ctrl-C with exit code 0', async () => {
    const start = startProcess('scripts/start.ts', await env());
    await waitFor(
      () =>
        /ingest \| .*Server listening/.test(start.output()) &&
        /worker \| .*worker started/.test(start.output()),
      {
        what: 'both processes to start',
        timeoutMs: 30_000,
      },
    );
    expect(start.output()).toContain('migrate | migrate: the database is up to date');
    start.signal('SIGINT');
    expect(await start.exited).toBe(0);
    expect(start.output()).toMatch(/ingest \| .*ingest closed/);
    expect(start.output()).toMatch(/worker \| .*worker closed/);
  }, 60_000);

  it("shows both processes' configuration errors, not only the first to fail, and exits 1", async () => {
    const bad = await env({ ORDER_ID_SECRET: 'short' });
    const start = startProcess('scripts/start.ts', bad);
    expect(await start.exited, start.output()).toBe(1);
    expect(start.output()).toMatch(/ingest \| .*ORDER_ID_SECRET: must be at least 16 characters/);
    expect(start.output()).toMatch(/worker \| .*ORDER_ID_SECRET: must be at least 16 characters/);
  }, 60_000);

  it('stops the services it started when it dies itself, as when its output pipe closes', async () => {
    const start = startProcess('scripts/start.ts', await env());
    try {
      await waitFor(() => /worker \| .*worker started/.test(start.output()), {
        what: 'the worker to start',
        timeoutMs: 30_000,
      });
      expect(processesUsing(database.url).length).toBeGreaterThanOrEqual(3);
      // The next line it writes fails with EPIPE, and it exits.
      start.child.stdout?.destroy();
      start.child.stderr?.destroy();
      await start.exited;
      await waitFor(() => processesUsing(database.url).length === 0, {
        what: 'the ingest and the worker to exit',
        timeoutMs: 30_000,
      });
    } finally {
      for (const pid of processesUsing(database.url)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
