import { emailJobId, findUnsentEmails, reconcileCheckouts } from '@fulfill/orders';
import { enqueueEmail, enqueueRecoveries } from '@fulfill/queue';
import type { Job } from 'bullmq';
import type { WorkerDeps } from '../deps.ts';

export interface ReconcileRunResult {
  sessionsChecked: number;
  eventsChecked: number;
  /** Checkouts enqueued because their effect was missing: each one is an alarm. */
  recovered: number;
  /** Checkouts whose effect was missing but whose job was already waiting (a webhook in flight). */
  pending: number;
  /** Unsent emails whose job was gone, enqueued again. */
  emailsRequeued: number;
}

/** How long an outbox email may stay unsent before the reconciler looks for its job. */
const EMAIL_GRACE_MS = 10 * 60 * 1000;

/**
 * Runs the reconciler over the lookback window and enqueues fulfillment for every checkout whose effect is
 * missing. Each recovery is logged at error level (warn for a missed expiry) as `reconcile-recovered` and
 * counted in `fulfill_reconcile_recovered_total`: it means a webhook was lost or its job failed for good.
 * It also enqueues again any email left unsent for ten minutes whose job no longer exists.
 */
export function createReconcileProcessor(deps: WorkerDeps) {
  return async (job: Job): Promise<ReconcileRunResult> => {
    // One id per run, kept across the job's retries, so a retried run dedupes against its own follow-ups.
    const runId = String(job.timestamp);
    const log = deps.logger.child({ jobId: job.id, runId });
    const since = new Date(Date.now() - deps.settings.reconcileLookbackMs);
    const found = await reconcileCheckouts({ db: deps.db, stripe: deps.stripe }, { since });
    const enqueued = await enqueueRecoveries(deps.queues.fulfillment, found.recoveries, { runId });

    let recovered = 0;
    for (const { recovery, result } of enqueued) {
      const fields = {
        sessionId: recovery.sessionId,
        fulfillmentKey: recovery.fulfillmentKey,
        reason: recovery.reason,
        orderStatus: recovery.orderStatus,
        expected: recovery.expected,
        ...(recovery.event ? { eventId: recovery.event.id, type: recovery.event.type } : {}),
        jobId: result.jobId,
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

    // An unsent email whose job is gone (Redis lost it) is enqueued again; a failed job is left for an operator.
    let emailsRequeued = 0;
    for (const email of await findUnsentEmails(deps.db, {
      olderThan: new Date(Date.now() - EMAIL_GRACE_MS),
    })) {
      if (await deps.queues.email.getJob(emailJobId(email.orderId, email.kind))) continue;
      await enqueueEmail(deps.queues.email, email, { attempts: deps.settings.emailAttempts });
      emailsRequeued += 1;
      log.warn(
        { event: 'reconcile-email-requeued', orderId: email.orderId, kind: email.kind },
        'email job was lost',
      );
    }

    const summary: ReconcileRunResult = {
      sessionsChecked: found.sessionsChecked,
      eventsChecked: found.eventsChecked,
      recovered,
      pending: enqueued.length - recovered,
      emailsRequeued,
    };
    log.info({ event: 'reconcile-finished', ...summary }, 'reconcile run finished');
    return summary;
  };
}
