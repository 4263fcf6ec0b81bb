import {
  type CheckoutSession,
  createStripeClient,
  fulfillCheckout,
  fulfillmentKeyOf,
  orderIdentifierFor,
} from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { ORDER_ID_SECRET, STRIPE_KEY, type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ workers: false });
});
afterAll(async () => {
  await stack?.stop();
});

const deps = () => ({
  db: stack.db,
  stripe: createStripeClient({ secretKey: STRIPE_KEY, apiBase: stack.emulator.url }),
  orderIdSecret: ORDER_ID_SECRET,
});

const rowsOf = async (orderId: number, sessionId: string) => ({
  items: await stack.db
    .selectFrom('order_items')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('position')
    .execute(),
  events: await stack.db
    .selectFrom('stripe_events')
    .selectAll()
    .where('checkout_session_id', '=', sessionId)
    .orderBy('event_id')
    .execute(),
  outbox: await stack.db.selectFrom('email_outbox').selectAll().where('order_id', '=', orderId).execute(),
});

describe('the new-order write (one statement)', () => {
  it('writes the order, every item, the event and the owed email, as Stripe has them', async () => {
    const { session, event } = await completedCheckout(stack.emulator, {
      items: [
        { name: 'Linen shirt', unitAmount: 4500, quantity: 2 },
        { name: 'Tote \'canvas\' "large"', unitAmount: 1999 },
        { name: 'Socks', unitAmount: 700, quantity: 3 },
      ],
    });
    const receivedAt = new Date(Date.now() - 5000);
    const result = await fulfillCheckout(deps(), {
      sessionId: session.id,
      event: { id: event.id, type: event.type },
      receivedAt,
    });
    if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
    expect(result.pendingEmails).toEqual(['confirmation']);

    const stripe = deps().stripe;
    const stored = (await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['line_items', 'payment_intent'],
    })) as unknown as CheckoutSession;
    const key = fulfillmentKeyOf(stored);
    const order = await stack.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', result.order.id)
      .executeTakeFirstOrThrow();
    expect(result.order).toEqual(order);
    expect(order).toMatchObject({
      fulfillment_key: key,
      order_identifier: orderIdentifierFor(key, ORDER_ID_SECRET),
      status: 'paid',
      checkout_session_id: session.id,
      payment_intent_id: key,
      customer_email: 'ada@example.com',
      customer_name: 'Ada Lovelace',
      shipping_name: 'Ada Lovelace',
      currency: 'usd',
      amount_subtotal: 4500 * 2 + 1999 + 700 * 3,
      amount_shipping: 500,
      amount_total: stored.amount_total,
    });
    expect(order.shipping_address).toMatchObject({ line1: '1 Analytical Way', country: 'GB' });

    const { items, events, outbox } = await rowsOf(order.id, session.id);
    const lineItems = stored.line_items?.data ?? [];
    expect(items).toHaveLength(3);
    expect(
      items.map((i) => [i.position, i.stripe_line_item_id, i.description, i.quantity, i.unit_amount]),
    ).toEqual(
      lineItems.map((li, position) => [position, li.id, li.description, li.quantity, li.price?.unit_amount]),
    );
    expect(items.map((i) => i.amount_total)).toEqual(lineItems.map((li) => li.amount_total));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_id: event.id,
      type: event.type,
      checkout_session_id: session.id,
    });
    expect(events[0]?.received_at.getTime()).toBe(receivedAt.getTime());
    expect(events[0]?.processed_at).not.toBeNull();
    expect(outbox).toMatchObject([{ kind: 'confirmation', state: 'pending', attempts: 0 }]);

    // A second run finds the order: nothing is written twice, the new event is recorded.
    const again = await fulfillCheckout(deps(), {
      sessionId: session.id,
      event: { id: `${event.id}_again`, type: event.type },
    });
    expect(again.kind).toBe('unchanged');
    const after = await rowsOf(order.id, session.id);
    expect(after.items).toHaveLength(3);
    expect(after.outbox).toHaveLength(1);
    expect(after.events.map((e) => e.event_id)).toEqual([event.id, `${event.id}_again`].sort());
    expect(
      await stack.db.selectFrom('orders').select('id').where('fulfillment_key', '=', key).execute(),
    ).toHaveLength(1);
  });

  it('owes no email while the payment is processing, and records no event without one', async () => {
    const { session } = await completedCheckout(stack.emulator, { paymentStatus: 'unpaid', shipping: false });
    const result = await fulfillCheckout(deps(), { sessionId: session.id });
    if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
    expect(result.order.status).toBe('awaiting_payment');
    expect(result.pendingEmails).toEqual([]);
    const { items, events, outbox } = await rowsOf(result.order.id, session.id);
    expect(items).toHaveLength(2);
    expect(events).toEqual([]);
    expect(outbox).toEqual([]);
  });

  it('makes one order of many concurrent runs', async () => {
    const { session } = await completedCheckout(stack.emulator);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => fulfillCheckout(deps(), { sessionId: session.id })),
    );
    expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'unchanged')).toHaveLength(7);
    const orders = await stack.db
      .selectFrom('orders')
      .select('id')
      .where('checkout_session_id', '=', session.id)
      .execute();
    expect(orders).toHaveLength(1);
    expect((await rowsOf(orders[0]?.id ?? 0, session.id)).outbox).toHaveLength(1);
  });
});
