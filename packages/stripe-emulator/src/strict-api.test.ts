import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from './emulator.ts';
import { lineItem, stripeClient } from './test-support.ts';

let emulator: StripeEmulator;
let stripe: Stripe;

beforeEach(async () => {
  emulator = await startStripeEmulator({ autoDeliver: false });
  stripe = stripeClient(emulator);
});

afterEach(async () => {
  await emulator.close();
});

const params = { mode: 'payment' as const, line_items: [lineItem('Mug', 1500)] };

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Stripe.errors.StripeError))
    throw new Error(`expected a StripeError, got ${String(error)}`);
  return error;
}

describe('what Stripe rejects, the emulator rejects', () => {
  it('refuses a removed or unknown parameter with 400 parameter_unknown, naming it', async () => {
    const removed = await rejection(
      stripe.checkout.sessions.create({
        ...params,
        payment_method_types: ['card'],
      } as Stripe.Checkout.SessionCreateParams),
    );
    expect(removed).toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'payment_method_types',
    });
    expect(removed.message).toBe('Received unknown parameter: payment_method_types');

    const nested = await rejection(
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ ...lineItem('Mug', 1500), colour: 'red' }],
      } as unknown as Stripe.Checkout.SessionCreateParams),
    );
    expect(nested).toMatchObject({ code: 'parameter_unknown', param: 'line_items[0][colour]' });
    expect(emulator.requests.map((r) => r.status)).toEqual([400, 400]);
  });

  it('refuses a JSON body on /v1', async () => {
    const response = await fetch(`${emulator.url}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(emulator.listEvents()).toEqual([]);
  });

  it('replays a stored answer for a repeated Idempotency-Key, a 500 from the API included', async () => {
    emulator.injectFault({
      method: 'POST',
      path: '/v1/checkout/sessions',
      status: 500,
      count: 1,
      kind: 'handler',
    });
    const post = () =>
      fetch(`${emulator.url}/v1/checkout/sessions`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk_test_x',
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': 'order-7',
        },
        body: 'mode=payment&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=500&line_items[0][price_data][product_data][name]=Mug',
      });
    const first = await post();
    expect(first.status).toBe(500);
    const again = await post();
    expect(again.status).toBe(500);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(await first.text());

    const invalid = () => stripe.checkout.sessions.create({ mode: 'payment' }, { idempotencyKey: 'order-8' });
    const firstError = await rejection(invalid());
    const replayed = await rejection(invalid());
    expect(replayed.message).toBe(firstError.message);
    expect(replayed.headers?.['idempotent-replayed']).toBe('true');
  });

  it('scopes objects by Stripe-Account: another account, or the platform, gets 404', async () => {
    emulator.createConnectedAccount({ id: 'acct_1StrictA' });
    emulator.createConnectedAccount({ id: 'acct_1StrictB' });
    const session = await stripe.checkout.sessions.create(params, { stripeAccount: 'acct_1StrictA' });
    expect(
      (await stripe.checkout.sessions.retrieve(session.id, {}, { stripeAccount: 'acct_1StrictA' })).id,
    ).toBe(session.id);
    for (const options of [{ stripeAccount: 'acct_1StrictB' }, {}]) {
      const missing = await rejection(stripe.checkout.sessions.retrieve(session.id, {}, options));
      expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    }
    const unknown = await rejection(
      stripe.checkout.sessions.retrieve(session.id, {}, { stripeAccount: 'acct_1Nope' }),
    );
    expect(unknown.statusCode).toBe(403);
    const listed = await stripe.accounts.list({ limit: 1 });
    expect(listed.data).toHaveLength(1);
    const all: string[] = [];
    for await (const account of stripe.accounts.list({ limit: 1 })) all.push(account.id);
    expect(all.sort()).toEqual(['acct_1StrictA', 'acct_1StrictB']);
  });
});
