import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from './emulator.ts';
import { lineItem, stripeClient } from './test-support.ts';

let emulator: StripeEmulator;
let stripe: Stripe;

beforeEach(async () => {
  emulator = await startStripeEmulator();
  stripe = stripeClient(emulator);
});

afterEach(async () => {
  await emulator.close();
});

function createSession(params: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [lineItem('Mug', 1500, 2), lineItem('Tea', 450)],
    success_url: 'https://shop.test/thanks?session_id={CHECKOUT_SESSION_ID}',
    ...params,
  });
}

describe('checkout sessions through stripe-node', () => {
  it('creates, retrieves with expansions and shows completion', async () => {
    const created = await createSession({ metadata: { cart_id: 'c1' }, customer_email: 'ada@example.com' });

    expect(created).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      payment_intent: null,
      customer_details: null,
      amount_subtotal: 3450,
      amount_total: 3450,
      currency: 'usd',
      metadata: { cart_id: 'c1' },
      customer_email: 'ada@example.com',
      success_url: 'https://shop.test/thanks?session_id={CHECKOUT_SESSION_ID}',
      livemode: false,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    });
    expect(created.id).toMatch(/^cs_test_[A-Za-z0-9]+$/);
    expect(created.url).toBe(`${emulator.url}/_emulator/pay/${created.id}`);
    expect(created.expires_at - created.created).toBe(24 * 60 * 60);
    expect(created.line_items).toBeUndefined();

    const { session } = await emulator.completeCheckoutSession(created.id);
    const retrieved = await stripe.checkout.sessions.retrieve(created.id, {
      expand: ['line_items', 'payment_intent'],
    });

    expect(retrieved).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      url: null,
      customer_details: { email: 'ada@example.com', tax_exempt: 'none', tax_ids: [] },
      collected_information: { shipping_details: null },
    });
    const intent = retrieved.payment_intent as Stripe.PaymentIntent;
    expect(intent).toMatchObject({
      id: session.payment_intent,
      object: 'payment_intent',
      status: 'succeeded',
    });
    expect(intent.amount).toBe(3450);
    expect(intent.id).toMatch(/^pi_/);
    expect(
      retrieved.line_items?.data.map((item) => [item.description, item.quantity, item.amount_total]),
    ).toEqual([
      ['Mug', 2, 3000],
      ['Tea', 1, 450],
    ]);
    expect(retrieved.line_items?.data[0]?.price).toMatchObject({
      object: 'price',
      unit_amount: 1500,
      type: 'one_time',
    });

    const direct = await stripe.paymentIntents.retrieve(intent.id);
    expect(direct.status).toBe('succeeded');
  });

  it('makes a zero-total session no_payment_required without a PaymentIntent', async () => {
    const created = await createSession({
      emulator: { discount_percent: 100 },
    } as Partial<Stripe.Checkout.SessionCreateParams>);
    expect(created.amount_subtotal).toBe(3450);
    expect(created.amount_total).toBe(0);
    expect(created.total_details?.amount_discount).toBe(3450);

    const { session, event } = await emulator.completeCheckoutSession(created.id);

    expect(session.payment_status).toBe('no_payment_required');
    expect(session.payment_intent).toBeNull();
    expect(event.data.object.payment_status).toBe('no_payment_required');
    expect(event.data.object.payment_intent).toBeNull();
  });

  it('adds shipping, splits discounts per line item and keeps zero-decimal amounts as given', async () => {
    const created = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [lineItem('Bowl', 500, 3, 'JPY')],
      shipping_address_collection: { allowed_countries: ['JP'] },
      shipping_options: [
        {
          shipping_rate_data: {
            display_name: 'Post',
            type: 'fixed_amount',
            fixed_amount: { amount: 700, currency: 'jpy' },
          },
        },
      ],
      emulator: { discount_percent: 10 },
    } as Stripe.Checkout.SessionCreateParams);

    expect(created).toMatchObject({
      currency: 'jpy',
      amount_subtotal: 1500,
      amount_total: 1500 - 150 + 700,
      total_details: { amount_discount: 150, amount_shipping: 700, amount_tax: 0 },
      shipping_cost: { amount_total: 700 },
    });

    const { session } = await emulator.completeCheckoutSession(created.id, {
      customerDetails: { name: 'Kenji', address: { country: 'JP', city: 'Tokyo' } },
    });
    expect(session.collected_information.shipping_details).toEqual({
      name: 'Kenji',
      address: { city: 'Tokyo', country: 'JP', line1: null, line2: null, postal_code: null, state: null },
    });
  });

  it('pages through line items with limit, starting_after and ending_before', async () => {
    const items = Array.from({ length: 25 }, (_, index) => lineItem(`Item ${index}`, 100 + index));
    const { id } = await createSession({ line_items: items });

    const expanded = await stripe.checkout.sessions.retrieve(id, { expand: ['line_items'] });
    expect(expanded.line_items?.data).toHaveLength(10);
    expect(expanded.line_items?.has_more).toBe(true);
    expect(expanded.line_items?.url).toBe(`/v1/checkout/sessions/${id}/line_items`);

    const first = await stripe.checkout.sessions.listLineItems(id);
    expect(first.data.map((item) => item.description)).toEqual(items.slice(0, 10).map((_, i) => `Item ${i}`));
    const last = await stripe.checkout.sessions.listLineItems(id, {
      limit: 100,
      starting_after: first.data[9]?.id ?? '',
    });
    expect(last.data).toHaveLength(15);
    expect(last.has_more).toBe(false);
    const before = await stripe.checkout.sessions.listLineItems(id, {
      limit: 3,
      ending_before: last.data[0]?.id ?? '',
    });
    expect(before.data.map((item) => item.description)).toEqual(['Item 7', 'Item 8', 'Item 9']);
    expect(before.has_more).toBe(true);

    const all = await stripe.checkout.sessions
      .listLineItems(id, { limit: 4 })
      .autoPagingToArray({ limit: 100 });
    expect(all.map((item) => item.amount_total)).toEqual(items.map((_, i) => 100 + i));
  });

  it('lists sessions newest first and auto-paginates over several pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await createSession()).id);
    emulator.clearRequests();

    const seen: string[] = [];
    for await (const session of stripe.checkout.sessions.list({ limit: 10 })) seen.push(session.id);

    expect(seen).toEqual([...ids].reverse());
    expect(emulator.requests.map((request) => `${request.method} ${request.path}`)).toEqual(
      Array(3).fill('GET /v1/checkout/sessions'),
    );
  });

  it('filters the session list by status, payment_intent and created', async () => {
    let clock = 1_700_000_000;
    await emulator.close();
    emulator = await startStripeEmulator({ now: () => clock });
    stripe = stripeClient(emulator);
    const early = await createSession();
    clock += 100;
    const paid = await createSession();
    const { session } = await emulator.completeCheckoutSession(paid.id);
    clock += 100;
    const late = await createSession();

    const complete = await stripe.checkout.sessions.list({ status: 'complete' });
    expect(complete.data.map((s) => s.id)).toEqual([paid.id]);
    const byIntent = await stripe.checkout.sessions.list({ payment_intent: session.payment_intent ?? '' });
    expect(byIntent.data.map((s) => s.id)).toEqual([paid.id]);
    const range = await stripe.checkout.sessions.list({ created: { gte: 1_700_000_050, lt: 1_700_000_200 } });
    expect(range.data.map((s) => s.id)).toEqual([paid.id]);
    const fromLate = await stripe.checkout.sessions.list({ created: { gt: 1_700_000_000 } });
    expect(fromLate.data.map((s) => s.id)).toEqual([late.id, paid.id]);
    expect(early.created).toBe(1_700_000_000);
    const expanded = await stripe.checkout.sessions.list({
      status: 'complete',
      expand: ['data.payment_intent'],
    });
    expect((expanded.data[0]?.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded');
  });

  it('expires an open session through the API and records the request on the event', async () => {
    const created = await createSession();

    const expired = await stripe.checkout.sessions.expire(created.id, {}, { idempotencyKey: 'expire-1' });

    expect(expired).toMatchObject({ status: 'expired', url: null, payment_status: 'unpaid' });
    const [event] = emulator.listEvents();
    expect(event).toMatchObject({
      type: 'checkout.session.expired',
      request: { id: expired.lastResponse.requestId, idempotency_key: 'expire-1' },
    });
    await expect(stripe.checkout.sessions.expire(created.id)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
  });

  it('answers unknown ids with resource_missing and bad params with invalid_request_error', async () => {
    const missing = await stripe.checkout.sessions
      .retrieve('cs_test_missing')
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
      message: "No such checkout.session: 'cs_test_missing'",
    });
    await expect(stripe.paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({ statusCode: 404 });
    await expect(stripe.events.retrieve('evt_missing')).rejects.toMatchObject({ code: 'resource_missing' });

    await expect(stripe.checkout.sessions.create({ mode: 'payment' })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      param: 'line_items',
    });
    await expect(
      createSession({
        line_items: [
          { price_data: { currency: 'usd', unit_amount: -1, product_data: { name: 'x' } }, quantity: 1 },
        ],
      }),
    ).rejects.toMatchObject({ param: 'line_items[0][price_data][unit_amount]' });
    await expect(
      stripe.checkout.sessions.retrieve((await createSession()).id, { expand: ['customer'] }),
    ).rejects.toMatchObject({
      param: 'expand',
    });
    expect(() => emulator.createCheckoutSession({ line_items: [] })).toThrow(
      'Missing required param: line_items.',
    );
  });
});
