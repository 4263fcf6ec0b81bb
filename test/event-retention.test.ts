import { randomUUID } from 'node:crypto';
import { runCommand } from '@fulfill/ops';
import { orderIdentifierFor } from '@fulfill/orders';
import { RECONCILE_JOB_NAME } from '@fulfill/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder, orderOfKey, queuesSettled } from './support/observe.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ eventRetention: '30d' });
});
afterAll(async () => {
  await stack?.stop();
});

function opsDeps(out: string[]) {
  return {
    db: stack.db,
    stripe: {} as never,
    queues: stack.queues,
    orderIdSecret: ORDER_ID_SECRET,
    connectAccounts: [],
    out: { info: (l: string) => out.push(l), error: (l: string) => out.push(`error: ${l}`) },
  };
}

const storedEvent = (eventId: string) =>
  stack.db.selectFrom('stripe_events').selectAll().where('event_id', '=', eventId).executeTakeFirst();

describe('kept Stripe events', () => {
  it('keeps each verified event with its payload, and replays a range idempotently', async () => {
    // From now: an event another test of this file delivered just before is not in the range.
    const from = new Date();
    const { session, event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    const pi = session.payment_intent as string;
    const identifier = orderIdentifierFor(pi, ORDER_ID_SECRET);
    await waitFor(async () => (await orderOfKey(stack, pi))?.status === 'paid');
    const refund = await stack.emulator.refundPayment(pi, { amount: 700, deliver: false });
    await stack.emulator.deliverEvent(refund.event.id);
    await waitFor(async () => (await orderOfKey(stack, pi))?.status === 'partially_refunded');
    await waitFor(() => mailsOfOrder(stack, identifier).length === 2, {
      what: 'confirmation and refund notice',
    });
    await queuesSettled(stack);

    // Kept in Postgres, the payload (which can hold the customer's email) leaves the finished jobs in Redis.
    const refundJob = await stack.queues.paymentChange.getJob(`payment-change__${refund.event.id}`);
    expect(refundJob?.data).toMatchObject({ paymentIntentId: pi });
    expect(refundJob?.data).not.toHaveProperty('payload');
    const kept = await storedEvent(event.id);
    expect(kept?.payload).toMatchObject({ id: event.id, type: 'checkout.session.completed' });
    expect((await storedEvent(refund.event.id))?.payload).toMatchObject({
      id: refund.event.id,
      type: 'charge.refunded',
      data: { object: { object: 'charge', payment_intent: pi } },
    });

    const processedBefore = (await storedEvent(refund.event.id))?.processed_at?.getTime() ?? 0;
    const to = new Date(Date.now() + 1000);
    const dry: string[] = [];
    expect(
      await runCommand(opsDeps(dry), { kind: 'replay-events', from, to, type: null, dryRun: true }),
    ).toBe(0);
    expect(dry.filter((l) => l.includes('would enqueue'))).toHaveLength(2);
    expect(dry.at(-1)).toMatch(/^would replay 2 of 2 events/);
    expect(await stack.queues.paymentChange.getJobCounts('waiting', 'active')).toEqual({
      waiting: 0,
      active: 0,
    });

    for (let run = 0; run < 2; run += 1) {
      const out: string[] = [];
      expect(
        await runCommand(opsDeps(out), { kind: 'replay-events', from, to, type: null, dryRun: false }),
      ).toBe(0);
      expect(out.filter((l) => l.includes(' enqueued '))).toHaveLength(2);
      await queuesSettled(stack);
    }
    // The replays ran (the refund event was processed again) and converged: nothing changed, nothing sent twice.
    expect((await storedEvent(refund.event.id))?.processed_at?.getTime()).toBeGreaterThan(processedBefore);
    const replayed = (await stack.queues.paymentChange.getCompleted()).filter((j) =>
      j.id?.includes('__replay-'),
    );
    expect(replayed).toHaveLength(2);
    const order = await orderOfKey(stack, pi);
    expect(order).toMatchObject({ status: 'partially_refunded', amount_refunded: 700 });
    expect(mailsOfOrder(stack, identifier)).toHaveLength(2);
    const history = await stack.db
      .selectFrom('order_history')
      .selectAll()
      .where('order_id', '=', order?.id ?? 0)
      .execute();
    expect(history.map((h) => h.to_status)).toEqual(['paid', 'partially_refunded']);

    const onlyRefunds: string[] = [];
    await runCommand(opsDeps(onlyRefunds), {
      kind: 'replay-events',
      from,
      to,
      type: 'charge.refunded',
      dryRun: true,
    });
    expect(onlyRefunds.filter((l) => l.includes('would enqueue'))).toEqual([
      expect.stringContaining(refund.event.id),
    ]);
  });

  it('prunes events past STRIPE_EVENT_RETENTION on the reconcile schedule, keeping younger ones', async () => {
    const { event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    await waitFor(() => storedEvent(event.id), { what: 'the kept event' });
    await stack.db
      .insertInto('stripe_events')
      .values({
        event_id: 'evt_old_enough_to_go',
        type: 'checkout.session.completed',
        checkout_session_id: null,
        received_at: new Date(Date.now() - 31 * 86_400_000),
        payload: JSON.stringify({ id: 'evt_old_enough_to_go' }),
      })
      .execute();
    const jobId = `manual-${randomUUID()}`;
    await stack.queues.reconcile.add(RECONCILE_JOB_NAME, {}, { jobId });
    await waitFor(async () => (await stack.queues.reconcile.getJobState(jobId)) === 'completed', {
      what: 'the reconcile run',
    });
    const job = await stack.queues.reconcile.getJob(jobId);
    expect(job?.returnvalue).toMatchObject({ eventsPruned: 1 });
    expect(await storedEvent('evt_old_enough_to_go')).toBeUndefined();
    expect(await storedEvent(event.id)).toBeDefined();
  });
});
