import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { ingestSettingsFrom, workerSettingsFrom } from './process-settings.ts';

const ENV = {
  DATABASE_URL: 'postgres://user:pg-password-value@db:5432/fulfill',
  REDIS_URL: 'redis://redis:6379',
  STRIPE_SECRET_KEY: 'sk_test_secret_value_123',
  ORDER_ID_SECRET: 'order-secret-value-0123456789',
  SMTP_URL: 'smtp://mail:1025',
  MAIL_FROM: 'Shop <orders@shop.test>',
};

function configOf<R extends 'ingest' | 'worker'>(role: R, env: Record<string, string>) {
  const result = loadConfig(role, { ...ENV, ...env });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

describe('ingestSettingsFrom', () => {
  it("turns the config's defaults into the app's settings", () => {
    expect(ingestSettingsFrom(configOf('ingest', {}))).toEqual({
      webhookSecrets: [],
      orderIdSecret: ENV.ORDER_ID_SECRET,
      successWaitMs: 3000,
      successRateLimit: { max: 120, windowMs: 60_000 },
      enqueueTimeoutMs: 2000,
      underPressure: { maxEventLoopDelayMs: 1000, maxHeapUsedBytes: 0, maxRssBytes: 0 },
      trustProxy: false,
      corsOrigins: [],
      metrics: { token: undefined, separateListener: false },
    });
  });

  it('mounts the dashboard with both credentials, and moves metrics to their own listener', () => {
    const settings = ingestSettingsFrom(
      configOf('ingest', {
        ADMIN_USER: 'ops',
        ADMIN_PASSWORD: 'a-long-admin-password',
        INGEST_METRICS_PORT: '9465',
        METRICS_TOKEN: 'metrics-token-value-0123456789',
        SUCCESS_RATE_LIMIT_WINDOW: '30s',
      }),
    );
    expect(settings.admin).toEqual({ user: 'ops', password: 'a-long-admin-password' });
    expect(settings.metrics).toEqual({ token: 'metrics-token-value-0123456789', separateListener: true });
    expect(settings.successRateLimit.windowMs).toBe(30_000);
  });
});

describe('workerSettingsFrom', () => {
  it('turns durations into milliseconds and keeps the defaults', () => {
    expect(workerSettingsFrom(configOf('worker', { EMAIL_LEASE: '45s', RECONCILE_LOOKBACK: '1d' }))).toEqual({
      orderIdSecret: ENV.ORDER_ID_SECRET,
      mailFrom: ENV.MAIL_FROM,
      shopName: 'Fulfill',
      concurrency: 16,
      emailAttempts: 15,
      emailLeaseMs: 45_000,
      lockDurationMs: 30_000,
      reconcileLookbackMs: 86_400_000,
      reconcileEmailGraceMs: 60_000,
      connectAccounts: [],
      stripeEventRetentionMs: 30 * 86_400_000,
      reconcileOverlapMs: 600_000,
      reconcileFullEveryMs: 86_400_000,
    });
  });

  it('reads STRIPE_CONNECT_ACCOUNTS as a list of accounts, or all of them', () => {
    const accounts = (value: string) =>
      workerSettingsFrom(configOf('worker', { STRIPE_CONNECT_ACCOUNTS: value })).connectAccounts;
    expect(accounts('acct_1Abc, acct_2Def')).toEqual(['acct_1Abc', 'acct_2Def']);
    expect(accounts('all')).toBe('all');
    expect(() => accounts('acct_1Abc,shop-two')).toThrow(/STRIPE_CONNECT_ACCOUNTS/);
  });

  it('turns on shop webhooks with both SHOP_WEBHOOK_URL and SHOP_WEBHOOK_SECRET, with 3 days of retries', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const settings = workerSettingsFrom(
      configOf('worker', {
        SHOP_WEBHOOK_URL: 'https://shop.example/hooks',
        SHOP_WEBHOOK_SECRET: `${secret}, ${secret}`,
      }),
    );
    expect(settings.shopWebhook).toEqual({
      url: 'https://shop.example/hooks',
      secrets: [secret, secret],
      timeoutMs: 15_000,
      retryForMs: 3 * 86_400_000,
      retryBaseMs: 10_000,
      retryCapMs: 3_600_000,
    });
    const half = loadConfig('worker', { ...ENV, SHOP_WEBHOOK_URL: 'https://shop.example/hooks' });
    expect(half.ok ? [] : half.problems).toEqual([
      'SHOP_WEBHOOK_URL, SHOP_WEBHOOK_SECRET: set both to send webhooks to the shop, or neither',
    ]);
    const bad = loadConfig('worker', {
      ...ENV,
      SHOP_WEBHOOK_URL: 'https://shop.example/hooks',
      SHOP_WEBHOOK_SECRET: 'sk_live_nope',
    });
    expect(bad.ok ? [] : bad.problems.join('\n')).toMatch(
      /^SHOP_WEBHOOK_SECRET: must be Standard Webhooks secrets/,
    );
    expect(bad.ok ? '' : bad.problems.join('\n')).not.toContain('sk_live_nope');
  });
});
