import { JOB_NAMES } from '@fulfill/orders';
import type { Queue } from 'bullmq';

/** The one job scheduler of the reconcile queue; every worker upserts the same id. */
export const RECONCILE_SCHEDULER_ID = 'reconcile';

export interface ScheduleResult {
  kind: 'created' | 'updated' | 'unchanged';
  everyMs: number;
}

/**
 * Makes sure the reconcile queue produces a reconcile job every `everyMs`. Safe to call from every worker at
 * every start: a scheduler with the same interval is left alone, so restarts never postpone the next run and
 * several workers never add a run each. A new or changed scheduler runs first one interval from now.
 */
export async function scheduleReconcile(queue: Queue, everyMs: number): Promise<ScheduleResult> {
  const existing = await queue.getJobScheduler(RECONCILE_SCHEDULER_ID);
  if (existing?.every === everyMs && existing.name === JOB_NAMES.reconcile) {
    return { kind: 'unchanged', everyMs };
  }
  await queue.upsertJobScheduler(
    RECONCILE_SCHEDULER_ID,
    { every: everyMs, startDate: Date.now() + everyMs },
    {
      name: JOB_NAMES.reconcile,
      data: {},
      opts: {
        attempts: 3,
        backoff: { type: 'exponential', delay: 10_000 },
        removeOnComplete: { count: 500 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    },
  );
  return { kind: existing ? 'updated' : 'created', everyMs };
}
