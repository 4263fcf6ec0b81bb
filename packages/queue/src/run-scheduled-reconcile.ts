import { randomUUID } from 'node:crypto';
import type { Database } from '@fulfill/db';
import {
  finishReconcileRun,
  PLATFORM_ACCOUNT,
  type ReconcileStripeApi,
  releaseReconcileLease,
  takeReconcileLease,
} from '@fulfill/orders';
import type { Kysely } from 'kysely';
import type { Queues } from './queues.ts';
import {
  type AccountReconcile,
  accountsToReconcile,
  type OwedWorkInput,
  type ReconcileRun,
  reconcileAccount,
  requeueOwedWork,
  summarizeAccounts,
} from './run-reconcile.ts';

/** How long a run holds its account's lease: a run that dies frees the account after about this long. */
const LEASE_MS = 15 * 60_000;

export interface ScheduledReconcileInput {
  /** `PLATFORM_ACCOUNT`, or a connected account's id. */
  account: string;
  runId: string;
  /** How far back a full sweep reads, in ms (RECONCILE_LOOKBACK). */
  lookbackMs: number;
  /** How far before its checkpoint an incremental run starts reading, in ms (RECONCILE_OVERLAP). */
  overlapMs: number;
  /** How often a run sweeps the whole window instead, in ms (RECONCILE_FULL_EVERY). */
  fullEveryMs: number;
  now?: Date;
}

export type ScheduledReconcileResult =
  | { kind: 'ran'; mode: 'full' | 'incremental'; since: Date; run: AccountReconcile }
  | { kind: 'skipped'; reason: 'another-run-holds-the-lease' };

type ReconcileDeps = { db: Kysely<Database>; stripe: ReconcileStripeApi; queues: Queues };

/**
 * One scheduled reconcile read of one Stripe account, what `runScheduledReconciles` does per account. It takes
 * the account's lease (one run at a time across every worker), then reads only what Stripe created since its
 * checkpoint less `overlapMs`, every event of it and not only the undelivered; or, when no run has swept the
 * whole window within `fullEveryMs` (or none has finished), sweeps the whole lookback window as `ops
 * reconcile` does. A finished run moves the checkpoint to the newest session and event it read. A failed one
 * leaves it, so the next run reads the same again.
 */
export async function runScheduledReconcile(
  deps: ReconcileDeps,
  input: ScheduledReconcileInput,
): Promise<ScheduledReconcileResult> {
  const token = randomUUID();
  const checkpoint = await takeReconcileLease(deps.db, input.account, { token, leaseMs: LEASE_MS });
  if (!checkpoint) return { kind: 'skipped', reason: 'another-run-holds-the-lease' };
  const now = input.now ?? new Date();
  const windowStart = new Date(now.getTime() - input.lookbackMs);
  const { sessionsCheckedThrough, eventsCheckedThrough, fullSweepAt } = checkpoint;
  const full =
    sessionsCheckedThrough === null ||
    eventsCheckedThrough === null ||
    fullSweepAt === null ||
    now.getTime() - fullSweepAt.getTime() >= input.fullEveryMs;
  const from = (through: number) =>
    new Date(Math.max(windowStart.getTime(), through * 1000 - input.overlapMs));
  try {
    const run = await reconcileAccount(deps, {
      since: windowStart,
      runId: input.runId,
      account: input.account === PLATFORM_ACCOUNT ? null : input.account,
      ...(full
        ? {}
        : {
            incremental: {
              sessionsSince: from(sessionsCheckedThrough),
              eventsSince: from(eventsCheckedThrough),
            },
          }),
    });
    // A full sweep reads only the undelivered events, but every complete session: what it read of sessions
    // covers each event before the newest of them.
    const sessionsThrough = run.newestSessionCreated;
    const eventsThrough = full
      ? maxOf(run.newestEventCreated, run.newestSessionCreated)
      : run.newestEventCreated;
    await finishReconcileRun(deps.db, input.account, {
      token,
      sessionsCheckedThrough: sessionsThrough ?? (full ? Math.floor(now.getTime() / 1000) : null),
      eventsCheckedThrough: eventsThrough ?? (full ? Math.floor(now.getTime() / 1000) : null),
      ...(full ? { fullSweepAt: now } : {}),
    });
    const since = full ? windowStart : from(Math.min(sessionsCheckedThrough, eventsCheckedThrough));
    return { kind: 'ran', mode: full ? 'full' : 'incremental', since, run };
  } catch (error) {
    await releaseReconcileLease(deps.db, input.account, token).catch(() => {});
    throw error;
  }
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** Each account's scheduled read, and the run's owed work (`requeueOwedWork`), done once. */
export interface ScheduledReconcileRun {
  accounts: Array<{ account: string; result: ScheduledReconcileResult }>;
  /** The reads that ran, summed, with the owed work. */
  run: ReconcileRun;
}

/**
 * The worker's scheduled reconcile run: `runScheduledReconcile` for the platform and for each connected account
 * configured (`all`: each one Stripe lists), each under its own lease and checkpoint, so that an account another
 * worker is reading is skipped while the others run; then the owed work, once.
 */
export async function runScheduledReconciles(
  deps: ReconcileDeps,
  input: Omit<ScheduledReconcileInput, 'account'> & OwedWorkInput & { connectAccounts?: 'all' | string[] },
): Promise<ScheduledReconcileRun> {
  const accounts: ScheduledReconcileRun['accounts'] = [];
  for await (const account of accountsToReconcile(deps.stripe, input.connectAccounts ?? [])) {
    const key = account ?? PLATFORM_ACCOUNT;
    accounts.push({ account: key, result: await runScheduledReconcile(deps, { ...input, account: key }) });
  }
  const read = accounts.flatMap(({ result }) => (result.kind === 'ran' ? [result.run] : []));
  return { accounts, run: summarizeAccounts(read, await requeueOwedWork(deps, input)) };
}
