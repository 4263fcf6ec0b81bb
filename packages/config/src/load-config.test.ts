import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const VALID_WORKER = {
  DATABASE_URL: 'postgres://user:pg-password-value@db:5432/fulfill',
  REDIS_URL: 'redis://redis:6379',
  STRIPE_SECRET_KEY: 'sk_test_secret_value_123',
  ORDER_ID_SECRET: 'order-secret-value-0123456789',
  SMTP_URL: 'smtp://mail:1025',
  MAIL_FROM: 'Shop <orders@shop.test>',
};

describe('loadConfig', () => {
  it('applies defaults to a valid environment', () => {
    const result = loadConfig('worker', VALID_WORKER);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.WORKER_CONCURRENCY).toBe(16);
    expect(result.config.METRICS_PORT).toBe(9464);
    expect(result.config.QUEUE_PREFIX).toBe('fulfill');
    expect(result.config.RECONCILE_LOOKBACK).toBe(72 * 3600 * 1000);
  });

  it('names every missing or invalid variable, one problem each', () => {
    const result = loadConfig('worker', {
      ...VALID_WORKER,
      REDIS_URL: undefined,
      WORKER_CONCURRENCY: 'many',
      MAIL_FROM: '',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect([...result.problems].sort()).toEqual([
      'MAIL_FROM: is required',
      'REDIS_URL: is required (or REDIS_CLUSTER_NODES for a Redis Cluster)',
      'WORKER_CONCURRENCY: must be a whole number from 1 to 256',
    ]);
  });

  it('never repeats a secret value in a problem', () => {
    const result = loadConfig('worker', {
      ...VALID_WORKER,
      DATABASE_URL: 'mysql://root:hunter2-secret@db/x',
      STRIPE_SECRET_KEY: 'pk_live_publishable_not_secret',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    expect(text).toContain('DATABASE_URL');
    expect(text).toContain('STRIPE_SECRET_KEY');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('pk_live_publishable_not_secret');
  });

  it('reads NAME_FILE secrets and trims the trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fulfill-config-'));
    writeFileSync(join(dir, 'key'), 'sk_test_from_file\n');
    const result = loadConfig('worker', {
      ...VALID_WORKER,
      STRIPE_SECRET_KEY: undefined,
      STRIPE_SECRET_KEY_FILE: join(dir, 'key'),
    });
    expect(result.ok && result.config.STRIPE_SECRET_KEY).toBe('sk_test_from_file');
  });

  it('reports an unreadable NAME_FILE once, and both NAME and NAME_FILE as a conflict', () => {
    const missing = loadConfig('worker', {
      ...VALID_WORKER,
      ORDER_ID_SECRET: undefined,
      ORDER_ID_SECRET_FILE: '/nonexistent/secret',
    });
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(missing.problems).toEqual(['ORDER_ID_SECRET_FILE: cannot read /nonexistent/secret (ENOENT)']);
    const both = loadConfig('worker', { ...VALID_WORKER, ORDER_ID_SECRET_FILE: '/nonexistent/secret' });
    expect(both.ok).toBe(false);
    if (!both.ok)
      expect(both.problems[0]).toMatch(/^ORDER_ID_SECRET_FILE: set together with ORDER_ID_SECRET/);
  });

  it('lets the ingest start without a webhook secret, and splits a rolled pair', () => {
    const base = { ...VALID_WORKER };
    const none = loadConfig('ingest', base);
    expect(none.ok && none.config.STRIPE_WEBHOOK_SECRET).toEqual([]);
    const two = loadConfig('ingest', { ...base, STRIPE_WEBHOOK_SECRET: 'whsec_new, whsec_old' });
    expect(two.ok && two.config.STRIPE_WEBHOOK_SECRET).toEqual(['whsec_new', 'whsec_old']);
  });

  it('loads the ops role from what the command line needs, and names what is missing', () => {
    const { SMTP_URL: _smtp, MAIL_FROM: _from, ...opsEnv } = VALID_WORKER;
    const ok = loadConfig('ops', { ...opsEnv, QUEUE_PREFIX: 'shop' });
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.config).toMatchObject({ QUEUE_PREFIX: 'shop', LOG_LEVEL: 'info' });
      expect(ok.config).not.toHaveProperty('SMTP_URL');
    }
    const missing = loadConfig('ops', { ...opsEnv, ORDER_ID_SECRET: undefined, REDIS_URL: undefined });
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect([...missing.problems].sort()).toEqual([
        'ORDER_ID_SECRET: is required',
        'REDIS_URL: is required (or REDIS_CLUSTER_NODES for a Redis Cluster)',
      ]);
  });

  it('rejects a webhook secret that is not a whsec_ signing secret, without printing it', () => {
    const pasted = loadConfig('ingest', {
      ...VALID_WORKER,
      STRIPE_WEBHOOK_SECRET: 'sk_test_pasted_api_key_42',
    });
    expect(pasted.ok).toBe(false);
    if (pasted.ok) return;
    expect(pasted.problems).toHaveLength(1);
    expect(pasted.problems[0]).toMatch(/^STRIPE_WEBHOOK_SECRET: must be webhook signing secrets \(whsec_…\)/);
    expect(pasted.problems.join('\n')).not.toContain('pasted_api_key');
    const oneBadOfTwo = loadConfig('ingest', { ...VALID_WORKER, STRIPE_WEBHOOK_SECRET: 'whsec_new,old' });
    expect(oneBadOfTwo.ok).toBe(false);
  });

  it.each([
    'Shop',
    'Shop <>',
    'Shop <orders>',
    'orders at shop.test',
  ])('rejects MAIL_FROM %j, which holds no address', (mailFrom) => {
    const result = loadConfig('worker', { ...VALID_WORKER, MAIL_FROM: mailFrom });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'MAIL_FROM: must hold an email address, e.g. orders@shop.example or Shop <orders@shop.example>',
    ]);
  });

  it.each([
    'orders@shop.test',
    'Shop <orders@shop.test>',
    '"Shop, Inc." <orders@shop.test>',
  ])('accepts MAIL_FROM %j', (mailFrom) => {
    expect(loadConfig('worker', { ...VALID_WORKER, MAIL_FROM: mailFrom }).ok).toBe(true);
  });

  it('wants both admin credentials or neither', () => {
    const one = loadConfig('ingest', { ...VALID_WORKER, ADMIN_USER: 'ops' });
    expect(one.ok).toBe(false);
  });
});
