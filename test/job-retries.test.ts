import {
  buildFulfillmentJob,
  enqueueFulfillment,
  FULFILLMENT_JOB_NAME,
  fulfillmentJobOptions,
} from '@fulfill/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function finished(jobId: string) {
  return waitFor(
    async () => {
      const state = await stack.queues.fulfillment.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      // Read the job only once it has finished: a copy read while it ran has its attempts from then.
      const job = await stack.queues.fulfillment.getJob(jobId);
      return job ? { job, state } : undefined;
    },
    { what: `job ${jobId} to finish`, timeoutMs: 20_000 },
  );
}

describe('fulfillment job failures', () => {
  it('fails a malformed payload at once, without retrying', async () => {
    await stack.queues.fulfillment.add(
      FULFILLMENT_JOB_NAME,
      { hello: 'world' },
      { ...fulfillmentJobOptions(5), jobId: 'malformed-1' },
    );
    const { job, state } = await finished('malformed-1');
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/malformed job/);
  });

  it('fails at once when Stripe says the session does not exist', async () => {
    const result = await enqueueFulfillment(
      stack.queues.fulfillment,
      buildFulfillmentJob({
        sessionId: 'cs_test_never_existed',
        fulfillmentKey: 'cs_test_never_existed',
        cause: { source: 'replay' },
        attempts: 5,
      }),
    );
    const { job, state } = await finished(result.jobId);
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/no Checkout Session/);
  });

  for (const status of [429, 500] as const) {
    it(`retries a Stripe ${status} and then makes the order`, async () => {
      const { session, event } = await completedCheckout(stack.emulator);
      stack.emulator.injectFault({
        method: 'GET',
        path: `/v1/checkout/sessions/${session.id}`,
        status,
        count: 2,
      });
      await stack.emulator.deliverEvent(event.id);
      const { job, state } = await finished(session.payment_intent as string);
      expect(state).toBe('completed');
      expect(job.attemptsMade).toBe(3);
      const orders = await stack.db
        .selectFrom('orders')
        .select('status')
        .where('checkout_session_id', '=', session.id)
        .execute();
      expect(orders).toEqual([{ status: 'paid' }]);
    });
  }
});
