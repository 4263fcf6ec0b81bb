import { runScheduledReconciles } from '@fulfill/queue';
import type { Job } from 'bullmq';
import type { WorkerDeps } from '../deps.ts';

export interface ReconcileRunResult {
  /** Per account read: `full` (the whole lookback window), `incremental` (since its checkpoint) or `skipped`. */
  accounts: Array<{ account: string; mode: 'full' | 'incremental' | 'skipped' }>;
  sessionsChecked: number;
  eventsChecked: number;
  /** Checkouts enqueued because their effect was missing: each one is an alarm. */
  recovered: number;
  /** Checkouts whose effect was missing but whose job was already waiting (a webhook in flight). */
  pending: number;
  /** Unsent emails whose job was gone, enqueued again. */
  emailsRequeued: number;
  shopWebhooksRequeued: number;
  eventsPruned: number;
}

/**
 * Runs the reconciler (`runScheduledReconciles`) for the platform and each connected account configured: per
 * account, what Stripe created since its checkpoint, or the whole lookback window once every
 * RECONCILE_FULL_EVERY, as `ops reconcile` does; an account whose lease another run holds is skipped
 * (`reconcile-skipped`). Each recovery is logged at error level (warn for a missed expiry) as
 * `reconcile-recovered`, naming its account, and counted in `fulfill_reconcile_recovered_total`: it means a
 * webhook was lost or its job failed for good. Each email enqueued again is logged as `reconcile-email-requeued`.
 */
export function createReconcileProcessor(deps: WorkerDeps) {
  return async (job: Job): Promise<ReconcileRunResult> => {
    // One id per run, kept across the job's retries, so a retried run dedupes against its own follow-ups.
    const runId = String(job.timestamp);
    const log = deps.logger.child({ jobId: job.id, runId });
    const { accounts, run } = await runScheduledReconciles(deps, {
      runId,
      lookbackMs: deps.settings.reconcileLookbackMs,
      overlapMs: deps.settings.reconcileOverlapMs,
      fullEveryMs: deps.settings.reconcileFullEveryMs,
      emailAttempts: deps.settings.emailAttempts,
      emailGraceMs: deps.settings.reconcileEmailGraceMs,
      connectAccounts: deps.settings.connectAccounts,
      eventRetentionMs: deps.settings.stripeEventRetentionMs,
      ...(deps.settings.shopWebhook ? { shopWebhookUrl: deps.settings.shopWebhook.url } : {}),
    });
    for (const { account, result } of accounts) {
      if (result.kind === 'skipped') {
        log.info(
          { event: 'reconcile-skipped', account, reason: result.reason },
          'another reconcile run is reading this account',
        );
      }
    }
    deps.metrics.stripeEventsPruned.inc(run.eventsPruned);
    for (const outboxId of run.shopWebhooksRequeued) {
      log.warn({ event: 'reconcile-shop-webhook-requeued', outboxId }, 'shop webhook job was lost');
    }

    let recovered = 0;
    for (const { recovery, result } of run.recoveries) {
      const fields = {
        sessionId: recovery.sessionId,
        account: recovery.account,
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
      accounts: accounts.map(({ account, result }) => ({
        account,
        mode: result.kind === 'ran' ? result.mode : 'skipped',
      })),
      sessionsChecked: run.sessionsChecked,
      eventsChecked: run.eventsChecked,
      recovered,
      pending: run.recoveries.length - recovered,
      emailsRequeued: run.emailsRequeued.length,
      shopWebhooksRequeued: run.shopWebhooksRequeued.length,
      eventsPruned: run.eventsPruned,
    };
    log.info({ event: 'reconcile-finished', ...summary }, 'reconcile run finished');
    return summary;
  };
}
