import { afterAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { jobCount } from './support/observe.ts';
import { type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';
import { postSignedWebhook } from './support/webhook.ts';

const stacks: Stack[] = [];
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
});

describe('the success redirect rate limit', () => {
  it('answers 429 rate-limited past the configured number of calls per client and window', async () => {
    const stack = await startStack({
      workers: false,
      settings: { successRateLimit: { max: 3, windowMs: 60_000 } },
    });
    stacks.push(stack);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await stack.app.inject({
        method: 'GET',
        url: '/order/checkout-session-success?session_id=cs_test_x1',
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) {
        expect(response.json()).toMatchObject({ error: 'rate-limited' });
        expect(response.headers['retry-after']).toBeDefined();
      }
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    const other = await stack.app.inject({ method: 'GET', url: '/order/ABCDEFGHIJ' });
    expect(other.statusCode).toBe(404);
  });

  it('allows at least 60 calls a minute by default', async () => {
    const { loadConfig } = await import('@fulfill/config');
    const result = loadConfig('ingest', {
      DATABASE_URL: 'postgres://x@h/db',
      REDIS_URL: 'redis://h:6379',
      STRIPE_SECRET_KEY: 'sk_test_x',
      ORDER_ID_SECRET: 'x'.repeat(20),
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(
        result.config.SUCCESS_RATE_LIMIT_MAX / (result.config.SUCCESS_RATE_LIMIT_WINDOW / 60_000),
      ).toBeGreaterThanOrEqual(60);
    }
  });
});

describe('load shedding', () => {
  it('answers 503 over-capacity with Retry-After past a threshold, and keeps health checks answering', async () => {
    const stack = await startStack({
      workers: false,
      settings: { underPressure: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 1, maxRssBytes: 0 } },
    });
    stacks.push(stack);
    const { event } = await completedCheckout(stack.emulator);
    const payload = JSON.stringify(event);
    // under-pressure samples memory on an interval: wait until a read that enqueues nothing is shed.
    await waitFor(
      async () => (await stack.app.inject({ method: 'GET', url: '/order/ABCDEFGHIJ' })).statusCode === 503,
      { what: 'the first memory sample' },
    );
    const before = await jobCount(stack, 'fulfillment');
    const response = await postSignedWebhook(stack, payload);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: 'over-capacity' });
    expect(response.headers['retry-after']).toBe('10');
    expect(await jobCount(stack, 'fulfillment')).toBe(before);
    const health = await stack.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });
});
