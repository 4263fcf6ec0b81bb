import { SESSION_CREATE_PARAMS, type StripeEmulator, startStripeEmulator } from '@fulfill/stripe-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout, createTestSession } from './support/checkout.ts';
import { loadStripeSchemas, type StripeSchemas, type StripeTypeName } from './support/stripe-schema.ts';

/**
 * Holds what the emulator answers to the shapes of stripe-node's types, read at test time from the installed
 * package's `.d.ts` files: every field always present on Stripe's object is present, with Stripe's type.
 */
let emulator: StripeEmulator;
let schemas: StripeSchemas;
const ACCOUNT = 'acct_1Conformance';

beforeAll(async () => {
  schemas = loadStripeSchemas();
  emulator = await startStripeEmulator({ autoDeliver: false });
  emulator.createConnectedAccount({ id: ACCOUNT });
}, 60_000);
afterAll(async () => {
  await emulator?.close();
});

async function api(
  path: string,
  init: RequestInit & { account?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${emulator.url}${path}`, {
    ...init,
    headers: {
      authorization: 'Bearer sk_test_conformance',
      ...(init.account ? { 'stripe-account': init.account } : {}),
      ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
  });
  return { status: response.status, body: await response.json() };
}

function conforms(value: unknown, type: StripeTypeName) {
  expect(schemas.check(value, type), `${type} against stripe ${schemas.version}`).toEqual([]);
}

const recurring = {
  mode: 'subscription' as const,
  line_items: [
    {
      price_data: {
        currency: 'usd',
        unit_amount: 1200,
        product_data: { name: 'Plan' },
        recurring: { interval: 'month' as const },
      },
      quantity: 1,
    },
  ],
};

describe('the emulator against stripe-node’s types', () => {
  it('derives a schema that fails an object missing a required field, or with a wrong type or enum value', async () => {
    const { session } = await completedCheckout(emulator);
    const { body } = await api(`/v1/checkout/sessions/${session.id}`);
    conforms(body, 'Checkout.Session');
    const { customer_details: _removed, ...withoutRequired } = body as Record<string, unknown>;
    expect(schemas.check(withoutRequired, 'Checkout.Session')).toEqual([
      "Checkout.Session.customer_details: missing (always present on Stripe's object)",
    ]);
    expect(schemas.check({ ...(body as object), amount_total: '11499' }, 'Checkout.Session')).toEqual([
      'Checkout.Session.amount_total: expected a number, got "11499"',
    ]);
    expect(schemas.check({ ...(body as object), mode: 'donation' }, 'Checkout.Session')[0]).toMatch(
      /mode: "donation" is not one of payment, setup, subscription/,
    );
    expect(schemas.check({ ...(body as object), invented: 1 }, 'Checkout.Session')).toEqual([
      "Checkout.Session.invented: not a property of Stripe's Session",
    ]);
    expect(schemas.requiredProperties('Checkout.Session').length).toBeGreaterThan(50);
  });

  it('sends Checkout Sessions of every mode and state in Stripe’s shape', async () => {
    const open = createTestSession(emulator);
    conforms((await api(`/v1/checkout/sessions/${open.id}`)).body, 'Checkout.Session');

    const paid = await completedCheckout(emulator);
    const expanded = await api(
      `/v1/checkout/sessions/${paid.session.id}?expand[]=line_items&expand[]=payment_intent`,
    );
    conforms(expanded.body, 'Checkout.Session');
    conforms(paid.event, 'Event');

    const setup = emulator.createCheckoutSession({ mode: 'setup', currency: 'usd' });
    const setupDone = await emulator.completeCheckoutSession(setup.id, { deliver: false });
    conforms((await api(`/v1/checkout/sessions/${setup.id}`)).body, 'Checkout.Session');
    conforms(setupDone.event, 'Event');

    for (const params of [recurring, { ...recurring, subscription_data: { trial_period_days: 7 } }]) {
      const created = emulator.createCheckoutSession(params);
      const { event } = await emulator.completeCheckoutSession(created.id, { deliver: false });
      conforms((await api(`/v1/checkout/sessions/${created.id}`)).body, 'Checkout.Session');
      conforms(event, 'Event');
    }

    const delayed = await completedCheckout(emulator, { paymentStatus: 'unpaid' });
    const settled = await emulator.settleAsyncPayment(delayed.session.id, 'failed', { deliver: false });
    conforms(settled.event, 'Event');
    const expired = await emulator.expireCheckoutSession(createTestSession(emulator).id, { deliver: false });
    conforms(expired.event, 'Event');

    const list = (await api('/v1/checkout/sessions?limit=100')).body as { data: unknown[] };
    for (const item of list.data) conforms(item, 'Checkout.Session');
  });

  it('sends line items and payment intents, captured and cancelled, in Stripe’s shape', async () => {
    const { session } = await completedCheckout(emulator);
    const items = (await api(`/v1/checkout/sessions/${session.id}/line_items`)).body as { data: unknown[] };
    expect(items.data.length).toBeGreaterThan(0);
    for (const item of items.data) conforms(item, 'LineItem');
    conforms((await api(`/v1/payment_intents/${session.payment_intent}`)).body, 'PaymentIntent');

    for (const outcome of ['capture', 'cancel'] as const) {
      const created = emulator.createCheckoutSession({
        mode: 'payment',
        line_items: [
          { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'X' } }, quantity: 1 },
        ],
        payment_intent_data: { capture_method: 'manual' },
      });
      const done = await emulator.completeCheckoutSession(created.id, { deliver: false });
      const intentId = done.session.payment_intent as string;
      conforms((await api(`/v1/payment_intents/${intentId}`)).body, 'PaymentIntent');
      const answer = await api(`/v1/payment_intents/${intentId}/${outcome}`, { method: 'POST', body: '' });
      expect(answer.status).toBe(200);
      conforms(answer.body, 'PaymentIntent');
      const event = emulator.listEvents().findLast((e) => e.data.object.id === intentId);
      conforms(event, 'Event');
    }
  });

  it('sends connected accounts’ events and event notifications in Stripe’s shape', async () => {
    const created = emulator.createCheckoutSession(
      {
        mode: 'payment',
        line_items: [
          { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'X' } }, quantity: 1 },
        ],
      },
      { account: ACCOUNT },
    );
    const { event } = await emulator.completeCheckoutSession(created.id, { deliver: false });
    conforms(event, 'Event');
    conforms(
      (await api(`/v1/checkout/sessions/${created.id}`, { account: ACCOUNT })).body,
      'Checkout.Session',
    );
    const thin = emulator.getThinEvent(event.id);
    conforms(thin, 'V2.Core.Event');
    const fetched = await fetch(`${emulator.url}/v2/core/events/${thin?.id}`, {
      headers: { authorization: 'Bearer sk_test_conformance', 'stripe-context': ACCOUNT },
    });
    conforms(await fetched.json(), 'V2.Core.Event');
  });

  it('takes exactly the Checkout Session create parameters stripe-node declares', () => {
    const declared = schemas.properties('Checkout.SessionCreateParams');
    expect([...SESSION_CREATE_PARAMS].sort()).toEqual([...declared].sort());
    expect(declared).not.toContain('payment_method_types');
  });

  it('answers errors in Stripe’s shape', async () => {
    const missing = await api('/v1/checkout/sessions/cs_test_nope');
    expect(missing.status).toBe(404);
    conforms((missing.body as { error: unknown }).error, 'StripeRawError');
    const across = await api(`/v1/checkout/sessions/${createTestSession(emulator).id}`, { account: ACCOUNT });
    expect(across.status).toBe(404);
    conforms((across.body as { error: unknown }).error, 'StripeRawError');
    const invalid = await api('/v1/checkout/sessions', { method: 'POST', body: 'mode=donation' });
    expect(invalid.status).toBe(400);
    conforms((invalid.body as { error: unknown }).error, 'StripeRawError');
  });
});
