import { randomUUID } from 'node:crypto';
import {
  createStripeClient,
  PLATFORM_ACCOUNT,
  reconcileCheckouts,
  takeReconcileLease,
} from '@fulfill/orders';
import {
  closeQueues,
  createProducerConnection,
  createQueues,
  runScheduledReconcile,
  runScheduledReconciles,
} from '@fulfill/queue';
import { type StripeEmulator, startStripeEmulator } from '@fulfill/stripe-emulator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestSession } from './support/checkout.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { deletePrefix, testPrefix } from './support/redis.ts';
import { STRIPE_KEY } from './support/stack.ts';

// docs/scaling.md quotes a run with RECONCILE_OLD_SESSIONS=100000; CI seeds fewer: the cost does not grow with it.
const OLD = Number(process.env.RECONCILE_OLD_SESSIONS ?? 10_000);
const NEW = 100;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const OVERLAP_MS = 10 * MINUTE;

// The emulator's clock is the test's: the old sessions spread evenly over 56 hours of the 72-hour window, as a
// shop with OLD checkouts in that time sees them; the new ones come 15 minutes after the last of them.
const SPREAD_S = 56 * 3600;
let clock = Date.now() / 1000 - SPREAD_S - 3600;
let emulator: StripeEmulator;
let database: TestDatabase;
const prefix = testPrefix();
const redis = createProducerConnection(inject('redisUrl'));
redis.on('error', () => {});
const queues = createQueues(redis, prefix);

async function completeSessions(count: number, stepS: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    clock += stepS;
    const session = createTestSession(emulator, { shipping: false });
    await emulator.completeCheckoutSession(session.id, { deliver: false });
    ids.push(session.id);
  }
  return ids;
}

/** How many checkouts completed at or after `gte` (unix seconds). */
function completedSince(gte: number): number {
  return emulator.listEvents().filter((e) => e.type === 'checkout.session.completed' && e.created >= gte)
    .length;
}

beforeAll(async () => {
  emulator = await startStripeEmulator({ autoDeliver: false, now: () => Math.floor(clock) });
  database = await createTestDatabase(inject('databaseUrl'));
}, 120_000);
afterAll(async () => {
  await closeQueues(queues);
  redis.disconnect();
  await deletePrefix(inject('redisUrl'), prefix);
  await emulator?.close();
  await database?.drop();
});

describe('an incremental reconcile run', () => {
  it(`reads ${NEW} new sessions, not the ${OLD} of the window, in a handful of Stripe requests`, {
    timeout: 180_000,
  }, async () => {
    await completeSessions(OLD, SPREAD_S / OLD);
    const checkedThrough = Math.floor(clock);
    const inOverlap = completedSince(checkedThrough - OVERLAP_MS / 1000);
    // As a finished run leaves it: everything up to the old sessions checked, the window swept an hour ago
    // (whatever another test of this file left there).
    const seeded = {
      sessions_checked_through: checkedThrough,
      events_checked_through: checkedThrough,
      full_sweep_at: new Date(Date.now() - HOUR),
      lease_token: null,
      lease_expires_at: null,
    };
    await database.db
      .insertInto('reconcile_checkpoints')
      .values({ account: PLATFORM_ACCOUNT, ...seeded })
      .onConflict((oc) => oc.column('account').doUpdateSet(seeded))
      .execute();
    clock += 15 * 60;
    const fresh = await completeSessions(NEW, 0);

    const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: emulator.url, maxNetworkRetries: 0 });
    const input = {
      account: PLATFORM_ACCOUNT,
      runId: 'measure',
      lookbackMs: 72 * HOUR,
      overlapMs: OVERLAP_MS,
      fullEveryMs: 24 * HOUR,
    };
    const before = emulator.requests.length;
    const started = performance.now();
    const result = await runScheduledReconcile({ db: database.db, stripe, queues }, input);
    const ms = Math.round(performance.now() - started);
    const requests = emulator.requests.slice(before);
    if (process.env.TEST_LOG) {
      const line = `incremental run: ${requests.length} Stripe requests, ${ms} ms, for ${OLD} old sessions`;
      process.stdout.write(`${line} (${inOverlap} in the overlap) and ${NEW} new\n`);
    }

    expect(result.kind).toBe('ran');
    if (result.kind !== 'ran') return;
    expect(result.mode).toBe('incremental');
    // What is new, and the bounded overlap before the checkpoint: none of the rest of the window.
    expect(result.run.sessionsChecked).toBe(NEW + inOverlap);
    expect(result.run.eventsChecked).toBe(NEW + inOverlap);
    // No order was written here: each checkout read is found, once, the new ones among them.
    expect(result.run.recoveries).toHaveLength(NEW + inOverlap);
    expect(result.run.recoveries.map((r) => r.recovery.sessionId)).toEqual(expect.arrayContaining(fresh));
    // A page of 100 at a time, for the sessions and for the events.
    const pages = Math.ceil((NEW + inOverlap) / 100);
    expect(requests.every((r) => r.method === 'GET')).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(2 * (pages + 1));
    expect(inOverlap).toBeLessThan(OLD / 10);

    const checkpoint = await database.db
      .selectFrom('reconcile_checkpoints')
      .selectAll()
      .where('account', '=', PLATFORM_ACCOUNT)
      .executeTakeFirstOrThrow();
    expect(checkpoint.sessions_checked_through).toBeGreaterThan(checkedThrough);
    expect(checkpoint.events_checked_through).toBe(checkpoint.sessions_checked_through);
    expect(checkpoint.lease_token).toBeNull();

    if (process.env.RECONCILE_MEASURE_FULL) {
      // For comparison, what a full sweep of the window reads (read only: nothing is enqueued).
      const fullBefore = emulator.requests.length;
      const full = await reconcileCheckouts(
        { db: database.db, stripe },
        { since: new Date(Date.now() - 72 * HOUR) },
      );
      process.stdout.write(
        `full sweep: ${emulator.requests.length - fullBefore} Stripe requests for ` +
          `${full.sessionsChecked} sessions and ${full.eventsChecked} undelivered events\n`,
      );
    }
    // The next run reads from the new checkpoint less the overlap: the new sessions only, 15 minutes on.
    const nextBefore = emulator.requests.length;
    const next = await runScheduledReconcile(
      { db: database.db, stripe, queues },
      { ...input, runId: 'next' },
    );
    expect(next).toMatchObject({ kind: 'ran', mode: 'incremental', run: { sessionsChecked: NEW } });
    expect(emulator.requests.length - nextBefore).toBeLessThanOrEqual(4);
  });

  it('lets one run at a time hold an account, across workers', async () => {
    const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: emulator.url, maxNetworkRetries: 0 });
    // A connected account's lease, read for that account.
    emulator.createConnectedAccount({ id: 'acct_1LeaseTest' });
    const input = {
      account: 'acct_1LeaseTest',
      runId: 'lease',
      lookbackMs: HOUR,
      overlapMs: 10 * MINUTE,
      fullEveryMs: 24 * HOUR,
    };
    // A run elsewhere holds the lease: this one reads nothing and says so.
    const held = await takeReconcileLease(database.db, input.account, {
      token: randomUUID(),
      leaseMs: MINUTE,
    });
    expect(held).not.toBeNull();
    const before = emulator.requests.length;
    expect(await runScheduledReconcile({ db: database.db, stripe, queues }, input)).toEqual({
      kind: 'skipped',
      reason: 'another-run-holds-the-lease',
    });
    expect(emulator.requests.length).toBe(before);
    // An expired lease (its run died) is taken over, and a finished run gives its lease back.
    await database.db
      .updateTable('reconcile_checkpoints')
      .set({ lease_expires_at: new Date(Date.now() - 1000) })
      .where('account', '=', input.account)
      .execute();
    expect((await runScheduledReconcile({ db: database.db, stripe, queues }, input)).kind).toBe('ran');
    expect((await runScheduledReconcile({ db: database.db, stripe, queues }, input)).kind).toBe('ran');
  });

  it('reads the platform and each connected account under its own lease and checkpoint', async () => {
    const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: emulator.url, maxNetworkRetries: 0 });
    emulator.createConnectedAccount({ id: 'acct_1SecondShop' });
    const { accounts } = await runScheduledReconciles(
      { db: database.db, stripe, queues },
      {
        runId: 'accounts',
        lookbackMs: HOUR,
        overlapMs: 10 * MINUTE,
        fullEveryMs: 24 * HOUR,
        connectAccounts: ['acct_1SecondShop'],
      },
    );
    expect(accounts.map(({ account, result }) => [account, result.kind])).toEqual([
      [PLATFORM_ACCOUNT, 'ran'],
      ['acct_1SecondShop', 'ran'],
    ]);
    const second = await database.db
      .selectFrom('reconcile_checkpoints')
      .selectAll()
      .where('account', '=', 'acct_1SecondShop')
      .executeTakeFirstOrThrow();
    expect(second).toMatchObject({ lease_token: null });
    expect(second.full_sweep_at).not.toBeNull();
  });
});
