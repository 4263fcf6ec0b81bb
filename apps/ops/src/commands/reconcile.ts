import { runReconcile } from '@fulfill/queue';
import type { OpsDeps } from '../deps.ts';

/**
 * `reconcile [--since DURATION]`: one reconcile run now, the same `runReconcile` as the worker's scheduled one,
 * printing each checkout and email it enqueued. Unlike the scheduled run, it does not move
 * `fulfill_reconcile_recovered_total`.
 */
export async function reconcileNow(
  deps: OpsDeps,
  options: { sinceMs: number; since: string },
): Promise<number> {
  const since = new Date(Date.now() - options.sinceMs);
  const run = await runReconcile(deps, {
    since,
    runId: `ops-${Date.now()}`,
    connectAccounts: deps.connectAccounts,
  });
  for (const { recovery, result } of run.recoveries) {
    deps.out.info(
      [
        `recovered session=${recovery.sessionId}`,
        `reason=${recovery.reason}`,
        `order=${recovery.orderStatus ?? 'none'}`,
        `expected=${recovery.expected}`,
        ...(recovery.event ? [`event=${recovery.event.id}`, `type=${recovery.event.type}`] : []),
        `job=${result.jobId}`,
        `outcome=${result.kind}`,
        `account=${recovery.account ?? 'platform'}`,
      ].join(' '),
    );
  }
  for (const email of run.emailsRequeued) {
    deps.out.info(`requeued email order=${email.orderId} kind=${email.kind}`);
  }
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  deps.out.info(
    `checked ${count(run.sessionsChecked, 'complete session')} and ` +
      `${count(run.eventsChecked, 'undelivered event')} since ${since.toISOString()} (${options.since}): ` +
      `${run.recoveries.length} recovered, ${count(run.emailsRequeued.length, 'email')} requeued`,
  );
  return 0;
}
