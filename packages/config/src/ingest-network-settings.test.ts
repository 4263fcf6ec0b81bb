import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const VALID_INGEST = {
  DATABASE_URL: 'postgres://user:pg-password-value@db:5432/fulfill',
  REDIS_URL: 'redis://redis:6379',
  STRIPE_SECRET_KEY: 'sk_test_secret_value_123',
  ORDER_ID_SECRET: 'order-secret-value-0123456789',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  const result = loadConfig('ingest', { ...VALID_INGEST, ...env });
  return result.ok ? [] : result.problems;
}

describe('TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    const result = loadConfig('ingest', VALID_INGEST);
    expect(result.ok && result.config.TRUST_PROXY).toBe(false);
  });

  it('takes a comma-separated list of addresses, CIDRs and proxy-addr names', () => {
    const result = loadConfig('ingest', {
      ...VALID_INGEST,
      TRUST_PROXY:
        'loopback, 10.0.0.0/8,192.0.2.7, fd00::/8, 2001:db8::1, linklocal, uniquelocal, 10.1.0.0/255.255.0.0',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.TRUST_PROXY).toEqual([
      'loopback',
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
      '2001:db8::1',
      'linklocal',
      'uniquelocal',
      '10.1.0.0/255.255.0.0',
    ]);
  });

  it('refuses true and hop counts, saying to list the proxies', () => {
    for (const value of ['true', '1']) {
      const problems = problemsOf({ TRUST_PROXY: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^TRUST_PROXY: must list the proxies/);
    }
  });

  it('names each entry that is no address or CIDR, without repeating it', () => {
    const problems = problemsOf({ TRUST_PROXY: 'loopback,proxy.internal,10.0.0.0/33,' });
    expect(problems).toEqual([
      'TRUST_PROXY: entry 2 is not an IP address, a CIDR, or one of loopback, linklocal, uniquelocal',
      'TRUST_PROXY: entry 3 is not an IP address, a CIDR, or one of loopback, linklocal, uniquelocal',
      'TRUST_PROXY: entry 4 is not an IP address, a CIDR, or one of loopback, linklocal, uniquelocal',
    ]);
    expect(problems.join('\n')).not.toContain('proxy.internal');
  });
});

describe('METRICS_PORT, METRICS_HOST, METRICS_TOKEN on the ingest', () => {
  it('serves metrics on the main port, without a token, by default', () => {
    const result = loadConfig('ingest', VALID_INGEST);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.METRICS_PORT).toBeUndefined();
    expect(result.config.METRICS_TOKEN).toBeUndefined();
  });

  it('takes a listener of its own and a token, also from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metrics-token-'));
    writeFileSync(join(dir, 'token'), 'metrics-token-value-0123456789\n');
    const result = loadConfig('ingest', {
      ...VALID_INGEST,
      METRICS_PORT: '9465',
      METRICS_HOST: '127.0.0.1',
      METRICS_TOKEN_FILE: join(dir, 'token'),
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      METRICS_PORT: 9465,
      METRICS_HOST: '127.0.0.1',
      METRICS_TOKEN: 'metrics-token-value-0123456789',
    });
  });

  it('refuses a short token without printing it', () => {
    const problems = problemsOf({ METRICS_TOKEN: 'short-secret' });
    expect(problems).toEqual(['METRICS_TOKEN: must be at least 16 characters']);
  });
});
