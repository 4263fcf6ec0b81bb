import type { Database } from '@fulfill/db';
import { type Kysely, sql } from 'kysely';

/** The account key of the Stripe account the secret key belongs to; a connected account uses its `acct_…` id. */
export const PLATFORM_ACCOUNT = 'platform';

/** How far the reconciler has checked one account. */
export interface ReconcileCheckpoint {
  account: string;
  /** Unix seconds, null before the first finished run. */
  sessionsCheckedThrough: number | null;
  eventsCheckedThrough: number | null;
  fullSweepAt: Date | null;
}

function checkpointOf(row: {
  account: string;
  sessions_checked_through: number | null;
  events_checked_through: number | null;
  full_sweep_at: Date | null;
}): ReconcileCheckpoint {
  return {
    account: row.account,
    sessionsCheckedThrough: row.sessions_checked_through,
    eventsCheckedThrough: row.events_checked_through,
    fullSweepAt: row.full_sweep_at,
  };
}

/**
 * Takes the account's reconcile lease for `leaseMs`, so that one run at a time reads it across every worker and
 * `ops reconcile`: a row lease, not an advisory lock, so it holds through PgBouncer's transaction pooling. Null
 * when another run holds an unexpired lease. A run that dies keeps it until it expires.
 */
export async function takeReconcileLease(
  db: Kysely<Database>,
  account: string,
  lease: { token: string; leaseMs: number },
): Promise<ReconcileCheckpoint | null> {
  await db
    .insertInto('reconcile_checkpoints')
    .values({ account })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await db
    .updateTable('reconcile_checkpoints')
    .set({
      lease_token: lease.token,
      lease_expires_at: sql<Date>`now() + ${lease.leaseMs} * interval '1 millisecond'`,
    })
    .where('account', '=', account)
    .where((eb) => eb.or([eb('lease_token', 'is', null), eb('lease_expires_at', '<', sql<Date>`now()`)]))
    .returning(['account', 'sessions_checked_through', 'events_checked_through', 'full_sweep_at'])
    .executeTakeFirst();
  return row ? checkpointOf(row) : null;
}

/**
 * Records what a finished run checked and gives its lease back; a run whose lease expired and was taken by
 * another records nothing (false). Checkpoints only move forward.
 */
export async function finishReconcileRun(
  db: Kysely<Database>,
  account: string,
  run: {
    token: string;
    sessionsCheckedThrough: number | null;
    eventsCheckedThrough: number | null;
    fullSweepAt?: Date;
  },
): Promise<boolean> {
  const forward = (column: 'sessions_checked_through' | 'events_checked_through', value: number | null) =>
    value === null
      ? sql<number | null>`${sql.ref(column)}`
      : sql<number>`greatest(${sql.ref(column)}, ${value})`;
  const result = await db
    .updateTable('reconcile_checkpoints')
    .set({
      sessions_checked_through: forward('sessions_checked_through', run.sessionsCheckedThrough),
      events_checked_through: forward('events_checked_through', run.eventsCheckedThrough),
      ...(run.fullSweepAt ? { full_sweep_at: run.fullSweepAt } : {}),
      lease_token: null,
      lease_expires_at: null,
      updated_at: sql<Date>`now()`,
    })
    .where('account', '=', account)
    .where('lease_token', '=', run.token)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives a lease back without recording anything, after a run failed. */
export async function releaseReconcileLease(
  db: Kysely<Database>,
  account: string,
  token: string,
): Promise<void> {
  await db
    .updateTable('reconcile_checkpoints')
    .set({ lease_token: null, lease_expires_at: null })
    .where('account', '=', account)
    .where('lease_token', '=', token)
    .execute();
}
