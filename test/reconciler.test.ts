import { randomUUID } from 'node:crypto';
import { createStripeClient, reconcileCheckouts } from '@fulfill/orders';
import { RECONCILE_JOB_NAME } from '@fulfill/queue';
import { type ReconcileRunResult, scheduleReconcile } from '@fulfill/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout, createTestSession } from './support/checkout.ts';
import { mailsOfKey, ordersOfSession, queuesSettled } from './support/observe.ts';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { STRIPE_KEY, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
const processes: RunningProcess[] = [];
beforeAll(async () => {
  // Every run here sweeps the whole window, as `ops reconcile` does; test/reconcile-incremental.test.ts covers
  // the incremental runs between sweeps.
  stack = await startStack({ reconcileFullEveryMs: 0 });
});
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) p.signal('SIGKILL');
  await stack?.stop();
});

const HOUR = 3600 * 1000;

const ordersFor = (sessionId: string) => ordersOfSession(stack, sessionId);

const mailsFor = (fulfillmentKey: string) => mailsOfKey(stack, fulfillmentKey);

const settled = () => queuesSettled(stack);

/** Runs the reconcile processor once through the queue, as the scheduler would, and returns its result. */
async function runReconcile(): Promise<ReconcileRunResult> {
  const jobId = `manual-${randomUUID()}`;
  await stack.queues.reconcile.add(RECONCILE_JOB_NAME, {}, { jobId });
  const state = await waitFor(
    async () => {
      const s = await stack.queues.reconcile.getJobState(jobId);
      return s === 'completed' || s === 'failed' ? s : undefined;
    },
    { what: 'the reconcile run' },
  );
  const job = await stack.queues.reconcile.getJob(jobId);
  expect(state, job?.failedReason).toBe('completed');
  return job?.returnvalue as ReconcileRunResult;
}

async function recoveredCount(): Promise<number> {
  const metric = await stack.workerMetrics.reconcileRecovered.get();
  return metric.values[0]?.value ?? 0;
}

/** The log lines of an event, from line `from` on (a test passes the count it started with). */
function reconcileLogs(event: string, from = 0) {
  return stack.logLines
    .slice(from)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.event === event);
}

describe('the reconciler', () => {
  it('recovers a lost paid checkout and a lost delayed-payment success exactly once, and nothing else', async () => {
    // The emulator holds the sessions of the tests before this one, all settled: count from them.
    const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: stack.emulator.url });
    const since = new Date(Date.now() - HOUR);
    const baseline = await reconcileCheckouts({ db: stack.db, stripe }, { since });
    const logsBefore = stack.logLines.length;
    expect(baseline.recoveries).toEqual([]);
    const fulfilled = await completedCheckout(stack.emulator, { email: 'grace@example.com' });
    await stack.emulator.deliverEvent(fulfilled.event.id);
    const lost = await completedCheckout(stack.emulator, { email: 'lost@example.com' });
    const delayed = await completedCheckout(stack.emulator, { paymentStatus: 'unpaid' });
    await stack.emulator.deliverEvent(delayed.event.id);
    await waitFor(async () => (await ordersFor(fulfilled.session.id))[0]?.status === 'paid');
    await waitFor(async () => (await ordersFor(delayed.session.id))[0]?.status === 'awaiting_payment');
    await settled();
    const { event: succeeded } = await stack.emulator.settleAsyncPayment(delayed.session.id, 'succeeded', {
      deliver: false,
    });
    const lostKey = lost.session.payment_intent as string;
    const delayedKey = delayed.session.payment_intent as string;
    const fulfilledKey = fulfilled.session.payment_intent as string;

    // What the reconciler finds, read alone: one recovery per session, carrying the newest undelivered event.
    const found = await reconcileCheckouts({ db: stack.db, stripe }, { since });
    const bySession = (a: { sessionId: string }, b: { sessionId: string }) =>
      a.sessionId.localeCompare(b.sessionId);
    expect([...found.recoveries].sort(bySession)).toEqual(
      [
        {
          sessionId: lost.session.id,
          fulfillmentKey: lostKey,
          reason: 'order-missing',
          orderStatus: null,
          expected: 'paid',
          event: { id: lost.event.id, type: 'checkout.session.completed', created: lost.event.created },
          account: null,
        },
        {
          sessionId: delayed.session.id,
          fulfillmentKey: delayedKey,
          reason: 'order-behind',
          orderStatus: 'awaiting_payment',
          expected: 'paid',
          event: {
            id: succeeded.id,
            type: 'checkout.session.async_payment_succeeded',
            created: succeeded.created,
          },
          account: null,
        },
      ].sort(bySession),
    );
    expect(found.sessionsChecked).toBe(baseline.sessionsChecked + 3);
    expect(found.eventsChecked).toBe(baseline.eventsChecked + 2);
    // One database query per session or event gives the same answer as one per page.
    const oneByOne = await reconcileCheckouts({ db: stack.db, stripe }, { since, batchSize: 1 });
    expect([...oneByOne.recoveries].sort(bySession)).toEqual([...found.recoveries].sort(bySession));
    // Outside the window, nothing is looked at.
    const later = await reconcileCheckouts({ db: stack.db, stripe }, { since: new Date(Date.now() + HOUR) });
    expect(later).toEqual({
      recoveries: [],
      sessionsChecked: 0,
      eventsChecked: 0,
      newestSessionCreated: null,
      newestEventCreated: null,
    });

    const countBefore = await recoveredCount();
    const first = await runReconcile();
    expect(first).toEqual({
      accounts: [{ account: 'platform', mode: 'full' }],
      sessionsChecked: baseline.sessionsChecked + 3,
      eventsChecked: baseline.eventsChecked + 2,
      recovered: 2,
      pending: 0,
      emailsRequeued: 0,
      shopWebhooksRequeued: 0,
      eventsPruned: 0,
    });
    await waitFor(async () => (await ordersFor(lost.session.id))[0]?.status === 'paid', {
      what: 'the recovered order',
    });
    await waitFor(async () => (await ordersFor(delayed.session.id))[0]?.status === 'paid', {
      what: 'the delayed order to be paid',
    });
    await waitFor(() => mailsFor(lostKey).length > 0 && mailsFor(delayedKey).length > 0, {
      what: 'both confirmations',
    });
    await settled();
    expect(await recoveredCount()).toBe(countBefore + 2);

    const alarms = reconcileLogs('reconcile-recovered', logsBefore);
    expect(alarms.map((a) => a.sessionId).sort()).toEqual([lost.session.id, delayed.session.id].sort());
    for (const alarm of alarms) expect(alarm.level).toBe(50);
    expect(JSON.stringify(alarms)).not.toMatch(/@example\.com/);
    // The lost checkout never had a job; the delayed one's job had run, so a follow-up job was added.
    expect(alarms.find((a) => a.sessionId === lost.session.id)).toMatchObject({
      outcome: 'added',
      fulfillmentJobId: lostKey,
      eventId: lost.event.id,
    });
    // `jobId` stays the reconcile run's own job, so each alarm names the run that raised it.
    for (const alarm of alarms) expect(String(alarm.jobId)).toMatch(/^manual-/);
    const followUp = alarms.find((a) => a.sessionId === delayed.session.id);
    expect(followUp).toMatchObject({ outcome: 'follow-up', reason: 'order-behind', eventId: succeeded.id });
    expect(String(followUp?.fulfillmentJobId)).toMatch(new RegExp(`^${delayedKey}__reconcile-\\d+$`));

    const second = await runReconcile();
    expect(second).toEqual({
      accounts: [{ account: 'platform', mode: 'full' }],
      sessionsChecked: baseline.sessionsChecked + 3,
      eventsChecked: baseline.eventsChecked + 2,
      recovered: 0,
      pending: 0,
      emailsRequeued: 0,
      shopWebhooksRequeued: 0,
      eventsPruned: 0,
    });
    await settled();
    expect(await recoveredCount()).toBe(countBefore + 2);
    expect(reconcileLogs('reconcile-recovered', logsBefore)).toHaveLength(2);

    for (const [session, key] of [
      [lost.session.id, lostKey],
      [delayed.session.id, delayedKey],
      [fulfilled.session.id, fulfilledKey],
    ] as const) {
      const orders = await ordersFor(session);
      expect(orders.map((o) => o.status)).toEqual(['paid']);
      expect(mailsFor(key)).toHaveLength(1);
    }
    const recorded = await stack.db
      .selectFrom('stripe_events')
      .select('event_id')
      .where('event_id', '=', succeeded.id)
      .execute();
    expect(recorded).toHaveLength(1);
  });

  it('enqueues again an unsent email whose job Redis lost, and it is sent once', async () => {
    await stack.smtp.stop();
    const { session, event } = await completedCheckout(stack.emulator);
    const key = session.payment_intent as string;
    await stack.emulator.deliverEvent(event.id);
    const [order] = await waitFor(async () =>
      (await ordersFor(session.id)).length ? ordersFor(session.id) : undefined,
    );
    const emailId = `email__${order?.id}__confirmation`;
    await waitFor(async () => (await stack.queues.email.getJob(emailId)) !== undefined, {
      what: 'the email job',
    });
    await stack.workers?.close();
    stack.workers = null;
    // Redis lost the email job; the outbox row, owed for more than ten minutes, is still pending.
    await (await stack.queues.email.getJob(emailId))?.remove();
    await stack.db
      .updateTable('email_outbox')
      .set({ created_at: new Date(Date.now() - 11 * 60 * 1000) })
      .where('order_id', '=', order?.id ?? 0)
      .execute();
    await stack.smtp.start();
    stack.startWorkers();

    const run = await runReconcile();
    expect(run.emailsRequeued).toBe(1);
    await waitFor(() => mailsFor(key).length === 1, { what: 'the confirmation' });
    await settled();
    expect((await runReconcile()).emailsRequeued).toBe(0);
    expect(mailsFor(key)).toHaveLength(1);
  });

  it('recovers a checkout whose webhook was acknowledged but whose job Redis lost', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    const key = session.payment_intent as string;
    await stack.workers?.close();
    stack.workers = null;
    const [delivery] = await stack.emulator.deliverEvent(event.id);
    expect(delivery?.status).toBe(200);
    // As after a Redis failover that dropped the last writes: the event counts as delivered, the job is gone.
    await (await stack.queues.fulfillment.getJob(key))?.remove();
    stack.startWorkers();

    const countBefore = await recoveredCount();
    const run = await runReconcile();
    expect(run).toMatchObject({ recovered: 1, pending: 0 });
    const alarm = reconcileLogs('reconcile-recovered').find((a) => a.sessionId === session.id);
    // Only the session list shows it to a full sweep, which reads the undelivered events alone: the event's
    // delivery succeeded. (An incremental run reads every new event, and finds it there too.)
    expect(alarm).toMatchObject({ reason: 'order-missing', outcome: 'added', fulfillmentJobId: key });
    expect(run.accounts).toEqual([{ account: 'platform', mode: 'full' }]);
    expect(alarm?.eventId).toBeUndefined();
    await waitFor(async () => (await ordersFor(session.id)).length === 1, { what: 'the recovered order' });
    await waitFor(() => mailsFor(key).length === 1, { what: 'the confirmation' });
    await settled();
    expect(await recoveredCount()).toBe(countBefore + 1);
    expect((await runReconcile()).recovered).toBe(0);
    expect(await ordersFor(session.id)).toHaveLength(1);
    expect(mailsFor(key)).toHaveLength(1);
  });

  it('records an expiry whose webhook was lost, once, at warn level', async () => {
    const open = createTestSession(stack.emulator);
    const { event } = await stack.emulator.expireCheckoutSession(open.id, { deliver: false });
    const run = await runReconcile();
    expect(run.recovered).toBe(1);
    const alarm = reconcileLogs('reconcile-recovered').find((a) => a.sessionId === open.id);
    expect(alarm).toMatchObject({ reason: 'expiry-missing', eventId: event.id, level: 40 });
    await waitFor(
      async () =>
        (
          await stack.db
            .selectFrom('checkout_expirations')
            .select('checkout_session_id')
            .where('checkout_session_id', '=', open.id)
            .execute()
        ).length === 1,
      { what: 'the recorded expiry' },
    );
    await settled();
    expect((await runReconcile()).recovered).toBe(0);
    expect(await ordersFor(open.id)).toHaveLength(0);
  });
});

describe('the reconcile schedule', () => {
  it('is one job scheduler however many workers upsert it, and a changed interval replaces it', async () => {
    const queue = stack.queues.reconcile;
    const runsNow = async () =>
      (await queue.getJobs(['waiting', 'active', 'completed', 'failed'])).filter((job) =>
        job.id?.startsWith('reconcile-now-'),
      );
    // From a queue with no run added now, as after a first start or a Redis that lost its data: a run an earlier
    // test's worker added would, in the same minute (the run's id), absorb this test's, and in another be counted.
    for (const job of await runsNow()) await job.remove();
    expect(await runsNow()).toEqual([]);
    // Three starts that straddle a minute add one run each side of it, by design: start with 5 s to spare.
    await waitFor(() => Date.now() % 60_000 < 55_000, { what: 'a minute with 5 s left', timeoutMs: 10_000 });
    // Three workers starting at once, then one restarting.
    await Promise.all([1, 2, 3].map(() => scheduleReconcile(queue, 600_000)));
    expect(await scheduleReconcile(queue, 600_000)).toEqual({ kind: 'unchanged', everyMs: 600_000 });
    expect(await queue.getJobSchedulers()).toMatchObject([{ key: 'reconcile', every: 600_000 }]);
    // The schedule runs one interval on; as it was missing (a first start, or a Redis that lost its data), one
    // run is added now, one for all three workers. Restarts that find it in place add nothing.
    const delayed = await queue.getDelayed();
    expect(delayed).toHaveLength(1);
    expect(delayed[0]?.delay).toBeGreaterThan(590_000);
    const now = await runsNow();
    expect(now).toHaveLength(1);

    // A changed interval replaces it, and adds no run now.
    expect(await scheduleReconcile(queue, 300_000)).toEqual({ kind: 'updated', everyMs: 300_000 });
    expect(await queue.getJobSchedulers()).toMatchObject([{ key: 'reconcile', every: 300_000 }]);
    expect(await queue.getDelayed()).toHaveLength(1);
    expect(await runsNow()).toHaveLength(1);
    await waitFor(async () => (await runsNow())[0]?.isCompleted(), { what: 'the run added now' });
    await queue.removeJobScheduler('reconcile');
  });

  it('is upserted by a worker process at start and runs every RECONCILE_EVERY', async () => {
    const lost = await completedCheckout(stack.emulator);
    const worker = startProcess(
      'apps/worker/src/worker.ts',
      await serviceEnv(stack, { RECONCILE_EVERY: '1s', RECONCILE_LOOKBACK: '1h' }),
    );
    processes.push(worker);
    await waitFor(() => worker.output().includes('reconcile scheduler ready'), {
      what: 'the worker to schedule the reconciler',
      timeoutMs: 20_000,
    });
    expect(await stack.queues.reconcile.getJobSchedulers()).toMatchObject([
      { key: 'reconcile', every: 1000 },
    ]);
    await waitFor(async () => (await ordersFor(lost.session.id)).length === 1, {
      what: 'a scheduled run to recover the checkout',
      timeoutMs: 20_000,
    });
    await waitFor(
      async () =>
        (await stack.queues.reconcile.getCompleted()).some((job) => job.id?.startsWith('repeat:reconcile:')),
      { what: 'a scheduled run', timeoutMs: 10_000 },
    );
    worker.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
    await stack.queues.reconcile.removeJobScheduler('reconcile');
  }, 60_000);
});
