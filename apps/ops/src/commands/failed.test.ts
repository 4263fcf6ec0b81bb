import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { describeFailedJob } from './failed.ts';

describe('describeFailedJob', () => {
  it('prints where the job is, its attempts, when it failed and why, with email addresses masked', () => {
    const job = {
      id: 'email__7__confirmation',
      data: { orderId: 7, kind: 'confirmation' },
      attemptsMade: 15,
      opts: { attempts: 15 },
      finishedOn: Date.UTC(2025, 0, 2, 3, 4, 5),
      failedReason: '550 mailbox ada.lovelace@example.com unavailable',
    } as unknown as Job;
    expect(describeFailedJob('email', job)).toBe(
      'queue=email id=email__7__confirmation attempts=15/15 finishedOn=2025-01-02T03:04:05.000Z ' +
        'orderId=7 kind=confirmation reason="550 mailbox a***@*** unavailable"',
    );
  });

  it('masks the address forms a mail server echoes in a 550: internationalised, IP literal, dotless', () => {
    const job = {
      id: 'email__8__confirmation',
      data: { orderId: 8, kind: 'confirmation' },
      attemptsMade: 1,
      opts: { attempts: 1 },
      failedReason:
        'send failed: 550 5.1.1 <ünï@exämple.de>: Recipient address rejected; x@[192.0.2.1], user@localhost',
    } as unknown as Job;
    const line = describeFailedJob('email', job);
    expect(line).toContain(
      'reason="send failed: 550 5.1.1 <ü***@***>: Recipient address rejected; x***@***, u***@***"',
    );
    for (const leak of ['exämple', '192.0.2.1', 'localhost']) expect(line).not.toContain(leak);
  });

  it('names the Checkout Session of a fulfillment job', () => {
    const job = {
      id: 'pi_1',
      data: { sessionId: 'cs_test_1', fulfillmentKey: 'pi_1' },
      attemptsMade: 1,
      opts: {},
      failedReason: undefined,
    } as unknown as Job;
    expect(describeFailedJob('fulfillment', job)).toBe(
      'queue=fulfillment id=pi_1 attempts=1/1 finishedOn=- session=cs_test_1 reason=""',
    );
  });
});
