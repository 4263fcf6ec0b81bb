import { describe, expect, it } from 'vitest';
import { jobIdOf } from './job-rules.ts';
import { reconcileNowJob } from './reconcile-job.ts';

describe('job ids', () => {
  it("joins parts with '__', since BullMQ ids may not hold ':'", () => {
    expect(jobIdOf('pi_1')).toBe('pi_1');
    expect(jobIdOf('pi_1', 'replay-5')).toBe('pi_1__replay-5');
  });

  it("refuses a part with ':' or an empty part", () => {
    expect(() => jobIdOf('pi_1', 'a:b')).toThrow(/may not contain ':'/);
    expect(() => jobIdOf('')).toThrow(/empty/);
  });

  it('names an out-of-schedule reconcile run by its minute, so workers that add one together add one', () => {
    const minute = 29_000_000;
    expect(reconcileNowJob(minute * 60_000).jobId).toBe(`reconcile-now-${minute}`);
    expect(reconcileNowJob(minute * 60_000 + 59_999).jobId).toBe(`reconcile-now-${minute}`);
    expect(reconcileNowJob(minute * 60_000).opts.attempts).toBe(3);
  });
});
