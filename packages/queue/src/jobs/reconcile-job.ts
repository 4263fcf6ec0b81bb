import type { JobsOptions } from 'bullmq';

/** The queue of reconcile runs: the worker's scheduler produces them, one worker at a time runs them. */
export const RECONCILE_QUEUE = 'reconcile';
export const RECONCILE_JOB_NAME = 'reconcile';
/** The one job scheduler of the reconcile queue; every worker upserts the same id. */
export const RECONCILE_SCHEDULER_ID = 'reconcile';

/**
 * A run reads Stripe over the whole lookback window: three attempts, ten seconds apart and more, and a short
 * history, since each run is superseded by the next.
 */
export const RECONCILE_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: { count: 500 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const satisfies JobsOptions;

/** A reconcile run carries no payload: it reads everything from the database and Stripe. */
export type ReconcileJobData = Record<string, never>;

/** A reconcile run as the scheduler's template describes it, or as `reconcileNowJob` adds one. */
export interface ReconcileJob {
  name: typeof RECONCILE_JOB_NAME;
  data: ReconcileJobData;
  opts: typeof RECONCILE_JOB_OPTIONS;
}

/** The one way to make a reconcile run, for the scheduler's template. */
export function buildReconcileJob(): ReconcileJob {
  return { name: RECONCILE_JOB_NAME, data: {}, opts: RECONCILE_JOB_OPTIONS };
}

/**
 * A run to add now, outside the schedule. Its id names the minute, so that workers that add one together (all
 * reconnecting to the same empty Redis) add one run between them.
 */
export function reconcileNowJob(at: number = Date.now()): ReconcileJob & { jobId: string } {
  return { ...buildReconcileJob(), jobId: `reconcile-now-${Math.floor(at / 60_000)}` };
}
