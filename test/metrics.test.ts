import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '@fulfill/observability';
import { queueCountsCollector } from '@fulfill/queue';
import { createWorkerHttpServer } from '@fulfill/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfKey, queuesSettled } from './support/observe.ts';
import { type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
let workerHttp: Server;
let workerUrl: string;
beforeAll(async () => {
  stack = await startStack();
  workerHttp = createWorkerHttpServer({ registry: stack.workerMetrics.registry, healthy: () => true });
  await new Promise<void>((resolve) => workerHttp.listen(0, '127.0.0.1', resolve));
  workerUrl = `http://127.0.0.1:${(workerHttp.address() as AddressInfo).port}`;
});
afterAll(async () => {
  workerHttp?.close();
  await stack?.stop();
});

/** Reads one sample's value from Prometheus text; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return 0;
}

async function ingestMetrics() {
  const response = await stack.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain/);
  return response.body;
}

async function workerMetrics() {
  const response = await fetch(`${workerUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('GET /metrics', () => {
  it('moves the counters as traffic flows through the ingest and the worker', async () => {
    const before = { ingest: await ingestMetrics(), worker: await workerMetrics() };
    const type = 'checkout.session.completed';

    const { session, event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    await stack.emulator.deliverEvent(event.id, { secret: 'whsec_wrong_on_purpose' });
    await waitFor(
      async () =>
        (await stack.queues.fulfillment.getJobState(session.payment_intent as string)) === 'completed',
    );
    await stack.emulator.deliverEvent(event.id);
    /** Waits until a worker counter has moved by `by` since the first scrape. */
    const workerMoves = (name: string, labels: Record<string, string>, by: number, what: string) =>
      waitFor(
        async () => sample(await workerMetrics(), name, labels) - sample(before.worker, name, labels) === by,
        { what },
      );
    await workerMoves(
      'fulfill_emails_total',
      { kind: 'confirmation', result: 'sent' },
      1,
      'the confirmation',
    );
    // Once the job ids are gone, a redelivery is caught by the database's unique key.
    for (const job of await stack.queues.fulfillment.getJobs(['completed'])) await job.remove();
    await stack.emulator.deliverEvent(event.id);
    const completedJobs = { queue: 'fulfillment', result: 'completed' };
    await workerMoves('fulfill_jobs_total', completedJobs, 3, 'three completed fulfillment jobs');

    const after = { ingest: await ingestMetrics(), worker: await workerMetrics() };
    const moved = (where: 'ingest' | 'worker', name: string, labels: Record<string, string> = {}) =>
      sample(after[where], name, labels) - sample(before[where], name, labels);

    expect(moved('ingest', 'fulfill_webhooks_total', { type, outcome: 'added' })).toBe(2);
    expect(moved('ingest', 'fulfill_webhooks_total', { type, outcome: 'follow-up' })).toBe(1);
    expect(moved('ingest', 'fulfill_webhook_signature_failures_total')).toBe(1);
    expect(moved('ingest', 'fulfill_enqueue_seconds_count')).toBe(3);
    expect(moved('worker', 'fulfill_orders_created_total', { status: 'paid' })).toBe(1);
    expect(moved('worker', 'fulfill_duplicates_suppressed_total', { layer: 'database' })).toBe(2);
    expect(moved('worker', 'fulfill_emails_total', { kind: 'confirmation', result: 'sent' })).toBe(1);
    expect(moved('worker', 'fulfill_jobs_total', completedJobs)).toBe(3);
    expect(moved('worker', 'fulfill_webhook_to_order_seconds_count')).toBe(1);
    expect(moved('worker', 'fulfill_job_attempts_count', { queue: 'email' })).toBe(1);
    expect(after.ingest).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('exports each series from the role that owns it, and the queue depth from the worker alone', async () => {
    const names = async (metrics: ReturnType<typeof createMetrics>) =>
      [...(await metrics.registry.metrics()).matchAll(/^# TYPE (fulfill_\w+) /gm)].map((m) => m[1]).sort();
    const ingest = await names(createMetrics({ role: 'ingest' }));
    const worker = await names(
      createMetrics({ role: 'worker', collectQueueCounts: queueCountsCollector(stack.queues) }),
    );
    expect(ingest).toEqual([
      'fulfill_duplicates_suppressed_total',
      'fulfill_enqueue_seconds',
      'fulfill_webhook_signature_failures_total',
      'fulfill_webhooks_total',
    ]);
    expect(worker).toEqual([
      'fulfill_duplicates_suppressed_total',
      'fulfill_emails_total',
      'fulfill_fulfillment_rejected_total',
      'fulfill_job_attempts',
      'fulfill_jobs_total',
      'fulfill_orders_created_total',
      'fulfill_payment_changes_total',
      'fulfill_queue_counts_age_seconds',
      'fulfill_queue_counts_fresh',
      'fulfill_queue_jobs',
      'fulfill_reconcile_recovered_total',
      'fulfill_shop_webhook_endpoint_disabled',
      'fulfill_shop_webhooks_total',
      'fulfill_stripe_events_pruned_total',
      'fulfill_webhook_to_order_seconds',
    ]);
  });

  it('reads the queue depth from Redis at each scrape, and says it is fresh', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    await waitFor(() => mailsOfKey(stack, session.payment_intent as string).length > 0, {
      what: 'its email',
    });
    await queuesSettled(stack);
    const metrics = createMetrics({ role: 'worker', collectQueueCounts: queueCountsCollector(stack.queues) });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^fulfill_queue_jobs\{queue="email",state="completed"\} [1-9]\d*$/m);
    expect(text).toMatch(/^fulfill_queue_counts_fresh 1$/m);
  });

  it('counts a delivery deduplicated by the queue under layer="queue"', async () => {
    await stack.workers?.close();
    stack.workers = null;
    try {
      const before = await ingestMetrics();
      const { event } = await completedCheckout(stack.emulator);
      await stack.emulator.deliverEvent(event.id);
      await stack.emulator.deliverEvent(event.id);
      const after = await ingestMetrics();
      const layer = { layer: 'queue' };
      expect(
        sample(after, 'fulfill_duplicates_suppressed_total', layer) -
          sample(before, 'fulfill_duplicates_suppressed_total', layer),
      ).toBe(1);
    } finally {
      stack.startWorkers();
      // The deduplicated job is processed now: let it finish here, not in the next test's counts.
      await queuesSettled(stack);
    }
  });

  it('serves the worker health check', async () => {
    const response = await fetch(`${workerUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
