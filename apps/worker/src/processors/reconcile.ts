import { PLATFORM_ACCOUNT } from '@fulfill/orders';
import { runScheduledReconcile } from '@fulfill/queue';
import type { Job } from 'bullmq';
import type { WorkerDeps } from '../deps.ts';

export interface ReconcileRunResult {
  /** `incremental`: only what Stripe created since the checkpoint; `skipped`: another run held the lease. */
  mode: 'full' | 'incremental' | 'skipped';
  sessionsChecked: number;
  eventsChecked: number;
  /** Checkouts enqueued because their effect was missing: each one is an alarm. */
  recovered: number;
  /** Checkouts whose effect was missing but whose job was already waiting (a webhook in flight). */
  pending: number;
  /** Unsent emails whose job was gone, enqueued again. */
  emailsRequeued: number;
}

/**
 * Runs the reconciler for the platform account (`runScheduledReconcile`): what Stripe created since the
 * checkpoint, or the whole lookback window once every RECONCILE_FULL_EVERY, as `ops reconcile` does; a run that
 * finds another holding the account's lease is skipped (`reconcile-skipped`). Each recovery is logged
 * at error level (warn for a missed expiry) as `reconcile-recovered` and counted in
 * `fulfill_reconcile_recovered_total`: it means a webhook was lost or its job failed for good. Each email
 * enqueued again is logged as `reconcile-email-requeued`.
 */
export function createReconcileProcessor(deps: WorkerDeps) {
  return async (job: Job): Promise<ReconcileRunResult> => {
    // One id per run, kept across the job's retries, so a retried run dedupes against its own follow-ups.
    const runId = String(job.timestamp);
    const log = deps.logger.child({ jobId: job.id, runId });
    const scheduled = await runScheduledReconcile(deps, {
      account: PLATFORM_ACCOUNT,
      runId,
      lookbackMs: deps.settings.reconcileLookbackMs,
      overlapMs: deps.settings.reconcileOverlapMs,
      fullEveryMs: deps.settings.reconcileFullEveryMs,
      emailAttempts: deps.settings.emailAttempts,
      emailGraceMs: deps.settings.reconcileEmailGraceMs,
    });
    if (scheduled.kind === 'skipped') {
      log.info(
        { event: 'reconcile-skipped', reason: scheduled.reason },
        'another reconcile run is in progress',
      );
      return {
        mode: 'skipped',
        sessionsChecked: 0,
        eventsChecked: 0,
        recovered: 0,
        pending: 0,
        emailsRequeued: 0,
      };
    }
    const { run } = scheduled;

    let recovered = 0;
    for (const { recovery, result } of run.recoveries) {
      const fields = {
        sessionId: recovery.sessionId,
        fulfillmentKey: recovery.fulfillmentKey,
        reason: recovery.reason,
        orderStatus: recovery.orderStatus,
        expected: recovery.expected,
        ...(recovery.event ? { eventId: recovery.event.id, type: recovery.event.type } : {}),
        // The reconcile run's own job id is `jobId`; this is the fulfillment job it enqueued.
        fulfillmentJobId: result.jobId,
        outcome: result.kind,
      };
      if (result.kind === 'duplicate') {
        log.info({ event: 'reconcile-pending', ...fields }, 'a job for this checkout is already waiting');
        continue;
      }
      recovered += 1;
      deps.metrics.reconcileRecovered.inc();
      log[recovery.reason === 'expiry-missing' ? 'warn' : 'error'](
        { event: 'reconcile-recovered', ...fields },
        'reconciler found a checkout the webhooks missed; fulfillment enqueued',
      );
    }
    for (const email of run.emailsRequeued) {
      log.warn(
        { event: 'reconcile-email-requeued', orderId: email.orderId, kind: email.kind },
        'email job was lost',
      );
    }

    const summary: ReconcileRunResult = {
      mode: scheduled.mode,
      sessionsChecked: run.sessionsChecked,
      eventsChecked: run.eventsChecked,
      recovered,
      pending: run.recoveries.length - recovered,
      emailsRequeued: run.emailsRequeued.length,
    };
    log.info({ event: 'reconcile-finished', ...summary }, 'reconcile run finished');
    return summary;
  };
}
