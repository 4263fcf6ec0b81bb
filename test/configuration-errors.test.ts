import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { startProcess } from './support/processes.ts';
import { waitFor } from './support/wait-for.ts';

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
        expect(problems).toContain('  REDIS_URL: is required (or REDIS_CLUSTER_NODES for a Redis Cluster)');
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

  for (const role of ['ingest', 'worker'] as const) {
    it(`${role}: says at start that DATABASE_URL names a database that does not exist`, async () => {
      const missing = new URL(inject('databaseUrl'));
      missing.pathname = `/fulfill_missing_${Date.now()}`;
      const p = startProcess(ENTRIES[role], {
        DATABASE_URL: missing.toString(),
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: `test-missing-db-${Date.now()}`,
        STRIPE_SECRET_KEY: 'sk_test_missing_database',
        STRIPE_WEBHOOK_SECRET: 'whsec_test_missing_database',
        ORDER_ID_SECRET: 'order-id-secret-missing-database',
        SMTP_URL: 'smtp://127.0.0.1:1',
        MAIL_FROM: 'Shop <orders@shop.test>',
        HOST: '127.0.0.1',
        PORT: '0',
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: '0',
      });
      try {
        await waitFor(() => p.output().includes('database-not-ready'), {
          what: 'the missing-database line',
          timeoutMs: 20_000,
        });
        const line =
          p
            .output()
            .split('\n')
            .find((l) => l.includes('database-not-ready')) ?? '';
        expect(JSON.parse(line)).toMatchObject({ level: 50, event: 'database-not-ready' });
        expect(line).toContain(`database ${missing.pathname.slice(1)} does not exist`);
        expect(line).toContain('pnpm run migrate -- --create-database');
      } finally {
        p.signal('SIGKILL');
        await p.exited;
      }
    });
  }

  describe('pnpm run migrate', () => {
    const missingDatabase = () => {
      const url = new URL(inject('databaseUrl'));
      url.pathname = `/fulfill_migrate_${Date.now()}`;
      return url.toString();
    };

    it('prints its usage for --help and touches no database', async () => {
      const p = startProcess(ENTRIES.migrate, { DATABASE_URL: missingDatabase() }, ['--', '--help']);
      expect(await p.exited).toBe(0);
      expect(p.output()).toContain('usage: pnpm run migrate');
      expect(p.output()).not.toContain('migrate failed');
    });

    it('says how to create a database that does not exist, and creates it when asked', async () => {
      const url = missingDatabase();
      const name = new URL(url).pathname.slice(1);
      const plain = startProcess(ENTRIES.migrate, { DATABASE_URL: url });
      expect(await plain.exited).toBe(1);
      expect(plain.output()).toContain(`database "${name}" does not exist`);
      expect(plain.output()).toContain('pnpm run migrate -- --create-database');

      const create = startProcess(ENTRIES.migrate, { DATABASE_URL: url }, ['--create-database']);
      try {
        expect(await create.exited).toBe(0);
        expect(create.output()).toContain(`created database ${name}`);
        expect(create.output()).toContain('migration 0001-orders: applied');
      } finally {
        const admin = new pg.Client({ connectionString: inject('databaseUrl') });
        await admin.connect();
        await admin.query(`drop database if exists ${name}`);
        await admin.end();
      }
    });
  });
});
