import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Job } from 'bullmq';

/** Makes this job's `retry` start a fresh attempt budget, whatever state it is retried from. */
function withFreshRetry(job: Job): Job {
  const retry = job.retry.bind(job);
  job.retry = (state, opts) => retry(state, { ...opts, resetAttemptsMade: true });
  return job;
}

/**
 * bull-board's BullMQ adapter, except that the dashboard's Retry and Retry-all buttons retry with
 * `resetAttemptsMade`, as `pnpm run ops -- retry` does. bull-board calls a plain `job.retry(state)`, which keeps
 * `attemptsMade`: a job that ran out of attempts would get one more try, and its first failure would fail it
 * for good. With the reset, the retried job has all of its attempts again with its usual backoff, and the
 * worker's metrics tell its retrying failures from its final one as for any other job.
 *
 * Both buttons reach jobs only through `getJob` (Retry) and `getJobs` (Retry all), so those are the two hooks.
 */
export class FreshRetryAdapter extends BullMQAdapter {
  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id);
    return job && withFreshRetry(job);
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return (await super.getJobs(...args)).map(withFreshRetry);
  }
}
