import { describe, expect, it } from 'vitest';
import { startProcess } from './support/processes.ts';

const ENTRIES = {
  ingest: 'apps/ingest/src/server.ts',
  worker: 'apps/worker/src/worker.ts',
  migrate: 'packages/db/src/migrate-cli.ts',
} as const;

async function run(entry: string, env: Record<string, string>) {
  const p = startProcess(entry, env);
  const code = await p.exited;
  return { code, output: p.output() };
}

describe('a process started with a bad configuration', () => {
  for (const [role, entry] of Object.entries(ENTRIES)) {
    it(`${role}: exits 1 naming each missing variable on a line of its own`, async () => {
      const { code, output } = await run(entry, {});
      expect(code).toBe(1);
      const problems = output.split('\n').filter((l) => /^ {2}[A-Z_]+: /.test(l));
      expect(problems).toContain('  DATABASE_URL: is required');
      if (role !== 'migrate') {
        expect(problems).toContain('  REDIS_URL: is required');
        expect(problems).toContain('  STRIPE_SECRET_KEY: is required');
        expect(problems).toContain('  ORDER_ID_SECRET: is required');
      }
      if (role === 'worker') expect(problems).toContain('  SMTP_URL: is required');
      expect(output).toContain(`${role}: invalid configuration`);
    });
  }

  it('names an invalid value without printing it', async () => {
    const { code, output } = await run(ENTRIES.worker, {
      DATABASE_URL: 'mysql://root:hunter2-db-password@db/fulfill',
      REDIS_URL: 'redis://127.0.0.1:6379',
      STRIPE_SECRET_KEY: 'pk_live_not_a_secret_key_value',
      ORDER_ID_SECRET: 'short',
      SMTP_URL: 'smtp://user:smtp-password-value@mail:25',
      MAIL_FROM: 'shop@example.com',
      WORKER_CONCURRENCY: 'lots',
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /^ {2}DATABASE_URL: must be a URL starting with postgres:\/\/ or postgresql:\/\/$/m,
    );
    expect(output).toMatch(/^ {2}STRIPE_SECRET_KEY: must be a Stripe secret or restricted key/m);
    expect(output).toMatch(/^ {2}ORDER_ID_SECRET: must be at least 16 characters$/m);
    expect(output).toMatch(/^ {2}WORKER_CONCURRENCY: must be a whole number from 1 to 256$/m);
    for (const secret of ['hunter2', 'pk_live_not_a_secret_key_value', 'short', 'smtp-password-value']) {
      expect(output).not.toContain(secret);
    }
  });

  it('rejects an API key pasted as the webhook secret and a sender without an address, naming each', async () => {
    const ingest = await run(ENTRIES.ingest, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'sk_test_pasted_instead_of_whsec',
      ORDER_ID_SECRET: 'order-id-secret-0123456789',
    });
    expect(ingest.code).toBe(1);
    expect(ingest.output).toMatch(/^ {2}STRIPE_WEBHOOK_SECRET: must be webhook signing secrets \(whsec_…\)/m);
    expect(ingest.output).not.toContain('pasted_instead_of_whsec');
    const worker = await run(ENTRIES.worker, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
      STRIPE_SECRET_KEY: 'sk_test_x',
      ORDER_ID_SECRET: 'order-id-secret-0123456789',
      SMTP_URL: 'smtp://127.0.0.1:1025',
      MAIL_FROM: 'Shop',
    });
    expect(worker.code).toBe(1);
    expect(worker.output).toMatch(/^ {2}MAIL_FROM: must hold an email address/m);
  });

  it('reports a NAME_FILE that cannot be read', async () => {
    const { code, output } = await run(ENTRIES.ingest, {
      DATABASE_URL_FILE: '/run/secrets/does-not-exist',
      REDIS_URL: 'redis://127.0.0.1:6379',
      STRIPE_SECRET_KEY: 'sk_test_x',
      ORDER_ID_SECRET: 'order-id-secret-0123456789',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^ {2}DATABASE_URL_FILE: cannot read \/run\/secrets\/does-not-exist \(ENOENT\)$/m);
    expect(output).not.toMatch(/DATABASE_URL: is required/);
  });
});
