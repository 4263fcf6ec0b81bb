import { redactEmails } from '@fulfill/orders';
import { queueNamed } from '@fulfill/queue';
import type { Job } from 'bullmq';
import type { OpsDeps } from '../deps.ts';
import type { QueueName } from '../usage.ts';
import { describeFailedJob } from './failed.ts';

/**
 * The job as it is after the retry: its new state and attempt count, then the reason it had failed. The
 * line from before the retry would read as if the job still failed.
 */
async function describeAfterRetry(deps: OpsDeps, queue: QueueName, job: Job): Promise<string> {
  const now = job.id === undefined ? undefined : await queueNamed(deps.queues, queue).getJob(job.id);
  const state = now ? await now.getState() : 'gone';
  const attempts = `attempts=${now?.attemptsMade ?? 0}/${job.opts.attempts ?? 1}`;
  const reason = `reason=${JSON.stringify(redactEmails(job.failedReason ?? ''))}`;
  return `queue=${queue} id=${job.id} state=${state} ${attempts} (it had failed: ${reason})`;
}

async function retryOne(deps: OpsDeps, queue: QueueName, job: Job): Promise<boolean> {
  const before = describeFailedJob(queue, job);
  try {
    // A fresh attempt budget: the job gets all of its attempts again, with the same backoff.
    await job.retry('failed', { resetAttemptsMade: true });
    deps.out.info(`retried ${await describeAfterRetry(deps, queue, job)}`);
    return true;
  } catch (error) {
    deps.out.error(`could not retry ${before}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

/** `retry --queue Q (--id ID | --all)`: moves failed jobs back to waiting. Exits 1 if any could not be. */
export async function retryFailedJobs(
  deps: OpsDeps,
  options: { queue: QueueName; target: { id: string } | 'all' },
): Promise<number> {
  const queue = queueNamed(deps.queues, options.queue);
  if (options.target !== 'all') {
    const { id } = options.target;
    const job = await queue.getJob(id);
    if (!job) {
      deps.out.error(`no job ${id} in the ${options.queue} queue`);
      return 1;
    }
    const state = await job.getState();
    if (state !== 'failed') {
      deps.out.error(`job ${id} in the ${options.queue} queue is ${state}, not failed: nothing to retry`);
      return 1;
    }
    return (await retryOne(deps, options.queue, job)) ? 0 : 1;
  }
  const jobs = await queue.getFailed(0, -1);
  let retried = 0;
  for (const job of jobs) if (await retryOne(deps, options.queue, job)) retried += 1;
  deps.out.info(
    `retried ${retried} of ${jobs.length} failed job${jobs.length === 1 ? '' : 's'} in ${options.queue}`,
  );
  return retried === jobs.length ? 0 : 1;
}
