import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CheckoutSessionEventResult, type StripeEmulator, startStripeEmulator } from './emulator.ts';
import type { ApiRequestLogEntry } from './faults.ts';
import { lineItem, startWebhookReceiver, stripeClient, type WebhookReceiver } from './test-support.ts';
import type { CheckoutSession, DeliveryResult } from './types.ts';

const SECRET = 'whsec_control';

let receiver: WebhookReceiver;
let emulator: StripeEmulator;
let stripe: Stripe;

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startStripeEmulator({ publicUrl: 'http://checkout.localhost:9999/' });
  stripe = stripeClient(emulator);
});

afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

async function control<T = unknown>(path: string, body?: unknown, method = 'POST') {
  const response = await fetch(`${emulator.url}/_emulator${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as T };
}

describe('control endpoints', () => {
  it('registers an endpoint, creates and completes a session, and delivers the event', async () => {
    expect((await control('/webhook_endpoints', { url: receiver.url, secret: SECRET })).status).toBe(201);
    const created = await control<CheckoutSession>('/checkout/sessions', {
      line_items: [lineItem('Poster', 1200, 2)],
      metadata: { cart_id: 'c7' },
      shipping_address_collection: { allowed_countries: ['DE'] },
    });
    expect(created.status).toBe(201);
    expect(created.json.url).toBe(`http://checkout.localhost:9999/_emulator/pay/${created.json.id}`);

    const completed = await control<CheckoutSessionEventResult>(
      `/checkout/sessions/${created.json.id}/complete`,
      {
        customerDetails: { email: 'grace@example.com', name: 'Grace' },
        shippingDetails: { name: 'Grace H.', address: { line1: 'Main St 1', city: 'Berlin', country: 'DE' } },
      },
    );

    expect(completed.status).toBe(200);
    expect(completed.json.session).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      customer_details: { email: 'grace@example.com', name: 'Grace' },
      collected_information: {
        shipping_details: { name: 'Grace H.', address: { city: 'Berlin', postal_code: null } },
      },
    });
    expect(completed.json.deliveries).toEqual([
      { url: receiver.url, status: 200, body: '{"received":true}' },
    ]);
    const [delivery] = receiver.received;
    const event = stripe.webhooks.constructEvent(
      delivery?.body ?? '',
      delivery?.headers['stripe-signature'] ?? '',
      SECRET,
    );
    expect(event.id).toBe(completed.json.event.id);
  });

  it('settles async payments, redelivers events to a given URL and validates input', async () => {
    const { id } = emulator.createCheckoutSession({ line_items: [lineItem('Chair', 9900)] });
    const pending = await control<CheckoutSessionEventResult>(`/checkout/sessions/${id}/complete`, {
      paymentStatus: 'unpaid',
    });
    expect(pending.json.session.payment_status).toBe('unpaid');

    const settled = await control<CheckoutSessionEventResult>(`/checkout/sessions/${id}/async_payment`, {
      outcome: 'failed',
    });
    expect(settled.json.event.type).toBe('checkout.session.async_payment_failed');
    expect((await control(`/checkout/sessions/${id}/async_payment`, { outcome: 'maybe' })).status).toBe(400);

    const redelivered = await control<{ deliveries: DeliveryResult[] }>(
      `/events/${settled.json.event.id}/deliver`,
      {
        url: receiver.url,
        secret: SECRET,
      },
    );
    expect(redelivered.json.deliveries).toEqual([
      { url: receiver.url, status: 200, body: '{"received":true}' },
    ]);
    expect(JSON.parse(receiver.received[0]?.body ?? '{}').type).toBe('checkout.session.async_payment_failed');

    const missing = await control('/events/evt_nope/deliver', {});
    expect(missing).toMatchObject({ status: 404, json: { error: { code: 'resource_missing' } } });
    expect((await control('/webhook_endpoints', { url: 'not a url', secret: SECRET })).status).toBe(400);
    expect((await control(`/checkout/sessions/${id}/complete`, {})).status).toBe(400);
  });

  it('injects faults, sets latency and exposes the request log', async () => {
    const fault = await control('/faults', { pathPattern: '^/v1/events', status: 502, count: 1 });
    expect(fault.status).toBe(201);
    await expect(stripe.events.list()).rejects.toMatchObject({ statusCode: 502 });
    await expect(stripe.events.list()).resolves.toMatchObject({ object: 'list' });
    expect((await control('/faults', { path: '/v1/events', status: 418 })).status).toBe(400);

    expect((await control('/latency', { ms: 150 })).json).toEqual({ ms: 150 });
    const started = performance.now();
    await stripe.events.list();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    const log = await control<{ data: ApiRequestLogEntry[] }>('/requests', undefined, 'GET');
    expect(log.json.data.map((entry) => entry.status)).toEqual([502, 200, 200]);
  });

  it('serves a hosted checkout page that completes the session and redirects to success_url', async () => {
    await emulator.close();
    emulator = await startStripeEmulator();
    const { id, url } = emulator.createCheckoutSession({
      line_items: [lineItem('Mug', 1500, 2)],
      success_url: 'https://shop.test/thanks?session_id={CHECKOUT_SESSION_ID}',
    });

    const page = await fetch(url ?? '');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('$30.00');

    const submitted = await fetch(url ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=pay%40example.com&name=Pat&outcome=paid',
      redirect: 'manual',
    });

    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(`https://shop.test/thanks?session_id=${id}`);
    expect(emulator.getSession(id)).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      customer_details: { email: 'pay@example.com', name: 'Pat' },
    });
    expect(await (await fetch(url ?? '')).text()).not.toContain('$30.00');
  });
});
