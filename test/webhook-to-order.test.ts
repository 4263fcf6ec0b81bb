import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout, createTestSession } from './support/checkout.ts';
import { jobCount, mailsOfOrder, orderOfKey, queuesSettled } from './support/observe.ts';
import { ORDER_ID_SECRET, type Stack, startStack, WEBHOOK_SECRET } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';
import { postSignedWebhook } from './support/webhook.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('checkout.session.completed through the webhook', () => {
  it('answers with the order identifier, then makes one paid order with its items and one confirmation', async () => {
    const { session, event } = await completedCheckout(stack.emulator, { cartId: 'cart_42' });
    const [delivery] = await stack.emulator.deliverEvent(event.id);
    const key = session.payment_intent as string;
    const identifier = orderIdentifierFor(key, ORDER_ID_SECRET);
    expect(delivery?.status).toBe(200);
    expect(JSON.parse(delivery?.body ?? '{}')).toEqual({ received: true, order_identifier: identifier });

    const order = await waitFor(() => orderOfKey(stack, key), { what: 'the order' });
    expect(order).toMatchObject({
      order_identifier: identifier,
      status: 'paid',
      checkout_session_id: session.id,
      cart_id: 'cart_42',
      currency: 'usd',
      amount_subtotal: 10999,
      amount_shipping: 500,
      amount_total: 11499,
      customer_email: 'ada@example.com',
      customer_name: 'Ada Lovelace',
    });
    const items = await stack.db
      .selectFrom('order_items')
      .selectAll()
      .where('order_id', '=', order.id)
      .execute();
    expect(items.map((i) => [i.description, i.quantity, i.amount_total])).toEqual([
      ['Linen shirt', 2, 9000],
      ['Canvas tote', 1, 1999],
    ]);

    await waitFor(() => mailsOfOrder(stack, identifier).length > 0, { what: 'the confirmation email' });
    const mails = mailsOfOrder(stack, identifier);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual(['ada@example.com']);
    expect(mails[0]?.subject).toContain(identifier);
    // The server's 250 comes before the row is marked sent, in a statement of its own: wait for that mark.
    const outbox = await waitFor(async () => {
      const rows = await stack.db
        .selectFrom('email_outbox')
        .selectAll()
        .where('order_id', '=', order.id)
        .execute();
      return rows.every((row) => row.state !== 'sending') ? rows : undefined;
    });
    expect(outbox).toMatchObject([{ kind: 'confirmation', state: 'sent' }]);

    const view = await stack.app.inject({ method: 'GET', url: `/order/${identifier}` });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toEqual({
      order_identifier: identifier,
      status: 'paid',
      currency: 'usd',
      amount_total: 11499,
      amount_refunded: 0,
      items: [
        { description: 'Linen shirt', quantity: 2, amount_total: 9000 },
        { description: 'Canvas tote', quantity: 1, amount_total: 1999 },
      ],
      created_at: order.created_at.toISOString(),
      history: [
        { at: expect.any(String), from: null, to: 'paid', amount_refunded: 0, stripe_event_id: event.id },
      ],
    });
    expect(view.body).not.toContain('ada@example.com');
    expect(view.body).not.toContain('Analytical');

    const webhookLines = stack.logLines
      .map((l) => JSON.parse(l))
      .filter((l) => l.eventId === event.id && l.msg === 'webhook');
    expect(webhookLines).toEqual([
      expect.objectContaining({ type: 'checkout.session.completed', outcome: 'added' }),
    ]);
  });

  it('never writes an email address, a postal address or a secret to the logs', async () => {
    // A checkout of its own, from the webhook to the sent confirmation, so the logs hold every step's lines.
    const { session, event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
    await waitFor(() => mailsOfOrder(stack, identifier).length > 0, { what: 'the confirmation email' });
    await queuesSettled(stack);
    const all = stack.logLines.join('\n');
    expect(stack.logLines.length).toBeGreaterThan(3);
    expect(all).toContain(event.id);
    expect(all).toContain(identifier);
    for (const secret of [
      'ada@example.com',
      'Analytical',
      WEBHOOK_SECRET,
      ORDER_ID_SECRET,
      'sk_test_emulator',
      'v1=',
    ]) {
      expect(all).not.toContain(secret);
    }
  });

  it('ignores other event types with 200 and no job', async () => {
    const before = await jobCount(stack, 'fulfillment');
    const payload = JSON.stringify({
      id: 'evt_other',
      object: 'event',
      type: 'customer.created',
      created: 1,
      data: { object: { id: 'cus_1', object: 'customer' } },
    });
    const response = await postSignedWebhook(stack, payload);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true });
    expect(await jobCount(stack, 'fulfillment')).toBe(before);
  });

  it('records an expired session without making an order, and answers without an identifier', async () => {
    const session = createTestSession(stack.emulator);
    const { event } = await stack.emulator.expireCheckoutSession(session.id, { deliver: false });
    // Accepted while no worker runs, processed later: the event records both times.
    await stack.workers?.close();
    const [delivery] = await stack.emulator.deliverEvent(event.id);
    const job = await waitFor(
      async () => (await stack.queues.fulfillment.getWaiting()).find((j) => j.data.sessionId === session.id),
      { what: 'the waiting job' },
    );
    const receivedAt = job.data.receivedAt as number;
    await waitFor(() => Date.now() > receivedAt, { what: 'the clock to pass the receipt' });
    const restartedAt = Date.now();
    stack.startWorkers();
    expect(delivery?.status).toBe(200);
    expect(JSON.parse(delivery?.body ?? '{}')).toEqual({ received: true });
    await waitFor(
      () =>
        stack.db
          .selectFrom('checkout_expirations')
          .selectAll()
          .where('checkout_session_id', '=', session.id)
          .executeTakeFirst(),
      { what: 'the recorded expiry' },
    );
    expect(await orderOfKey(stack, session.id)).toBeUndefined();
    const seen = await stack.db
      .selectFrom('stripe_events')
      .selectAll()
      .where('event_id', '=', event.id)
      .executeTakeFirst();
    expect(seen).toMatchObject({ type: 'checkout.session.expired', checkout_session_id: session.id });
    expect(seen?.received_at.getTime()).toBe(receivedAt);
    expect(seen?.processed_at?.getTime()).toBeGreaterThanOrEqual(restartedAt);
  });
});

describe('GET /order/:identifier and unknown routes', () => {
  it('answers 400 for a malformed identifier, 404 for an unknown one, and 404 not-found elsewhere', async () => {
    const malformed = await stack.app.inject({ method: 'GET', url: '/order/short' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'invalid-order-identifier' });
    const unknown = await stack.app.inject({ method: 'GET', url: '/order/ZZZZZZZZZZ' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'order-not-found' });
    const nowhere = await stack.app.inject({ method: 'DELETE', url: '/orders' });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json()).toMatchObject({ error: 'not-found' });
  });
});

describe('a session with more line items than one page', () => {
  it('lists the rest from Stripe, so the order holds every item in order', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ name: `Item ${i + 1}`, unitAmount: 100 + i }));
    const { session, event } = await completedCheckout(stack.emulator, { items });
    await stack.emulator.deliverEvent(event.id);
    const order = await waitFor(() => orderOfKey(stack, session.payment_intent as string), {
      what: 'the order',
    });
    const rows = await stack.db
      .selectFrom('order_items')
      .selectAll()
      .where('order_id', '=', order.id)
      .orderBy('position')
      .execute();
    expect(rows.map((r) => r.description)).toEqual(items.map((i) => i.name));
    expect(rows.reduce((sum, r) => sum + r.amount_total, 0)).toBe(order.amount_subtotal);
  });
});
