/**
 * `pnpm run demo` when things go wrong: it says what in one line, and leaves no process of its own behind.
 */
import { randomUUID } from 'node:crypto';
import { freePort } from '@fulfill/dev-support';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startPrivateRedis } from '../support/private-redis.ts';
import { processesUsing, startProcess } from '../support/processes.ts';

const created: string[] = [];
afterAll(async () => {
  const admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

/** A database URL of the test's own that does not exist yet: the demo creates it. */
function freshDatabaseUrl(): string {
  const name = `fulfill_demo_test_${randomUUID().replaceAll('-', '')}`;
  created.push(name);
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

function demo(env: Record<string, string>, checkouts: number) {
  return startProcess('scripts/demo.ts', env, ['--checkouts', String(checkouts)]);
}

const outputLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

describe('pnpm run demo', () => {
  it('with Redis unreachable: fails within seconds in one line naming REDIS_URL', async () => {
    const databaseUrl = freshDatabaseUrl();
    const result = await demo(
      { DATABASE_URL: databaseUrl, REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
      3,
    ).finished;
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(15_000);
    const errors = outputLines(result.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^demo: FAIL: Redis at 127\.0\.0\.1:\d+ does not answer: .*ECONNREFUSED.*REDIS_URL/,
    );
    expect(processesUsing(databaseUrl)).toEqual([]);
  });

  it('when Redis dies mid-run: stops its ingest and worker, and says so briefly', {
    timeout: 90_000,
  }, async () => {
    const redis = await startPrivateRedis();
    const databaseUrl = freshDatabaseUrl();
    try {
      const run = demo({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url }, 5000);
      await run.printed('» running');
      expect(processesUsing(databaseUrl).length).toBeGreaterThanOrEqual(2);
      await redis.kill();
      const result = await run.finished;
      expect(result.code).toBe(1);
      expect(outputLines(result.stderr).length).toBeLessThanOrEqual(3);
      expect(result.stderr).toMatch(/^demo: FAIL: .+\. Fix: .+\.$/m);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(processesUsing(databaseUrl)).toEqual([]);
    } finally {
      await redis.destroy();
    }
  });

  it('runs twice at once against a database that does not exist yet: both create it and pass', {
    timeout: 90_000,
  }, async () => {
    const env = { DATABASE_URL: freshDatabaseUrl(), REDIS_URL: inject('redisUrl') };
    const [first, second] = await Promise.all([demo(env, 6).finished, demo(env, 6).finished]);
    for (const result of [first, second]) {
      expect(result?.code, result?.stderr).toBe(0);
      expect(result?.stdout).toMatch(
        /^PASS: every one of 6 checkouts became exactly one order and one email$/m,
      );
    }
  });
});
