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

type ReconcileDeps = { db: Kysely<Database>; stripe: ReconcileStripeApi; queues: Queues };

/** What one account's reconcile read found and enqueued. */
export interface AccountReconcile {
  /** The connected account read; null for the platform's own. */
  account: string | null;
  sessionsChecked: number;
  eventsChecked: number;
  /** Unix seconds: the `created` of the newest session and event read, null when none was. */
  newestSessionCreated: number | null;
  newestEventCreated: number | null;
  /** Every checkout whose effect was missing, with what enqueuing it did (`duplicate`: a job was waiting). */
  recoveries: EnqueuedRecovery[];
}

/** What a run owed besides checkouts: lost email and shop-webhook jobs enqueued again, old events pruned. */
export interface OwedWork {
  /** Unsent emails whose job was gone or finished, enqueued again. */
  emailsRequeued: Array<{ orderId: number; kind: EmailKind }>;
  /** Pending shop-webhook rows whose job was gone, enqueued again. */
  shopWebhooksRequeued: number[];
  /** Stored Stripe events deleted for being older than the retention. */
  eventsPruned: number;
}

export interface ReconcileRun extends OwedWork {
  sessionsChecked: number;
  eventsChecked: number;
  recoveries: EnqueuedRecovery[];
}

export interface OwedWorkInput {
  emailAttempts?: number;
  emailGraceMs?: number;
  /** The shop's endpoint, when shop webhooks are on: pending rows whose job was lost are enqueued again. */
  shopWebhookUrl?: string;
  /** Stored Stripe events older than this are deleted (STRIPE_EVENT_RETENTION); kept when unset. */
  eventRetentionMs?: number;
}

/** The platform (null), then each connected account configured, or each one Stripe lists, page by page. */
export async function* accountsToReconcile(
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
 * Reads one account's checkouts since `since` (or, incrementally, only what Stripe created since the given
 * times) and enqueues fulfillment for each whose effect is missing. `runId` (no ':') names the run, so that a
 * retried run dedupes against its own follow-up jobs.
 */
export async function reconcileAccount(
  deps: ReconcileDeps,
  input: {
    since: Date;
    runId: string;
    account: string | null;
    incremental?: { sessionsSince: Date; eventsSince: Date };
  },
): Promise<AccountReconcile> {
  const found = await reconcileCheckouts(
    { db: deps.db, stripe: deps.stripe },
    {
      since: input.since,
      account: input.account,
      ...(input.incremental ? { incremental: input.incremental } : {}),
    },
  );
  return {
    account: input.account,
    sessionsChecked: found.sessionsChecked,
    eventsChecked: found.eventsChecked,
    newestSessionCreated: found.newestSessionCreated,
    newestEventCreated: found.newestEventCreated,
    recoveries: await enqueueRecoveries(deps.queues.fulfillment, found.recoveries, { runId: input.runId }),
  };
}

/**
 * Enqueues again every email left unsent for `emailGraceMs` whose job is gone (a Redis that lost its data), and
 * likewise each pending shop webhook; then deletes the stored Stripe events past their retention. An email or
 * shop-webhook job that failed for good is left for an operator.
 */
export async function requeueOwedWork(deps: ReconcileDeps, input: OwedWorkInput): Promise<OwedWork> {
  const emailsRequeued: OwedWork['emailsRequeued'] = [];
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
  return { emailsRequeued, shopWebhooksRequeued, eventsPruned };
}

/** Sums what each account's read found. */
export function summarizeAccounts(accounts: AccountReconcile[], owed: OwedWork): ReconcileRun {
  return {
    sessionsChecked: accounts.reduce((sum, a) => sum + a.sessionsChecked, 0),
    eventsChecked: accounts.reduce((sum, a) => sum + a.eventsChecked, 0),
    recoveries: accounts.flatMap((a) => a.recoveries),
    ...owed,
  };
}

/**
 * One full reconcile run, as `ops reconcile` makes it: every checkout since `since` on the platform and on each
 * connected account configured, whose effect is missing, is enqueued for fulfillment; then the owed work
 * (`requeueOwedWork`). Idempotent: a run that races a webhook, another run or a live email job adds at most a
 * job that finds nothing to do.
 */
export async function runReconcile(
  deps: ReconcileDeps,
  input: OwedWorkInput & {
    since: Date;
    runId: string;
    /** Connected accounts to cover besides the platform: a list, or `all` that Stripe lists (paged). */
    connectAccounts?: 'all' | string[];
  },
): Promise<ReconcileRun> {
  const accounts: AccountReconcile[] = [];
  for await (const account of accountsToReconcile(deps.stripe, input.connectAccounts ?? [])) {
    accounts.push(await reconcileAccount(deps, { since: input.since, runId: input.runId, account }));
  }
  return summarizeAccounts(accounts, await requeueOwedWork(deps, input));
}
