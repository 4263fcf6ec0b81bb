import type { Job } from 'bullmq';
import type { Logger } from 'pino';

/**
 * Removes the Stripe event's payload from the job once the run has kept it in `stripe_events`: it can hold the
 * customer's email and address, which need not stay in Redis (and the queue dashboard) while the finished job
 * is kept there. A failure to do so is logged and changes nothing else.
 */
export async function dropKeptPayload(job: Job, log: Logger): Promise<void> {
  const data = job.data as Record<string, unknown> | null;
  if (!data || !('payload' in data)) return;
  const { payload: _kept, ...rest } = data;
  try {
    await job.updateData(rest);
  } catch (error) {
    log.warn(
      { outcome: 'payload-not-dropped', reason: error instanceof Error ? error.message : String(error) },
      'job',
    );
  }
}
