import { freePort } from '@fulfill/dev-support';
import { describe, expect, inject, it } from 'vitest';
import { checkTestServices, describeTestServices } from '../support/resolve-services.ts';

const services = (databaseUrl: string, redisUrl: string) => ({
  databaseUrl,
  redisUrl,
  source: 'environment' as const,
  stop: async () => {},
});

describe("the test run's choice of services", () => {
  it('passes the services this run uses', async () => {
    await expect(
      checkTestServices(services(inject('databaseUrl'), inject('redisUrl'))),
    ).resolves.toBeUndefined();
  });

  it('fails within seconds on an unreachable Redis, naming TEST_REDIS_URL', async () => {
    const started = performance.now();
    const wrong = `redis://127.0.0.1:${await freePort()}`;
    await expect(checkTestServices(services(inject('databaseUrl'), wrong))).rejects.toThrow(
      /^Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer: .*ECONNREFUSED.*\(check TEST_REDIS_URL\)/,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('fails within seconds on an unreachable PostgreSQL, naming TEST_DATABASE_URL', async () => {
    const started = performance.now();
    const wrong = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    await expect(checkTestServices(services(wrong, inject('redisUrl')))).rejects.toThrow(
      /PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres does not answer: .*\(check TEST_DATABASE_URL\)/,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('says which services it picked, without their passwords', () => {
    const line = describeTestServices(
      services('postgres://u:secret-pw@db:5432/x', 'redis://:redis-pw@r:6379'),
    );
    expect(line).toMatch(
      /^tests: PostgreSQL postgres:\/\/u:\*\*\*@db:5432\/x, Redis redis:\/\/:\*\*\*@r:6379/,
    );
    expect(line).not.toMatch(/secret-pw|redis-pw/);
  });
});
