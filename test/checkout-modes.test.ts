import { randomUUID } from 'node:crypto';
import { createStripeClient, orderIdentifierFor } from '@fulfill/orders';
import { RECONCILE_JOB_NAME, runReconcile } from '@fulfill/queue';
import type { StripeEmulator } from '@fulfill/stripe-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout, createTestSession } from './support/checkout.ts';
import { mailsOfKey, orderOfKey, ordersOfSession, queuesSettled } from './support/observe.ts';
import { ORDER_ID_SECRET, STRIPE_KEY, type Stack, startStack, WEBHOOK_SECRET } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

/** A Connect platform's two endpoints, each with its own secret, and an event destination taking thin events. */
const CONNECT_SECRET = 'whsec_test_connect_0123456789';
const THIN_SECRET = 'whsec_test_thin_events_0123456789';
const ACCOUNT = 'acct_1ModesShopA';

let stack: Stack;
let emulator: StripeEmulator;
beforeAll(async () => {
  stack = await startStack({ settings: { webhookSecrets: [WEBHOOK_SECRET, CONNECT_SECRET, THIN_SECRET] } });
  emulator = stack.emulator;
  emulator.addWebhookEndpoint({
    url: `${stack.ingestUrl}/order/stripe-webhook?endpoint=connect`,
    secret: CONNECT_SECRET,
    connect: true,
  });
  emulator.createConnectedAccount({ id: ACCOUNT });
});
afterAll(async () => {
  await stack?.stop();
});

const logs = (from = 0) =>
  stack.logLines.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);

const eventRows = (eventId: string) =>
  stack.db.selectFrom('stripe_events').selectAll().where('event_id', '=', eventId).execute();

const PLAN = [{ name: 'Coffee club, monthly', unitAmount: 1500 }];

function subscriptionSession(trialDays?: number) {
  return emulator.createCheckoutSession({
    mode: 'subscription',
    line_items: PLAN.map((item) => ({
      price_data: {
        currency: 'eur',
        unit_amount: item.unitAmount,
        product_data: { name: item.name },
        recurring: { interval: 'month' },
      },
      quantity: 1,
    })),
    metadata: { cart_id: 'cart_sub' },
    ...(trialDays === undefined ? {} : { subscription_data: { trial_period_days: trialDays } }),
  });
}

describe('setup mode', () => {
  it('acknowledges the completion and records the event, with no order and no email', async () => {
    const created = emulator.createCheckoutSession({ mode: 'setup', currency: 'usd' });
    const { session, event } = await emulator.completeCheckoutSession(created.id, { deliver: false });
    expect(session).toMatchObject({
      payment_status: 'no_payment_required',
      currency: 'usd',
      amount_total: null,
    });
    const [delivery] = await emulator.deliverEvent(event.id);
    expect(delivery?.status).toBe(200);
    await waitFor(async () => (await eventRows(event.id)).length === 1, { what: 'the recorded event' });
    await queuesSettled(stack);
    expect(await ordersOfSession(stack, session.id)).toEqual([]);
    expect(mailsOfKey(stack, session.id)).toEqual([]);
  });
});

describe('subscription mode', () => {
  it('makes a trialing sign-up, keyed by the session, with a trial email and no receipt', async () => {
    const created = subscriptionSession(14);
    const { session, event } = await emulator.completeCheckoutSession(created.id, { deliver: false });
    expect(session).toMatchObject({
      payment_intent: null,
      payment_status: 'no_payment_required',
      amount_total: 0,
    });
    expect((await emulator.deliverEvent(event.id))[0]?.status).toBe(200);

    const order = await waitFor(() => orderOfKey(stack, session.id), { what: 'the sign-up' });
    expect(order).toMatchObject({
      status: 'trialing',
      mode: 'subscription',
      subscription_id: session.subscription,
      invoice_id: session.invoice,
      currency: 'eur',
      amount_total: 0,
    });
    expect(order.subscription_id).toMatch(/^sub_/);
    expect(order.invoice_id).toMatch(/^in_/);
    await waitFor(() => mailsOfKey(stack, session.id).length > 0, { what: 'the trial email' });
    await queuesSettled(stack);
    const mails = mailsOfKey(stack, session.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('trial has started');
    expect(mails[0]?.raw).toContain('You have not been charged');
    expect(mails[0]?.raw).not.toMatch(/receipt|Total/i);
    const outbox = await stack.db
      .selectFrom('email_outbox')
      .selectAll()
      .where('order_id', '=', order.id)
      .execute();
    expect(outbox.map((row) => row.kind)).toEqual(['trial_started']);
  });

  it('makes a paid sign-up with its confirmation when the first invoice is paid', async () => {
    const { session, event } = await emulator.completeCheckoutSession(subscriptionSession().id, {
      deliver: false,
    });
    expect(session).toMatchObject({ payment_intent: null, payment_status: 'paid', amount_total: 1500 });
    await emulator.deliverEvent(event.id);
    const order = await waitFor(() => orderOfKey(stack, session.id), { what: 'the sign-up' });
    expect(order).toMatchObject({ status: 'paid', mode: 'subscription', amount_total: 1500 });
    await waitFor(() => mailsOfKey(stack, session.id).length === 1, { what: 'the confirmation' });
  });
});

describe('a complete session missing its currency or total', () => {
  it('fails its job for good, visibly, and writes nothing', async () => {
    const from = stack.logLines.length;
    const before = (await stack.workerMetrics.fulfillmentRejected.get()).values[0]?.value ?? 0;
    const created = createTestSession(emulator);
    const { session, event } = await emulator.completeCheckoutSession(created.id, {
      deliver: false,
      nullFields: ['currency', 'amount_total'],
    });
    expect((await emulator.deliverEvent(event.id))[0]?.status).toBe(200);
    const key = session.payment_intent as string;
    const failed = await waitFor(
      async () =>
        (await stack.queues.fulfillment.getFailed()).find((job) => job.data.sessionId === session.id),
      { what: 'the failed job' },
    );
    expect(failed.failedReason).toMatch(/without currency and amount_total; no order was written/);
    expect(failed.attemptsMade).toBe(1);
    const line = logs(from).find((entry) => entry.outcome === 'missing-data');
    expect(line).toMatchObject({ level: 50, sessionId: session.id, missing: ['currency', 'amount_total'] });
    // At least once: a reconcile run that finds the session without its order runs it again, and is refused again.
    expect((await stack.workerMetrics.fulfillmentRejected.get()).values[0]?.value).toBeGreaterThanOrEqual(
      before + 1,
    );
    expect(await orderOfKey(stack, key)).toBeUndefined();
    expect(await eventRows(event.id)).toEqual([]);
  });
});

describe('Connect', () => {
  it("fulfills a connected account's event with every Stripe call for that account, and records it", async () => {
    const created = emulator.createCheckoutSession(
      {
        mode: 'payment',
        line_items: [
          { price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Mug' } }, quantity: 2 },
        ],
      },
      { account: ACCOUNT },
    );
    const { session, event } = await emulator.completeCheckoutSession(created.id, { deliver: false });
    expect(event.account).toBe(ACCOUNT);
    emulator.clearRequests();
    const deliveries = await emulator.deliverEvent(event.id);
    // Only the Connect endpoint takes a connected account's events.
    expect(deliveries.map((d) => [new URL(d.url).search, d.status])).toEqual([['?endpoint=connect', 200]]);
    const key = session.payment_intent as string;
    const order = await waitFor(() => orderOfKey(stack, key), { what: 'the order' });
    expect(order).toMatchObject({ status: 'paid', stripe_account: ACCOUNT, amount_total: 5000 });
    // Without the account, Stripe answers 404 for another account's session: every call named it.
    const calls = emulator.requests.filter((r) => r.path.includes(session.id));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((r) => r.status === 200)).toBe(true);
    const platform = await fetch(`${emulator.url}/v1/checkout/sessions/${session.id}`, {
      headers: { authorization: 'Bearer sk_test_emulator' },
    });
    expect(platform.status).toBe(404);
  });

  it("converges a connected account's order on its refund, read from Stripe for that account", async () => {
    const created = emulator.createCheckoutSession(
      {
        mode: 'payment',
        line_items: [
          { price_data: { currency: 'usd', unit_amount: 1800, product_data: { name: 'Tea' } }, quantity: 1 },
        ],
      },
      { account: ACCOUNT },
    );
    const { session, event } = await emulator.completeCheckoutSession(created.id, { deliver: false });
    await emulator.deliverEvent(event.id);
    const key = session.payment_intent as string;
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'paid', { what: 'the paid order' });

    const refund = await emulator.refundPayment(key, { amount: 800, deliver: false });
    expect(refund.event.account).toBe(ACCOUNT);
    emulator.clearRequests();
    const deliveries = await emulator.deliverEvent(refund.event.id);
    expect(deliveries.map((d) => [new URL(d.url).search, d.status])).toEqual([['?endpoint=connect', 200]]);
    const order = await waitFor(
      async () => {
        const row = await orderOfKey(stack, key);
        return row?.status === 'partially_refunded' ? row : undefined;
      },
      { what: 'the partially refunded order' },
    );
    expect(order).toMatchObject({ stripe_account: ACCOUNT, amount_refunded: 800 });
    // The platform sees none of the account's charges: the worker's reads named the account.
    const reads = emulator.requests.filter((r) => r.path === '/v1/charges' || r.path === '/v1/refunds');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.status === 200)).toBe(true);
    const platform = await fetch(`${emulator.url}/v1/charges?payment_intent=${key}`, {
      headers: { authorization: 'Bearer sk_test_emulator' },
    });
    expect(((await platform.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('takes the account from the success redirect, validated', async () => {
    const created = emulator.createCheckoutSession(
      {
        mode: 'payment',
        line_items: [
          { price_data: { currency: 'usd', unit_amount: 900, product_data: { name: 'Tea' } }, quantity: 1 },
        ],
      },
      { account: ACCOUNT },
    );
    const { session } = await emulator.completeCheckoutSession(created.id, { deliver: false });
    const without = await stack.app.inject({
      url: `/order/checkout-session-success?session_id=${session.id}`,
    });
    expect(without.statusCode).toBe(404);
    const bad = await stack.app.inject({
      url: `/order/checkout-session-success?session_id=${session.id}&account=acct_../x`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid-account' });
    const ok = await stack.app.inject({
      url: `/order/checkout-session-success?session_id=${session.id}&account=${ACCOUNT}`,
    });
    expect([200, 202]).toContain(ok.statusCode);
    const order = await waitFor(() => orderOfKey(stack, session.payment_intent as string), {
      what: 'the order',
    });
    expect(order.stripe_account).toBe(ACCOUNT);
  });

  it('is reconciled per connected account, listed page by page, each recovery naming its account', async () => {
    const second = emulator.createConnectedAccount({ id: 'acct_1ModesShopB' });
    const lost = emulator.createCheckoutSession(
      {
        mode: 'payment',
        line_items: [
          { price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'Pen' } }, quantity: 1 },
        ],
      },
      { account: second.id },
    );
    const { session } = await emulator.completeCheckoutSession(lost.id, { deliver: false });
    const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: emulator.url, maxNetworkRetries: 0 });
    const deps = { db: stack.db, stripe, queues: stack.queues };
    const since = new Date(Date.now() - 3_600_000);

    const platformOnly = await runReconcile(deps, { since, runId: 'platform-only', connectAccounts: [] });
    expect(platformOnly.recoveries.map((r) => r.recovery.sessionId)).not.toContain(session.id);

    const run = await runReconcile(deps, { since, runId: 'all-accounts', connectAccounts: 'all' });
    const recovery = run.recoveries.find((r) => r.recovery.sessionId === session.id);
    expect(recovery?.recovery).toMatchObject({
      account: second.id,
      reason: 'order-missing',
      expected: 'paid',
    });
    expect(emulator.requests.some((r) => r.path === '/v1/accounts' && r.status === 200)).toBe(true);
    const order = await waitFor(() => orderOfKey(stack, session.payment_intent as string), {
      what: 'the order',
    });
    expect(order.stripe_account).toBe(second.id);
  });
});

describe('event notifications (thin events)', () => {
  it('fulfills a Checkout Session notification after fetching its event, and acknowledges other types', async () => {
    const url = `${stack.ingestUrl}/order/stripe-webhook?endpoint=thin`;
    emulator.addWebhookEndpoint({ url, secret: THIN_SECRET, payload: 'thin' });
    const { session, event } = await completedCheckout(emulator);
    const thin = emulator.getThinEvent(event.id);
    expect(thin).toMatchObject({ object: 'v2.core.event', type: 'v1.checkout.session.completed' });
    const [delivery] = await emulator.deliverEvent(event.id, { url });
    expect(delivery?.status).toBe(200);
    const key = session.payment_intent as string;
    expect(JSON.parse(delivery?.body ?? '{}')).toEqual({
      received: true,
      order_identifier: orderIdentifierFor(key, ORDER_ID_SECRET),
    });
    const order = await waitFor(() => orderOfKey(stack, key), { what: 'the order' });
    expect(order.status).toBe('paid');
    expect(emulator.requests.some((r) => r.path === `/v2/core/events/${thin?.id}` && r.status === 200)).toBe(
      true,
    );

    const other = JSON.stringify({
      id: 'evt_test_other_type',
      object: 'v2.core.event',
      type: 'v1.customer.created',
      created: new Date().toISOString(),
      livemode: false,
      related_object: { id: 'cus_1', type: 'customer', url: '/v1/customers/cus_1' },
    });
    const ignored = await stack.app.inject({
      method: 'POST',
      url: '/order/stripe-webhook',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': emulator.signPayload(other, THIN_SECRET),
      },
      payload: other,
    });
    expect(ignored.statusCode).toBe(200);
    expect(ignored.json()).toEqual({ received: true });
    const forged = await stack.app.inject({
      method: 'POST',
      url: '/order/stripe-webhook',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': emulator.signPayload(other, 'whsec_x'),
      },
      payload: other,
    });
    expect(forged.statusCode).toBe(400);
  });
});

describe('manual capture', () => {
  function manualSession() {
    return emulator.createCheckoutSession({
      mode: 'payment',
      line_items: [
        { price_data: { currency: 'usd', unit_amount: 4200, product_data: { name: 'Lamp' } }, quantity: 1 },
      ],
      payment_intent_data: { capture_method: 'manual' },
    });
  }

  it('is authorized without an email, then paid with one email when captured', async () => {
    const { session, event } = await emulator.completeCheckoutSession(manualSession().id, { deliver: false });
    expect(session.payment_status).toBe('unpaid');
    await emulator.deliverEvent(event.id);
    const key = session.payment_intent as string;
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'authorized', {
      what: 'authorized',
    });
    await queuesSettled(stack);
    expect(mailsOfKey(stack, key)).toEqual([]);

    const captured = await emulator.capturePaymentIntent(key, { deliver: false });
    expect(captured.event.type).toBe('payment_intent.succeeded');
    expect((await emulator.deliverEvent(captured.event.id))[0]?.status).toBe(200);
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'paid', { what: 'paid' });
    await waitFor(() => mailsOfKey(stack, key).length === 1, { what: 'the confirmation' });
    // The same capture delivered again changes nothing and sends nothing more.
    await emulator.deliverEvent(captured.event.id);
    await queuesSettled(stack);
    expect(mailsOfKey(stack, key)).toHaveLength(1);
  });

  it('is cancelled when the authorization is released or expires', async () => {
    const { session, event } = await emulator.completeCheckoutSession(manualSession().id, { deliver: false });
    await emulator.deliverEvent(event.id);
    const key = session.payment_intent as string;
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'authorized', {
      what: 'authorized',
    });
    const expired = await emulator.cancelPaymentIntent(key, { reason: 'automatic', deliver: false });
    expect((await emulator.deliverEvent(expired.event.id))[0]?.status).toBe(200);
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'cancelled', { what: 'cancelled' });
    await queuesSettled(stack);
    expect(mailsOfKey(stack, key)).toEqual([]);
  });

  it('is paid through an event notification of the capture too', async () => {
    const platformUrl = `${stack.ingestUrl}/order/stripe-webhook`;
    const thinUrl = `${stack.ingestUrl}/order/stripe-webhook?endpoint=thin`;
    // The event destination taking thin events (added again if another test did already: the same endpoint).
    emulator.addWebhookEndpoint({ url: thinUrl, secret: THIN_SECRET, payload: 'thin' });
    const { session, event } = await emulator.completeCheckoutSession(manualSession().id, { deliver: false });
    await emulator.deliverEvent(event.id, { url: platformUrl });
    const key = session.payment_intent as string;
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'authorized', {
      what: 'authorized',
    });
    const captured = await emulator.capturePaymentIntent(key, { deliver: false });
    expect(emulator.getThinEvent(captured.event.id)?.type).toBe('v1.payment_intent.succeeded');
    const [delivery] = await emulator.deliverEvent(captured.event.id, { url: thinUrl });
    expect(delivery?.status).toBe(200);
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      order_identifier: orderIdentifierFor(key, ORDER_ID_SECRET),
    });
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'paid', { what: 'paid' });
    await waitFor(() => mailsOfKey(stack, key).length === 1, { what: 'the confirmation' });
  });

  it('is moved on by the reconciler when the capture event was lost', async () => {
    const { session, event } = await emulator.completeCheckoutSession(manualSession().id, { deliver: false });
    await emulator.deliverEvent(event.id);
    const key = session.payment_intent as string;
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'authorized', {
      what: 'authorized',
    });
    await emulator.capturePaymentIntent(key, { deliver: false });
    const jobId = `manual-${randomUUID()}`;
    await stack.queues.reconcile.add(RECONCILE_JOB_NAME, {}, { jobId });
    await waitFor(async () => (await orderOfKey(stack, key))?.status === 'paid', {
      what: 'paid by the reconciler',
    });
    await waitFor(() => mailsOfKey(stack, key).length === 1, { what: 'the confirmation' });
  });
});
