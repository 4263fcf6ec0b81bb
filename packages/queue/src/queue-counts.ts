import type { Queues } from './queues.ts';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

/** Reads every queue's job counts by state, for the `fulfill_queue_jobs` gauge. */
export function queueCountsCollector(queues: Queues) {
  return async () => {
    const rows: Array<{ queue: string; state: string; count: number }> = [];
    for (const queue of Object.values(queues)) {
      const counts = await queue.getJobCounts(...STATES);
      for (const state of STATES) rows.push({ queue: queue.name, state, count: counts[state] ?? 0 });
    }
    return rows;
  };
}
