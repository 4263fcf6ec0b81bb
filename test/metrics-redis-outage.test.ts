import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@fulfill/dev-support';
import { createMetrics } from '@fulfill/observability';
import {
  closeQueues,
  createProducerConnection,
  createQueues,
  type Queues,
  queueCountsCollector,
} from '@fulfill/queue';
import { createWorkerHttpServer } from '@fulfill/worker';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from './support/private-redis.ts';
import { testPrefix } from './support/redis.ts';
import { waitFor } from './support/wait-for.ts';

let redis: PrivateRedis;
let connection: Redis;
let queues: Queues;
let http: Server;
let url: string;
beforeAll(async () => {
  redis = await startPrivateRedis();
  connection = createProducerConnection(redis.url);
  connection.on('error', () => {});
  queues = createQueues(connection, testPrefix());
  const metrics = createMetrics({ role: 'worker', collectQueueCounts: queueCountsCollector(queues) });
  http = createWorkerHttpServer({ registry: metrics.registry, healthy: () => true });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/metrics`;
});
afterAll(async () => {
  http?.close();
  await closeQueues(queues).catch(() => {});
  connection?.disconnect();
  await redis?.destroy();
});

async function scrape() {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

describe('/metrics while Redis is down', () => {
  it('answers within a second, with no counts and marked stale, when Redis was never reachable', async () => {
    const down = createProducerConnection(`redis://127.0.0.1:${await freePort()}`);
    down.on('error', () => {});
    const unreachable = createQueues(down, testPrefix());
    const metrics = createMetrics({ role: 'worker', collectQueueCounts: queueCountsCollector(unreachable) });
    try {
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const text = await metrics.registry.metrics();
        expect(performance.now() - started).toBeLessThan(1000);
        expect(text).toMatch(/^fulfill_queue_counts_fresh 0$/m);
        expect(text).toMatch(/^fulfill_queue_counts_age_seconds Nan$/m);
        expect(text).not.toMatch(/^fulfill_queue_jobs\{/m);
      }
    } finally {
      down.disconnect();
    }
  });

  it('answers within a second with the last counts, marked stale, and is fresh again once Redis is back', async () => {
    await queues.fulfillment.add('checkout', {}, { jobId: 'pi_waiting_1' });
    const up = await scrape();
    expect(up.status).toBe(200);
    expect(up.text).toMatch(/^fulfill_queue_jobs\{queue="fulfillment",state="waiting"\} 1$/m);
    expect(up.text).toMatch(/^fulfill_queue_counts_fresh 1$/m);

    await redis.kill();
    for (let i = 0; i < 3; i++) {
      const down = await scrape();
      expect(down.status).toBe(200);
      expect(down.ms).toBeLessThan(1000);
      expect(down.text).toMatch(/^fulfill_queue_counts_fresh 0$/m);
      expect(down.text).toMatch(/^fulfill_queue_jobs\{queue="fulfillment",state="waiting"\} 1$/m);
      expect(down.text).toMatch(/^fulfill_queue_counts_age_seconds \d/m);
    }

    await redis.start();
    await waitFor(async () => /^fulfill_queue_counts_fresh 1$/m.test((await scrape()).text), {
      what: 'fresh queue counts after Redis returns',
      timeoutMs: 15_000,
    });
    // The restarted Redis is empty: the counts now say so.
    expect((await scrape()).text).toMatch(/^fulfill_queue_jobs\{queue="fulfillment",state="waiting"\} 0$/m);
  });
});
