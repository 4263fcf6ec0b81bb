import type { Recovery } from '@fulfill/orders';
import type { Queue } from 'bullmq';
import { type EnqueueResult, enqueueFulfillment } from './enqueue.ts';
import { buildFulfillmentJob } from './jobs/fulfillment-job.ts';

export interface EnqueuedRecovery {
  recovery: Recovery;
  result: EnqueueResult;
}

/**
 * Enqueues fulfillment for each recovery the reconciler found, as source `reconcile` with the event that showed
 * the gap, if any. `runId` names the reconcile run (no ':' in it): where a job for the checkout already ran,
 * the follow-up job is `<key>__reconcile-<runId>`, so a retried run dedupes against itself while the next run
 * tries again. A `duplicate` result means a job for the checkout is already waiting, as for a webhook in flight.
 */
export async function enqueueRecoveries(
  queue: Queue,
  recoveries: Recovery[],
  options: { runId: string; attempts?: number },
): Promise<EnqueuedRecovery[]> {
  const enqueued: EnqueuedRecovery[] = [];
  for (const recovery of recoveries) {
    const job = buildFulfillmentJob({
      sessionId: recovery.sessionId,
      fulfillmentKey: recovery.fulfillmentKey,
      cause: {
        source: 'reconcile',
        runId: options.runId,
        ...(recovery.event ? { event: recovery.event } : {}),
      },
      account: recovery.account,
      ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    });
    enqueued.push({ recovery, result: await enqueueFulfillment(queue, job) });
  }
  return enqueued;
}
