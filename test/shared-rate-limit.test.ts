import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { type RedisServer, startRedisServer } from './support/redis-server.ts';
import { type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

// Two ingest processes, as behind a load balancer, on a Redis of the test's own that the test can stop.
let redis: RedisServer | undefined;
let stack: Stack | undefined;
const ingests: RunningProcess[] = [];
const urls: string[] = [];
const LIMIT = 6;

beforeAll(async () => {
  redis = await startRedisServer('none');
  // No workers: the redirect answers 202 (pending), which is all the limit needs to count.
  stack = await startStack({ redisUrl: redis.url, workers: false });
  for (let i = 0; i < 2; i += 1) {
    const env = await serviceEnv(stack, {
      SUCCESS_RATE_LIMIT_MAX: String(LIMIT),
      SUCCESS_RATE_LIMIT_WINDOW: '60s',
      SUCCESS_WAIT_MS: '0',
      MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    const ingest = startProcess('apps/ingest/src/server.ts', env);
    ingests.push(ingest);
    urls.push(`http://127.0.0.1:${env.PORT}`);
  }
  for (const url of urls) {
    await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true, {
      what: 'an ingest',
      timeoutMs: 20_000,
    });
  }
}, 60_000);
afterAll(async () => {
  for (const ingest of ingests) {
    ingest.signal('SIGKILL');
    await ingest.exited.catch(() => {});
  }
  // Bounded, so that the private Redis is killed even if closing the stack hangs.
  await Promise.race([stack?.stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 20_000))]);
  await redis?.destroy();
});

const redirect = (url: string, sessionId: string) =>
  fetch(`${url}/order/checkout-session-success?session_id=${sessionId}`);

/** Both ingests answer ready: their Redis connections are up (again, after a test stopped Redis). */
async function ingestsReady(): Promise<void> {
  for (const url of urls) {
    await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.ok === true, {
      what: 'an ingest to be ready',
      timeoutMs: 20_000,
    });
  }
}

describe('the success redirect behind two ingests', () => {
  it('enforces one limit per client across both ingests', async () => {
    if (!stack) throw new Error('the stack did not start');
    await ingestsReady();
    const { session } = await completedCheckout(stack.emulator);
    const statuses: number[] = [];
    // One client, its requests spread over both ingests in turn: twice the limit in all.
    for (let i = 0; i < LIMIT * 2; i += 1) {
      const response = await redirect(urls[i % 2] as string, session.id);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(await response.json()).toMatchObject({ error: 'rate-limited' });
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(statuses.filter((s) => s === 200 || s === 202)).toHaveLength(LIMIT);
    // Counted in one place: every request past the limit is refused, whichever ingest it reaches.
    expect(statuses.slice(LIMIT)).toEqual(Array(LIMIT).fill(429));
  });

  it('skips the limit rather than the redirect while Redis is down (fail open), and answers 503', async () => {
    if (!stack || !redis) throw new Error('the stack did not start');
    const { session } = await completedCheckout(stack.emulator);
    await redis.kill();
    // With Redis gone no ingest can count, and none answers 429 or 500 (even to a client already past the
    // limit): the redirect goes on to its enqueue, which answers 503 and Retry-After.
    for (const url of urls) {
      const response = await redirect(url, session.id);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'queue-unavailable' });
    }
    await redis.start();
    await ingestsReady();
  });
});
