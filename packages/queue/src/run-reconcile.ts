import type { Database, EmailKind } from '@fulfill/db';
import { findUnsentEmails, type ReconcileStripeApi, reconcileCheckouts } from '@fulfill/orders';
import type { Kysely } from 'kysely';
import { enqueueEmail } from './enqueue.ts';
import { type EnqueuedRecovery, enqueueRecoveries } from './enqueue-recoveries.ts';
import type { Queues } from './queues.ts';

/** How long an outbox email may stay unsent before a reconcile run enqueues its job again (default 1 min). */
const EMAIL_GRACE_MS = 60_000;

export interface ReconcileRun {
  sessionsChecked: number;
  eventsChecked: number;
  /** Unix seconds: the `created` of the newest session and event read, null when none was. */
  newestSessionCreated: number | null;
  newestEventCreated: number | null;
  /** Every checkout whose effect was missing, with what enqueuing it did (`duplicate`: a job was waiting). */
  recoveries: EnqueuedRecovery[];
  /** Unsent emails whose job was gone or finished, enqueued again. */
  emailsRequeued: Array<{ orderId: number; kind: EmailKind }>;
}

/**
 * One reconcile run, the same for the worker's scheduled job and `ops reconcile`: enqueues fulfillment for every
 * checkout since `since` whose effect is missing, and enqueues again every email left unsent for `emailGraceMs`
 * whose job is gone (a Redis that lost its data). An email job that failed for good is left for an operator.
 * Idempotent: a run that races a webhook, another run or a live email job adds at most a job that finds nothing
 * to do. `runId` (no ':') names the run, so that a retried run dedupes against its own follow-up jobs.
 */
export async function runReconcile(
  deps: { db: Kysely<Database>; stripe: ReconcileStripeApi; queues: Queues },
  input: {
    since: Date;
    runId: string;
    emailAttempts?: number;
    emailGraceMs?: number;
    /** Reads only what Stripe created since these (see `reconcileCheckouts`); a full sweep without. */
    incremental?: { sessionsSince: Date; eventsSince: Date };
  },
): Promise<ReconcileRun> {
  const found = await reconcileCheckouts(
    { db: deps.db, stripe: deps.stripe },
    { since: input.since, ...(input.incremental ? { incremental: input.incremental } : {}) },
  );
  const recoveries = await enqueueRecoveries(deps.queues.fulfillment, found.recoveries, {
    runId: input.runId,
  });

  const emailsRequeued: ReconcileRun['emailsRequeued'] = [];
  const olderThan = new Date(Date.now() - (input.emailGraceMs ?? EMAIL_GRACE_MS));
  for (const email of await findUnsentEmails(deps.db, { olderThan })) {
    const outcome = await enqueueEmail(deps.queues.email, email, {
      ...(input.emailAttempts !== undefined ? { attempts: input.emailAttempts } : {}),
      retryFailed: false,
    });
    if (outcome === 'added' || outcome === 'replaced') emailsRequeued.push(email);
  }
  return {
    sessionsChecked: found.sessionsChecked,
    eventsChecked: found.eventsChecked,
    newestSessionCreated: found.newestSessionCreated,
    newestEventCreated: found.newestEventCreated,
    recoveries,
    emailsRequeued,
  };
}
