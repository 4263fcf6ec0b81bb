import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { buildEmailJob, emailJobId, parseEmailJob } from './email-job.ts';

describe('email job', () => {
  it('builds one id per outbox row, which the parser reads back', () => {
    const job = buildEmailJob({ orderId: 7, kind: 'payment_failed' }, { attempts: 4 });
    expect(job).toMatchObject({
      name: 'send-email',
      jobId: 'email__7__payment_failed',
      data: { orderId: 7, kind: 'payment_failed' },
      opts: { attempts: 4 },
    });
    expect(emailJobId(7, 'confirmation')).toBe('email__7__confirmation');
    expect(buildEmailJob({ orderId: 7, kind: 'confirmation' }).opts.attempts).toBe(15);
    expect(parseEmailJob(JSON.parse(JSON.stringify(job.data)))).toEqual(job.data);
  });

  it('rejects a payload that names no outbox row, for good', () => {
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /payload/],
      [{ kind: 'confirmation' }, /orderId/],
      [{ orderId: '7', kind: 'confirmation' }, /orderId/],
      [{ orderId: 0, kind: 'confirmation' }, /orderId/],
      [{ orderId: 1.5, kind: 'confirmation' }, /orderId/],
      [{ orderId: 7, kind: 'receipt' }, /kind/],
    ];
    for (const [payload, field] of cases) {
      expect(() => parseEmailJob(payload)).toThrow(UnrecoverableError);
      expect(() => parseEmailJob(payload)).toThrow(field);
    }
  });
});
