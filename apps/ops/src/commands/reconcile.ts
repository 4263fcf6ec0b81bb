import { reconcileCheckouts } from '@fulfill/orders';
import { enqueueRecoveries } from '@fulfill/queue';
import type { OpsDeps } from '../deps.ts';

/**
 * `reconcile [--since DURATION]`: one reconcile run now, as the worker's scheduled one does, printing each
 * checkout it enqueued. Unlike the scheduled run, it does not move `fulfill_reconcile_recovered_total`.
 */
export async function reconcileNow(
  deps: OpsDeps,
  options: { sinceMs: number; since: string },
): Promise<number> {
  const since = new Date(Date.now() - options.sinceMs);
  const found = await reconcileCheckouts({ db: deps.db, stripe: deps.stripe }, { since });
  const enqueued = await enqueueRecoveries(deps.queues.fulfillment, found.recoveries, {
    runId: `ops-${Date.now()}`,
  });
  for (const { recovery, result } of enqueued) {
    deps.out.info(
      [
        `recovered session=${recovery.sessionId}`,
        `reason=${recovery.reason}`,
        `order=${recovery.orderStatus ?? 'none'}`,
        `expected=${recovery.expected}`,
        ...(recovery.event ? [`event=${recovery.event.id}`, `type=${recovery.event.type}`] : []),
        `job=${result.jobId}`,
        `outcome=${result.kind}`,
      ].join(' '),
    );
  }
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  deps.out.info(
    `checked ${count(found.sessionsChecked, 'complete session')} and ` +
      `${count(found.eventsChecked, 'undelivered event')} since ${since.toISOString()} (${options.since}): ` +
      `${enqueued.length} recovered`,
  );
  return 0;
}
