import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder, ordersOfSession, queuesSettled } from './support/observe.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { startTopology, type Topology } from './support/topology.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
let topology: Topology | undefined;
beforeAll(async () => {
  topology = await startTopology();
  stack = await startStack(topology.stackOptions);
});
afterAll(async () => {
  await stack?.stop();
  await topology?.stop();
});

const ordersFor = (sessionId: string) => ordersOfSession(stack, sessionId);

const settled = (names?: Array<'fulfillment' | 'email'>) => queuesSettled(stack, names);

const mailsFor = (identifier: string) => mailsOfOrder(stack, identifier);

describe('a duplicate storm', () => {
  it('turns 50 concurrent deliveries of one event and 10 concurrent redirects into one order and one email', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
    const webhooks = Array.from({ length: 50 }, () => stack.emulator.deliverEvent(event.id));
    const redirects = Array.from({ length: 10 }, () =>
      fetch(`${stack.ingestUrl}/order/checkout-session-success?session_id=${session.id}`),
    );
    const [webhookResults, redirectResponses] = await Promise.all([
      Promise.all(webhooks),
      Promise.all(redirects),
    ]);

    expect(webhookResults.flat().map((d) => d.status)).toEqual(Array(50).fill(200));
    for (const response of redirectResponses) {
      expect([200, 202]).toContain(response.status);
      expect(await response.json()).toMatchObject({ order_identifier: identifier });
    }
    await waitFor(() => mailsFor(identifier).length > 0, { what: 'the confirmation' });
    await settled();
    expect(await ordersFor(session.id)).toHaveLength(1);
    expect(mailsFor(identifier)).toHaveLength(1);
    const outbox = await stack.db.selectFrom('email_outbox').selectAll().execute();
    expect(outbox.filter((r) => r.kind === 'confirmation' && r.state === 'sent')).toHaveLength(
      (await stack.db.selectFrom('orders').select('id').where('status', '=', 'paid').execute()).length,
    );
    const metrics = await stack.metrics.registry.getSingleMetricAsString(
      'fulfill_duplicates_suppressed_total',
    );
    expect(metrics).toMatch(/layer="queue"} [1-9]\d*/);
  });

  it('converges when the fulfillment job is replayed after the job ids are gone', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
    await waitFor(() => mailsFor(identifier).length > 0, { what: 'the confirmation' });
    await settled();
    await stack.queues.fulfillment.clean(0, 10_000, 'completed');
    await stack.queues.email.clean(0, 10_000, 'completed');
    await stack.emulator.deliverEvent(event.id);
    await waitFor(async () => (await stack.queues.fulfillment.getJobCountByTypes('completed')) > 0, {
      what: 'the replayed job',
    });
    await settled();
    expect(await ordersFor(session.id)).toHaveLength(1);
    expect(mailsFor(identifier)).toHaveLength(1);
    const database = await stack.workerMetrics.registry.getSingleMetricAsString(
      'fulfill_duplicates_suppressed_total',
    );
    expect(database).toMatch(/layer="database"} [1-9]\d*/);
  });
});

describe('delayed payment methods', () => {
  it('creates an awaiting order, then marks it paid and confirms once when the payment succeeds', async () => {
    const { session, event } = await completedCheckout(stack.emulator, { paymentStatus: 'unpaid' });
    await stack.emulator.deliverEvent(event.id);
    const [awaiting] = await waitFor(async () =>
      (await ordersFor(session.id)).length ? ordersFor(session.id) : undefined,
    );
    expect(awaiting?.status).toBe('awaiting_payment');
    await settled();
    expect(mailsFor(awaiting?.order_identifier ?? '')).toHaveLength(0);

    const { event: succeeded } = await stack.emulator.settleAsyncPayment(session.id, 'succeeded', {
      deliver: false,
    });
    await stack.emulator.deliverEvent(succeeded.id);
    await waitFor(async () => (await ordersFor(session.id))[0]?.status === 'paid', {
      what: 'the paid status',
    });
    await waitFor(() => mailsFor(awaiting?.order_identifier ?? '').length > 0, { what: 'the confirmation' });
    await settled();
    expect(await ordersFor(session.id)).toHaveLength(1);
    const mails = mailsFor(awaiting?.order_identifier ?? '');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/confirmed/i);
  });

  it('marks the order payment_failed and sends one payment-failed notice when the payment fails', async () => {
    const { session, event } = await completedCheckout(stack.emulator, { paymentStatus: 'unpaid' });
    await stack.emulator.deliverEvent(event.id);
    await waitFor(async () => (await ordersFor(session.id)).length > 0);
    const { event: failed } = await stack.emulator.settleAsyncPayment(session.id, 'failed', {
      deliver: false,
    });
    const [delivery] = await stack.emulator.deliverEvent(failed.id);
    expect(JSON.parse(delivery?.body ?? '{}')).toHaveProperty('order_identifier');
    await waitFor(async () => (await ordersFor(session.id))[0]?.status === 'payment_failed', {
      what: 'payment_failed',
    });
    const [order] = await ordersFor(session.id);
    await waitFor(() => mailsFor(order?.order_identifier ?? '').length > 0, { what: 'the notice' });
    await settled();
    const mails = mailsFor(order?.order_identifier ?? '');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/did not go through/i);
    expect(mails[0]?.messageId).toContain('payment_failed');
  });

  it('never swallows async_payment_succeeded that arrives while the completed job is active', async () => {
    const { session, event } = await completedCheckout(stack.emulator, { paymentStatus: 'unpaid' });
    // Slow Stripe down so the job for `completed` is still running (it has already read the session as
    // unpaid) when the payment succeeds and its event arrives.
    stack.emulator.setLatency(400);
    try {
      await stack.emulator.deliverEvent(event.id);
      await waitFor(
        async () =>
          (await stack.queues.fulfillment.getJobState(session.payment_intent as string)) === 'active',
        {
          what: 'the completed job to start',
          intervalMs: 5,
        },
      );
      const { event: succeeded } = await stack.emulator.settleAsyncPayment(session.id, 'succeeded', {
        deliver: false,
      });
      const [delivery] = await stack.emulator.deliverEvent(succeeded.id);
      expect(delivery?.status).toBe(200);
    } finally {
      stack.emulator.setLatency(0);
    }
    await waitFor(async () => (await ordersFor(session.id))[0]?.status === 'paid', {
      what: 'the paid status',
    });
    const [order] = await ordersFor(session.id);
    await waitFor(() => mailsFor(order?.order_identifier ?? '').length > 0, { what: 'the confirmation' });
    await settled();
    expect(mailsFor(order?.order_identifier ?? '')).toHaveLength(1);
    const followUp = await stack.queues.fulfillment.getJob(
      `${session.payment_intent}__async_payment_succeeded`,
    );
    expect(followUp).toBeDefined();
  });

  it('still applies the later event when the completed job already finished and is kept in Redis', async () => {
    const { session, event } = await completedCheckout(stack.emulator, { paymentStatus: 'unpaid' });
    await stack.emulator.deliverEvent(event.id);
    await waitFor(
      async () =>
        (await stack.queues.fulfillment.getJobState(session.payment_intent as string)) === 'completed',
    );
    const { event: succeeded } = await stack.emulator.settleAsyncPayment(session.id, 'succeeded', {
      deliver: false,
    });
    await stack.emulator.deliverEvent(succeeded.id);
    await waitFor(async () => (await ordersFor(session.id))[0]?.status === 'paid', {
      what: 'the paid status',
    });
  });
});

describe('a zero-amount session', () => {
  it('has no payment intent, is keyed by its session id, and becomes one paid order', async () => {
    const { session, event } = await completedCheckout(stack.emulator, {
      discountPercent: 100,
      shipping: false,
    });
    expect(session.payment_intent).toBeNull();
    expect(session.payment_status).toBe('no_payment_required');
    const [delivery] = await stack.emulator.deliverEvent(event.id);
    expect(JSON.parse(delivery?.body ?? '{}')).toEqual({
      received: true,
      order_identifier: orderIdentifierFor(session.id, ORDER_ID_SECRET),
    });
    await waitFor(async () => (await ordersFor(session.id)).length > 0);
    const [order] = await ordersFor(session.id);
    expect(order).toMatchObject({
      fulfillment_key: session.id,
      status: 'paid',
      amount_total: 0,
      amount_discount: 10999,
    });
    await waitFor(() => mailsFor(order?.order_identifier ?? '').length > 0, { what: 'the confirmation' });
  });
});
