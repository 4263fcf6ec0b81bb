import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { hashTagOf, redisTargetOf } from './redis-settings.ts';

const WORKER = {
  DATABASE_URL: 'postgres://user:pg-password-value@db:5432/fulfill',
  STRIPE_SECRET_KEY: 'sk_test_secret_value_123',
  ORDER_ID_SECRET: 'order-secret-value-0123456789',
  SMTP_URL: 'smtp://mail:1025',
  MAIL_FROM: 'Shop <orders@shop.test>',
};

describe('REDIS_CLUSTER_NODES', () => {
  it('names a cluster by its nodes, with a hash-tagged queue prefix', () => {
    const result = loadConfig('worker', {
      ...WORKER,
      REDIS_CLUSTER_NODES: 'redis-1:7000, 10.0.0.2:7001,[::1]:7002',
      QUEUE_PREFIX: '{shop}',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(redisTargetOf(result.config)).toEqual({
      clusterNodes: [
        { host: 'redis-1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
  });

  it.each([
    'worker',
    'ingest',
    'ops',
  ] as const)('refuses a %s prefix without a hash tag in cluster mode', (role) => {
    const result = loadConfig(role, { ...WORKER, REDIS_CLUSTER_NODES: 'redis-1:7000' });
    expect(result).toEqual({
      ok: false,
      problems: [
        'QUEUE_PREFIX: must hold a hash tag such as {fulfill} with REDIS_CLUSTER_NODES, so that each queue ' +
          'keeps its keys in one cluster slot',
      ],
    });
  });

  it('refuses both Redis variables at once, and a node that is not host:port', () => {
    const both = loadConfig('ops', { ...WORKER, REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'r:7000' });
    expect(both.ok ? [] : both.problems).toEqual([
      'REDIS_URL, REDIS_CLUSTER_NODES: set one of them, not both',
    ]);
    const bad = loadConfig('ops', { ...WORKER, REDIS_CLUSTER_NODES: 'r:7000,r', QUEUE_PREFIX: '{f}' });
    expect(bad.ok ? [] : bad.problems).toEqual([
      'REDIS_CLUSTER_NODES: entry 2 is not host:port (a port from 1 to 65535), e.g. redis-1:6379',
    ]);
  });

  it('finds the hash tag as Redis does', () => {
    expect(hashTagOf('{fulfill}')).toBe('fulfill');
    expect(hashTagOf('shop-{a}-{b}')).toBe('a');
    expect(hashTagOf('{}fulfill')).toBeNull();
    expect(hashTagOf('fulfill}')).toBeNull();
    expect(hashTagOf('{fulfill')).toBeNull();
    expect(hashTagOf('fulfill')).toBeNull();
  });
});
