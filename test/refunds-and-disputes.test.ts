import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder, orderOfKey } from './support/observe.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';
import { postSignedWebhook } from './support/webhook.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A paid order through the real webhook, its payment intent, and its identifier. */
async function paidOrder() {
  const { session, event } = await completedCheckout(stack.emulator);
  await stack.emulator.deliverEvent(event.id);
  const pi = session.payment_intent as string;
  const total = session.amount_total;
  if (total === null) throw new Error('a payment-mode session has a total');
  await waitFor(async () => (await orderOfKey(stack, pi))?.status === 'paid', { what: 'the paid order' });
  return { pi, identifier: orderIdentifierFor(pi, ORDER_ID_SECRET), total };
}

async function statusOf(pi: string) {
  const order = await orderOfKey(stack, pi);
  return order && { status: order.status, amountRefunded: order.amount_refunded };
}

const waitForStatus = (pi: string, status: string, amountRefunded?: number) =>
  waitFor(
    async () => {
      const now = await statusOf(pi);
      return now?.status === status && (amountRefunded === undefined || now.amountRefunded === amountRefunded)
        ? now
        : undefined;
    },
    { what: `status ${status}` },
  );

async function deliver(eventId: string) {
  const [delivery] = await stack.emulator.deliverEvent(eventId);
  expect(delivery?.status).toBe(200);
}

describe('refunds through the real ingest and worker', () => {
  it('a full refund makes the order refunded, with its history and one refund notice', async () => {
    const { pi, identifier, total } = await paidOrder();
    const { event, object: refund } = await stack.emulator.refundPayment(pi, { deliver: false });
    await deliver(event.id);
    await waitForStatus(pi, 'refunded', total);
    await waitFor(() => mailsOfOrder(stack, identifier).length === 2, { what: 'the refund notice' });
    // A redelivery changes nothing and sends nothing more.
    await deliver(event.id);
    await stack.emulator.deliverEvent(event.id);
    const mails = mailsOfOrder(stack, identifier);
    expect(mails.map((m) => m.subject)).toEqual([
      expect.stringContaining('is confirmed'),
      expect.stringContaining('refund of $114.99'),
    ]);
    const notice = await stack.db
      .selectFrom('email_outbox')
      .select(['kind', 'refund_id'])
      .where('kind', '=', 'refund')
      .where('refund_id', '=', refund.id)
      .execute();
    expect(notice).toHaveLength(1);

    const view = await stack.app.inject({ method: 'GET', url: `/order/${identifier}` });
    expect(view.statusCode).toBe(200);
    const body = view.json();
    expect(body).toMatchObject({ status: 'refunded', amount_refunded: total });
    expect(body.history).toEqual([
      expect.objectContaining({ from: null, to: 'paid', amount_refunded: 0 }),
      expect.objectContaining({
        from: 'paid',
        to: 'refunded',
        amount_refunded: total,
        stripe_event_id: event.id,
      }),
    ]);
    expect(view.body).not.toContain('ada@example.com');
    expect(view.body).not.toContain('Analytical');
  });

  it('a partial refund, then the rest: partially_refunded, then refunded, one notice per refund', async () => {
    const { pi, identifier, total } = await paidOrder();
    const first = await stack.emulator.refundPayment(pi, { amount: 1499, deliver: false });
    await deliver(first.event.id);
    await waitForStatus(pi, 'partially_refunded', 1499);
    const second = await stack.emulator.refundPayment(pi, { deliver: false });
    await deliver(second.event.id);
    await waitForStatus(pi, 'refunded', total);
    await waitFor(() => mailsOfOrder(stack, identifier).length === 3, { what: 'two refund notices' });
    const subjects = mailsOfOrder(stack, identifier).map((m) => m.subject ?? '');
    expect(subjects.filter((s) => s.includes('refund of $14.99'))).toHaveLength(1);
    expect(subjects.filter((s) => s.includes('refund of $100.00'))).toHaveLength(1);
  });

  it('a refund that fails later returns the order to paid', async () => {
    const { pi } = await paidOrder();
    const refund = await stack.emulator.refundPayment(pi, { amount: 2000, pending: true, deliver: false });
    await deliver(refund.event.id);
    await waitForStatus(pi, 'partially_refunded', 2000);
    const failed = await stack.emulator.settleRefund(refund.object.id, 'failed', { deliver: false });
    await deliver(failed.event.id);
    await waitForStatus(pi, 'paid', 0);
  });

  it('events out of order and duplicated converge on Stripe: the older event delivered last changes nothing', async () => {
    const { pi, total } = await paidOrder();
    const partial = await stack.emulator.refundPayment(pi, { amount: 500, deliver: false });
    const rest = await stack.emulator.refundPayment(pi, { deliver: false });
    // The newer event first, then the older one twice: each run reads Stripe's current state.
    await deliver(rest.event.id);
    await waitForStatus(pi, 'refunded', total);
    await deliver(partial.event.id);
    await deliver(partial.event.id);
    await waitFor(
      async () =>
        (await stack.db
          .selectFrom('stripe_events')
          .select('event_id')
          .where('event_id', '=', partial.event.id)
          .executeTakeFirst()) !== undefined,
      { what: 'the older event processed' },
    );
    expect(await statusOf(pi)).toEqual({ status: 'refunded', amountRefunded: total });
  });
});

describe('disputes through the real ingest and worker', () => {
  it('a dispute won returns the order to what it was before', async () => {
    const { pi, identifier } = await paidOrder();
    const partial = await stack.emulator.refundPayment(pi, { amount: 1000, deliver: false });
    await deliver(partial.event.id);
    await waitForStatus(pi, 'partially_refunded', 1000);
    const opened = await stack.emulator.disputePayment(pi, { amount: 10499, deliver: false });
    await deliver(opened.event.id);
    await waitForStatus(pi, 'disputed');
    const closed = await stack.emulator.closeDispute(opened.object.id, 'won', { deliver: false });
    await deliver(closed.event.id);
    await waitForStatus(pi, 'partially_refunded', 1000);
    const view = (await stack.app.inject({ method: 'GET', url: `/order/${identifier}` })).json();
    expect(view.history.map((h: { to: string }) => h.to)).toEqual([
      'paid',
      'partially_refunded',
      'disputed',
      'partially_refunded',
    ]);
  });

  it('a dispute lost makes the order dispute_lost, even when the closing event arrives first', async () => {
    const { pi } = await paidOrder();
    const opened = await stack.emulator.disputePayment(pi, { deliver: false });
    const closed = await stack.emulator.closeDispute(opened.object.id, 'lost', { deliver: false });
    await deliver(closed.event.id);
    await waitForStatus(pi, 'dispute_lost');
    await deliver(opened.event.id);
    await waitFor(
      async () =>
        (await stack.db
          .selectFrom('stripe_events')
          .select('event_id')
          .where('event_id', '=', opened.event.id)
          .executeTakeFirst()) !== undefined,
      { what: 'the opening event processed' },
    );
    expect((await statusOf(pi))?.status).toBe('dispute_lost');
  });

  it('a refund event ahead of its checkout event makes the order from Stripe, then applies the refund', async () => {
    const { session } = await completedCheckout(stack.emulator);
    const pi = session.payment_intent as string;
    const refund = await stack.emulator.refundPayment(pi, { amount: 300, deliver: false });
    await deliver(refund.event.id);
    await waitForStatus(pi, 'partially_refunded', 300);
    // The order made on the way owes its confirmation, sent at once, with the refund notice.
    const identifier = orderIdentifierFor(pi, ORDER_ID_SECRET);
    await waitFor(() => mailsOfOrder(stack, identifier).length === 2, { what: 'confirmation and notice' });
  });
});

describe('a refund event that is not about a payment intent', () => {
  it('is acknowledged and ignored, with no job', async () => {
    const before = await stack.queues.paymentChange.getJobCounts('waiting', 'active', 'completed', 'failed');
    const payload = JSON.stringify({
      id: 'evt_charge_without_intent',
      object: 'event',
      type: 'charge.refunded',
      created: 1,
      data: { object: { id: 'ch_1', object: 'charge', payment_intent: null, amount: 100 } },
    });
    const response = await postSignedWebhook(stack, payload);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true });
    expect(await stack.queues.paymentChange.getJobCounts('waiting', 'active', 'completed', 'failed')).toEqual(
      before,
    );
  });
});
