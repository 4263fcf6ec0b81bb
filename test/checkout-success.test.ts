import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout, createTestSession } from './support/checkout.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ settings: { successWaitMs: 3000 } });
});
afterAll(async () => {
  await stack?.stop();
});

const success = (query: string) =>
  stack.app.inject({ method: 'GET', url: `/order/checkout-session-success${query}` });

describe('GET /order/checkout-session-success', () => {
  it('answers 400 invalid-session-id for a missing or malformed id, without calling Stripe', async () => {
    stack.emulator.clearRequests();
    for (const query of [
      '',
      '?session_id=',
      '?session_id=pi_123',
      '?session_id=cs_test_%3Cscript%3E',
      `?session_id=cs_${'a'.repeat(300)}`,
    ]) {
      const response = await success(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json()).toMatchObject({ error: 'invalid-session-id' });
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('answers 404 session-not-found for a session Stripe does not know', async () => {
    const response = await success('?session_id=cs_test_doesnotexist123');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'session-not-found' });
  });

  it('answers 409 session-not-complete for an open session, and makes no order', async () => {
    const session = createTestSession(stack.emulator);
    const response = await success(`?session_id=${session.id}`);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: 'session-not-complete' });
    const orders = await stack.db
      .selectFrom('orders')
      .select('id')
      .where('checkout_session_id', '=', session.id)
      .execute();
    expect(orders).toHaveLength(0);
  });

  it('answers 200 with the order once a paid session has become an order', async () => {
    const { session } = await completedCheckout(stack.emulator);
    const response = await success(`?session_id=${session.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      order_identifier: orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET),
      status: 'paid',
    });
  });

  it('answers 200 awaiting_payment for a complete session whose delayed payment is still processing', async () => {
    const { session } = await completedCheckout(stack.emulator, { paymentStatus: 'unpaid' });
    const response = await success(`?session_id=${session.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'awaiting_payment' });
  });

  it('answers 202 pending with the same identifier when the order is not there within the wait', async () => {
    await stack.workers?.close();
    stack.workers = null;
    try {
      const { session } = await completedCheckout(stack.emulator);
      const started = Date.now();
      const fast = await stack.app.inject({
        method: 'GET',
        url: `/order/checkout-session-success?session_id=${session.id}`,
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
      expect(fast.statusCode).toBe(202);
      expect(fast.json()).toEqual({
        order_identifier: orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET),
        status: 'pending',
      });
    } finally {
      stack.startWorkers();
    }
  });
});
