import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { buildFulfillmentJob, type FulfillmentCause, parseFulfillmentJob } from './fulfillment-job.ts';

const EVENT = { id: 'evt_1', type: 'checkout.session.completed', created: 1_700_000_000 } as const;

function built(cause: FulfillmentCause = { source: 'webhook', event: EVENT }) {
  return buildFulfillmentJob({ sessionId: 'cs_test_1', fulfillmentKey: 'pi_1', cause, receivedAt: 1234 });
}

function rejection(data: unknown): Error {
  try {
    parseFulfillmentJob(data);
  } catch (error) {
    return error as Error;
  }
  throw new Error('parseFulfillmentJob accepted the payload');
}

describe('parseFulfillmentJob', () => {
  it('accepts every job the builder makes', () => {
    const causes: FulfillmentCause[] = [
      { source: 'webhook', event: EVENT },
      { source: 'redirect' },
      { source: 'replay' },
      { source: 'replay', event: EVENT },
      { source: 'reconcile', runId: '42' },
      { source: 'reconcile', runId: '42', event: { ...EVENT, type: 'checkout.session.expired' } },
    ];
    for (const cause of causes) {
      const job = built(cause);
      // Through Redis and back, as the worker reads it.
      expect(parseFulfillmentJob(JSON.parse(JSON.stringify(job.data)))).toEqual(job.data);
    }
  });

  it('rejects a missing or invalid enqueueId, failing the job for good', () => {
    const { enqueueId: _, ...withoutId } = built().data;
    for (const data of [
      withoutId,
      { ...withoutId, enqueueId: 'not-a-uuid' },
      { ...withoutId, enqueueId: 7 },
    ]) {
      const error = rejection(data);
      expect(error).toBeInstanceOf(UnrecoverableError);
      expect(error.message).toMatch(/^malformed job: enqueueId: /);
    }
  });

  it('rejects wrong types and values, naming the field but not its value', () => {
    const data = built().data;
    const cases: Array<[unknown, RegExp]> = [
      ['a string', /payload/],
      [null, /payload/],
      [{ ...data, sessionId: 'pi_secret_looking_value' }, /sessionId: is not a Checkout Session id/],
      [{ ...data, fulfillmentKey: '' }, /fulfillmentKey/],
      [{ ...data, source: 'email' }, /source/],
      [{ ...data, receivedAt: '1234' }, /receivedAt/],
      [{ ...data, event: { ...EVENT, type: 'invoice.paid' } }, /event\.type/],
      [{ ...data, event: { ...EVENT, created: 'yesterday' } }, /event\.created/],
    ];
    for (const [payload, field] of cases) {
      const error = rejection(payload);
      expect(error).toBeInstanceOf(UnrecoverableError);
      expect(error.message).toMatch(/^malformed job: /);
      expect(error.message).toMatch(field);
      expect(error.message).not.toContain('pi_secret_looking_value');
    }
  });
});

describe('buildFulfillmentJob', () => {
  it('keys the job by the fulfillment key, with a fresh enqueueId each time', () => {
    const a = built();
    const b = built();
    expect(a.jobId).toBe('pi_1');
    expect(a.name).toBe('fulfill-checkout');
    expect(a.data).toMatchObject({ sessionId: 'cs_test_1', fulfillmentKey: 'pi_1', source: 'webhook' });
    expect(a.data.enqueueId).not.toBe(b.data.enqueueId);
    expect(a.opts).toMatchObject({ attempts: 12, removeOnComplete: { age: 86_400 } });
    expect(buildFulfillmentJob({ ...a.data, cause: { source: 'redirect' }, attempts: 3 }).opts.attempts).toBe(
      3,
    );
  });

  it('picks the follow-up suffix from what made the job', () => {
    expect(built({ source: 'webhook', event: EVENT }).followUpJobId).toBe('pi_1__completed');
    expect(
      built({ source: 'webhook', event: { ...EVENT, type: 'checkout.session.async_payment_succeeded' } })
        .followUpJobId,
    ).toBe('pi_1__async_payment_succeeded');
    // The redirect reports the same completion as the webhook: the two dedupe against each other.
    expect(built({ source: 'redirect' }).followUpJobId).toBe('pi_1__completed');
    expect(built({ source: 'replay' }).followUpJobId).toBe('pi_1__replay-1234');
    expect(built({ source: 'reconcile', runId: 'ops-99' }).followUpJobId).toBe('pi_1__reconcile-ops-99');
  });

  it('carries the event only where the cause has one', () => {
    expect(built({ source: 'redirect' }).data).not.toHaveProperty('event');
    expect(built({ source: 'replay', event: EVENT }).data.event).toEqual(EVENT);
  });

  it("refuses ids BullMQ cannot take: a ':' in the key or the run id", () => {
    expect(() =>
      buildFulfillmentJob({ sessionId: 'cs_1', fulfillmentKey: 'pi:1', cause: { source: 'redirect' } }),
    ).toThrow(/may not contain ':'/);
    expect(() => built({ source: 'reconcile', runId: 'run:1' })).toThrow(/may not contain ':'/);
  });
});
