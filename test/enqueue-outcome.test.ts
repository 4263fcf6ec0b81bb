import { enqueueOutcome } from '@fulfill/queue';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testPrefix } from './support/redis.ts';
import { waitFor } from './support/wait-for.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testPrefix();
const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('outcome', { connection, prefix });
/** A queue no worker takes from, for the states before a job starts. */
const idle = new Queue('outcome-idle', { connection, prefix });
let worker: Worker | undefined;
let release: () => void = () => {};

beforeAll(async () => {
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  worker = new Worker(
    'outcome',
    async (job) => {
      if (job.id === 'job-failed') throw new UnrecoverableError('for good');
      if (job.id === 'job-active') await held;
      return 'done';
    },
    { connection: { url: REDIS_URL }, prefix, concurrency: 5 },
  );
  // Job ids that are not queue key names ('completed' is the completed set's key).
  const add = (state: string, opts = {}, on = queue) =>
    on.add(
      'job',
      { enqueueId: `enqueue-${state}` },
      { jobId: `job-${state}`, removeOnComplete: false, ...opts },
    );
  await add('completed');
  await add('failed');
  await add('active');
  await waitFor(async () => (await queue.getJobState('job-active')) === 'active' || undefined, {
    what: 'active',
  });
  await waitFor(
    async () =>
      ((await queue.getJobState('job-completed')) === 'completed' &&
        (await queue.getJobState('job-failed')) === 'failed') ||
      undefined,
    { what: 'finished jobs' },
  );
  await add('waiting', {}, idle);
  await add('delayed', { delay: 60_000 }, idle);
  await add('prioritized', { priority: 3 }, idle);
});

afterAll(async () => {
  release();
  await worker?.close();
  await queue.close();
  await idle.close();
  connection.disconnect();
  await deletePrefix(REDIS_URL, prefix);
});

describe('enqueueOutcome, against BullMQ', () => {
  it.each([
    'completed',
    'failed',
    'active',
    'waiting',
    'delayed',
    'prioritized',
    'missing',
  ])('reports a job %s as getState does', async (state) => {
    const on = ['waiting', 'delayed', 'prioritized'].includes(state) ? idle : queue;
    const expected = await on.getJobState(`job-${state}`);
    expect(expected).toBe(state === 'missing' ? 'unknown' : state);
    expect(await enqueueOutcome(on, `job-${state}`, 'someone-else')).toBe(expected);
  });

  it("says ours for the producer's own job, whatever its state", async () => {
    for (const state of ['completed', 'active'])
      expect(await enqueueOutcome(queue, `job-${state}`, `enqueue-${state}`)).toBe('ours');
    expect(await enqueueOutcome(idle, 'job-waiting', 'enqueue-waiting')).toBe('ours');
    expect(await enqueueOutcome(queue, 'job-missing', 'enqueue-missing')).toBe('unknown');
  });
});
