import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from './emulator.ts';
import { StripeEmulatorError } from './errors.ts';
import { lineItem, startWebhookReceiver, stripeClient, type WebhookReceiver } from './test-support.ts';
import { signPayload } from './webhook-delivery.ts';

const SECRET = 'whsec_test_primary';
const NEXT_SECRET = 'whsec_test_rolled';

let receiver: WebhookReceiver;
let emulator: StripeEmulator;
let stripe: Stripe;

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startStripeEmulator({ webhookEndpoints: [{ url: receiver.url, secret: SECRET }] });
  stripe = stripeClient(emulator);
});

afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

function createSession(amount = 2500) {
  return emulator.createCheckoutSession({
    line_items: [lineItem('Lamp', amount)],
    metadata: { cart_id: 'c9' },
  });
}

function onlyDelivery() {
  expect(receiver.received).toHaveLength(1);
  const [delivery] = receiver.received;
  const header = delivery?.headers['stripe-signature'];
  if (!delivery || typeof header !== 'string') throw new Error('no signed delivery received');
  return { body: delivery.body, header };
}

describe('webhook delivery', () => {
  it('delivers checkout.session.completed with a signature stripe-node verifies', async () => {
    const { id } = createSession();

    const { event, deliveries } = await emulator.completeCheckoutSession(id);

    expect(deliveries).toEqual([{ url: receiver.url, status: 200, body: '{"received":true}' }]);
    const { body, header } = onlyDelivery();
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const verified = stripe.webhooks.constructEvent(body, header, SECRET);
    expect(verified).toMatchObject({
      id: event.id,
      type: 'checkout.session.completed',
      api_version: '2025-11-17.clover',
      livemode: false,
      request: { id: null, idempotency_key: null },
      data: { object: { id, status: 'complete', payment_status: 'paid', metadata: { cart_id: 'c9' } } },
    });
    expect(() => stripe.webhooks.constructEvent(body, header, 'whsec_wrong')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(event.pending_webhooks).toBe(0);
    expect((await stripe.events.retrieve(event.id)).data.object).toEqual(JSON.parse(body).data.object);
  });

  it('keeps the event payload as a snapshot of the session at that moment', async () => {
    const { id } = createSession();
    const completed = await emulator.completeCheckoutSession(id, { paymentStatus: 'unpaid' });
    await emulator.settleAsyncPayment(id, 'succeeded');

    const stored = await stripe.events.retrieve(completed.event.id);
    expect((stored.data.object as Stripe.Checkout.Session).payment_status).toBe('unpaid');
    expect(emulator.getSession(id)?.payment_status).toBe('paid');
  });

  it('signs with every secret while a secret is being rolled', async () => {
    const { id } = createSession();
    const { event } = await emulator.completeCheckoutSession(id, { deliver: false });
    expect(receiver.received).toHaveLength(0);

    await emulator.deliverEvent(event.id, { signatureSecrets: [SECRET, NEXT_SECRET] });

    const { body, header } = onlyDelivery();
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(stripe.webhooks.constructEvent(body, header, SECRET).id).toBe(event.id);
    expect(stripe.webhooks.constructEvent(body, header, NEXT_SECRET).id).toBe(event.id);
  });

  it('uses a given timestamp so that tolerance checks can be tested', async () => {
    const { id } = createSession();
    const { event } = await emulator.completeCheckoutSession(id, { deliver: false });
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;

    await emulator.deliverEvent(event.id, { timestamp: tenMinutesAgo });

    const { body, header } = onlyDelivery();
    expect(header.startsWith(`t=${tenMinutesAgo},`)).toBe(true);
    expect(() => stripe.webhooks.constructEvent(body, header, SECRET)).toThrow(/tolerance/i);
    expect(stripe.webhooks.constructEvent(body, header, SECRET, 900).id).toBe(event.id);
  });

  it('signPayload produces headers stripe-node accepts', () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event' });
    const header = signPayload(payload, SECRET, 1_700_000_000);
    expect(header.startsWith('t=1700000000,v1=')).toBe(true);
    expect(stripe.webhooks.constructEvent(payload, header, SECRET, 0).id).toBe('evt_1');
    expect(emulator.signPayload(payload, SECRET, 1_700_000_000)).toBe(header);
  });

  it('records failed deliveries and filters events by delivery_success', async () => {
    receiver.respondWith(500);
    const failed = await emulator.completeCheckoutSession(createSession().id);
    receiver.respondWith(200);
    const delivered = await emulator.completeCheckoutSession(createSession().id);
    const undelivered = await emulator.completeCheckoutSession(createSession().id, { deliver: false });

    expect(failed.deliveries[0]?.status).toBe(500);
    expect(failed.event.pending_webhooks).toBe(1);
    const ids = async (deliverySuccess: boolean) =>
      (await stripe.events.list({ delivery_success: deliverySuccess })).data.map((event) => event.id);
    expect(await ids(true)).toEqual([delivered.event.id]);
    expect(await ids(false)).toEqual([undelivered.event.id, failed.event.id]);

    const retried = await emulator.deliverEvent(failed.event.id);
    expect(retried.map((result) => result.status)).toEqual([200]);
    expect(await ids(false)).toEqual([undelivered.event.id]);
    expect((await stripe.events.retrieve(failed.event.id)).pending_webhooks).toBe(0);
  });

  it('records an unreachable endpoint as a failed delivery with status 0', async () => {
    const closed = await startWebhookReceiver();
    await closed.close();
    emulator.addWebhookEndpoint({ url: closed.url, secret: SECRET });

    const { deliveries } = await emulator.completeCheckoutSession(createSession().id);

    expect(deliveries.map((result) => [result.url, result.status])).toEqual([
      [receiver.url, 200],
      [closed.url, 0],
    ]);
    const failed = await stripe.events.list({ delivery_success: false });
    expect(failed.data).toHaveLength(1);
  });

  it('settles a delayed payment as succeeded or failed', async () => {
    const winner = createSession(4000);
    const loser = createSession(5000);
    const pending = await emulator.completeCheckoutSession(winner.id, { paymentStatus: 'unpaid' });
    await emulator.completeCheckoutSession(loser.id, { paymentStatus: 'unpaid' });
    const intentId = pending.session.payment_intent ?? '';
    expect(pending.session.payment_status).toBe('unpaid');
    expect((await stripe.paymentIntents.retrieve(intentId)).status).toBe('processing');

    const succeeded = await emulator.settleAsyncPayment(winner.id, 'succeeded');
    const failed = await emulator.settleAsyncPayment(loser.id, 'failed');

    expect(succeeded.event.type).toBe('checkout.session.async_payment_succeeded');
    expect(succeeded.session.payment_status).toBe('paid');
    expect((await stripe.paymentIntents.retrieve(intentId)).status).toBe('succeeded');
    expect(failed.event.type).toBe('checkout.session.async_payment_failed');
    expect(failed.session.payment_status).toBe('unpaid');
    expect((await stripe.paymentIntents.retrieve(failed.session.payment_intent ?? '')).status).toBe(
      'requires_payment_method',
    );
    const types = receiver.received.map((delivery) => JSON.parse(delivery.body).type);
    expect(types).toEqual([
      'checkout.session.completed',
      'checkout.session.completed',
      'checkout.session.async_payment_succeeded',
      'checkout.session.async_payment_failed',
    ]);
    await expect(emulator.settleAsyncPayment(winner.id, 'failed')).rejects.toBeInstanceOf(
      StripeEmulatorError,
    );
    await expect(emulator.settleAsyncPayment(createSession().id, 'succeeded')).rejects.toThrow(
      /no pending delayed payment/,
    );
  });

  it('delivers events caused by API calls after the call has answered', async () => {
    const { id } = createSession();

    const expired = await stripe.checkout.sessions.expire(id);

    expect(expired.status).toBe('expired');
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1));
    const { body, header } = onlyDelivery();
    const event = stripe.webhooks.constructEvent(body, header, SECRET);
    expect(event.type).toBe('checkout.session.expired');
    expect(event.request?.id).toBe(expired.lastResponse.requestId);
  });

  it('filters the event list by type, types and wildcard', async () => {
    const first = createSession();
    await emulator.completeCheckoutSession(first.id, { paymentStatus: 'unpaid' });
    await emulator.settleAsyncPayment(first.id, 'succeeded');
    await emulator.expireCheckoutSession(createSession().id);

    const list = async (params: Stripe.EventListParams) =>
      (await stripe.events.list(params)).data.map((event) => event.type);
    expect(await list({})).toEqual([
      'checkout.session.expired',
      'checkout.session.async_payment_succeeded',
      'checkout.session.completed',
    ]);
    expect(await list({ type: 'checkout.session.completed' })).toEqual(['checkout.session.completed']);
    expect(await list({ types: ['checkout.session.expired', 'checkout.session.completed'] })).toEqual([
      'checkout.session.expired',
      'checkout.session.completed',
    ]);
    expect(await list({ type: 'checkout.session.async_*' })).toEqual([
      'checkout.session.async_payment_succeeded',
    ]);
    expect(emulator.listEvents().map((event) => event.type)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_succeeded',
      'checkout.session.expired',
    ]);
  });

  it('pages through events with starting_after', async () => {
    for (let i = 0; i < 5; i++) await emulator.expireCheckoutSession(createSession().id, { deliver: false });
    const all = emulator
      .listEvents()
      .map((event) => event.id)
      .reverse();

    const first = await stripe.events.list({ limit: 2 });
    const second = await stripe.events.list({ limit: 2, starting_after: first.data[1]?.id ?? '' });
    const everything = await stripe.events.list({ limit: 2 }).autoPagingToArray({ limit: 10 });

    expect(first.data.map((event) => event.id)).toEqual(all.slice(0, 2));
    expect(first.has_more).toBe(true);
    expect(second.data.map((event) => event.id)).toEqual(all.slice(2, 4));
    expect(everything.map((event) => event.id)).toEqual(all);
  });
});
