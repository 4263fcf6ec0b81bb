import type { Database, EmailKind } from '@fulfill/db';
import {
  findUnsentEmails,
  listShopWebhooks,
  pruneStripeEvents,
  type ReconcileStripeApi,
  reconcileCheckouts,
  shopEndpointState,
} from '@fulfill/orders';
import type { Kysely } from 'kysely';
import { enqueueEmail } from './enqueue.ts';
import { enqueueShopWebhook } from './enqueue-after-payment.ts';
import { type EnqueuedRecovery, enqueueRecoveries } from './enqueue-recoveries.ts';
import type { Queues } from './queues.ts';

/** How long an outbox email may stay unsent before a reconcile run enqueues its job again (default 1 min). */
const EMAIL_GRACE_MS = 60_000;

export interface ReconcileRun {
  sessionsChecked: number;
  eventsChecked: number;
  /** Every checkout whose effect was missing, with what enqueuing it did (`duplicate`: a job was waiting). */
  recoveries: EnqueuedRecovery[];
  /** Unsent emails whose job was gone or finished, enqueued again. */
  emailsRequeued: Array<{ orderId: number; kind: EmailKind }>;
  /** Pending shop-webhook rows whose job was gone, enqueued again. */
  shopWebhooksRequeued: number[];
  /** Stored Stripe events deleted for being older than the retention. */
  eventsPruned: number;
}

/** The platform (null), then each connected account configured, or each one Stripe lists, page by page. */
async function* accountsToReconcile(
  stripe: ReconcileStripeApi,
  accounts: 'all' | string[],
): AsyncGenerator<string | null> {
  yield null;
  if (accounts !== 'all') {
    yield* accounts;
    return;
  }
  for await (const account of stripe.accounts.list({ limit: 100 })) yield account.id;
}

/**
 * One reconcile run, the same for the worker's scheduled job and `ops reconcile`: enqueues fulfillment for every
 * checkout since `since` whose effect is missing, and enqueues again every email left unsent for `emailGraceMs`
 * whose job is gone (a Redis that lost its data), and likewise each pending shop webhook; then deletes the stored
 * Stripe events past their retention. An email or shop-webhook job that failed for good is left for an operator.
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
    /** Connected accounts to cover besides the platform: a list, or `all` that Stripe lists (paged). */
    connectAccounts?: 'all' | string[];
    /** The shop's endpoint, when shop webhooks are on: pending rows whose job was lost are enqueued again. */
    shopWebhookUrl?: string;
    /** Stored Stripe events older than this are deleted (STRIPE_EVENT_RETENTION); kept when unset. */
    eventRetentionMs?: number;
  },
): Promise<ReconcileRun> {
  let sessionsChecked = 0;
  let eventsChecked = 0;
  const recoveries: EnqueuedRecovery[] = [];
  for await (const account of accountsToReconcile(deps.stripe, input.connectAccounts ?? [])) {
    const found = await reconcileCheckouts(
      { db: deps.db, stripe: deps.stripe },
      { since: input.since, account },
    );
    sessionsChecked += found.sessionsChecked;
    eventsChecked += found.eventsChecked;
    recoveries.push(
      ...(await enqueueRecoveries(deps.queues.fulfillment, found.recoveries, { runId: input.runId })),
    );
  }

  const emailsRequeued: ReconcileRun['emailsRequeued'] = [];
  const olderThan = new Date(Date.now() - (input.emailGraceMs ?? EMAIL_GRACE_MS));
  for (const email of await findUnsentEmails(deps.db, { olderThan })) {
    const outcome = await enqueueEmail(deps.queues.email, email, {
      ...(input.emailAttempts !== undefined ? { attempts: input.emailAttempts } : {}),
      retryFailed: false,
    });
    if (outcome === 'added' || outcome === 'replaced') emailsRequeued.push(email);
  }
  const shopWebhooksRequeued: number[] = [];
  if (input.shopWebhookUrl && !(await shopEndpointState(deps.db, input.shopWebhookUrl)).disabledAt) {
    for (const row of await listShopWebhooks(deps.db, { states: ['pending'], olderThan })) {
      const outcome = await enqueueShopWebhook(deps.queues.shopWebhook, row.id, { replaceFinished: false });
      if (outcome === 'added') shopWebhooksRequeued.push(row.id);
    }
  }
  const eventsPruned =
    input.eventRetentionMs === undefined
      ? 0
      : await pruneStripeEvents(deps.db, { before: new Date(Date.now() - input.eventRetentionMs) });
  return {
    sessionsChecked,
    eventsChecked,
    recoveries,
    emailsRequeued,
    shopWebhooksRequeued,
    eventsPruned,
  };
}
