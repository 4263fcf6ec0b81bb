import { redactEmails } from '@fulfill/orders';
import { QUEUE_NAMES, queueNamed } from '@fulfill/queue';
import type { Job } from 'bullmq';
import type { OpsDeps } from '../deps.ts';
import type { QueueName } from '../usage.ts';

/** One line per failed job: where it is, how often it ran, when it gave up and why (emails masked). */
export function describeFailedJob(queue: QueueName, job: Job): string {
  const data = job.data as { sessionId?: unknown; orderId?: unknown; kind?: unknown } | undefined;
  const subject = [
    typeof data?.sessionId === 'string' ? `session=${data.sessionId}` : null,
    typeof data?.orderId === 'number' ? `orderId=${data.orderId}` : null,
    typeof data?.kind === 'string' ? `kind=${data.kind}` : null,
  ].filter((part) => part !== null);
  return [
    `queue=${queue}`,
    `id=${job.id}`,
    `attempts=${job.attemptsMade}/${job.opts.attempts ?? 1}`,
    `finishedOn=${job.finishedOn ? new Date(job.finishedOn).toISOString() : '-'}`,
    ...subject,
    `reason=${JSON.stringify(redactEmails(job.failedReason ?? ''))}`,
  ].join(' ');
}

/** `failed [--queue Q]`: prints the failed jobs of one queue or of all of them. */
export async function listFailedJobs(deps: OpsDeps, options: { queue: QueueName | null }): Promise<number> {
  const names = options.queue ? [options.queue] : Object.values(QUEUE_NAMES);
  let total = 0;
  for (const name of names) {
    const jobs = await queueNamed(deps.queues, name).getFailed(0, -1);
    for (const job of jobs) deps.out.info(describeFailedJob(name, job));
    total += jobs.length;
  }
  deps.out.info(`${total} failed job${total === 1 ? '' : 's'} in ${options.queue ?? 'all queues'}`);
  return 0;
}
