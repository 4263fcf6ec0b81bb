import { buildReconcileJob, RECONCILE_SCHEDULER_ID, reconcileNowJob } from '@fulfill/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';

export interface ScheduleResult {
  kind: 'created' | 'updated' | 'unchanged';
  everyMs: number;
}

/**
 * Makes sure the reconcile queue produces a reconcile job every `everyMs`. Safe to call from every worker at
 * any time: a scheduler with the same interval is left alone, so restarts never postpone the next run and
 * several workers never add a run each. The scheduler's first run is one interval on; but a missing scheduler
 * means a first start or a Redis that lost its data, which may have taken jobs with it, so one run is added now.
 */
export async function scheduleReconcile(queue: Queue, everyMs: number): Promise<ScheduleResult> {
  const template = buildReconcileJob();
  const existing = await queue.getJobScheduler(RECONCILE_SCHEDULER_ID);
  if (existing?.every === everyMs && existing.name === template.name) {
    return { kind: 'unchanged', everyMs };
  }
  await queue.upsertJobScheduler(
    RECONCILE_SCHEDULER_ID,
    { every: everyMs, startDate: Date.now() + everyMs },
    template,
  );
  if (!existing) {
    // Workers that find it missing together (all reconnecting to the same empty Redis) add one run between them.
    const now = reconcileNowJob();
    await queue.add(now.name, now.data, { ...now.opts, jobId: now.jobId });
  }
  return { kind: existing ? 'updated' : 'created', everyMs };
}

/**
 * Keeps the reconcile schedule in Redis for as long as the worker runs: asserts it now, again every `everyMs`
 * (at most every 5 minutes), and whenever `reconnected` fires, so a Redis that restarted empty has it back
 * within one period. A failed assertion is logged and tried again at the next tick.
 */
export function keepReconcileScheduled(
  queue: Queue,
  options: {
    everyMs: number;
    logger: Logger;
    /** Subscribes to the Redis connection's reconnects. */
    onReconnect: (listener: () => void) => void;
  },
): { stop: () => void } {
  let stopped = false;
  let running = false;
  let ready = false;
  const assert = (why: 'start' | 'period' | 'reconnect') => {
    if (stopped || running) return;
    running = true;
    scheduleReconcile(queue, options.everyMs)
      .then(
        (result) => {
          if (!ready) {
            ready = true;
            options.logger.info(
              { event: 'reconcile-scheduled', why, ...result },
              'reconcile scheduler ready',
            );
          } else if (result.kind !== 'unchanged') {
            // Gone from Redis while this worker ran: Redis restarted empty or someone removed it.
            options.logger.warn(
              { event: 'reconcile-scheduled', why, ...result },
              'reconcile scheduler restored',
            );
          }
        },
        (err: Error) =>
          options.logger.warn(
            { event: 'reconcile-schedule-failed', why, message: err.message },
            'reconcile scheduler not asserted; trying again',
          ),
      )
      .finally(() => {
        running = false;
      });
  };
  assert('start');
  const timer = setInterval(() => assert('period'), Math.min(options.everyMs, 300_000));
  timer.unref();
  options.onReconnect(() => assert('reconnect'));
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
