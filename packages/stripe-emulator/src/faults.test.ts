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

const params = { mode: 'payment' as const, line_items: [lineItem('Mug', 1500)] };

describe('fault injection, request log and transport behaviour', () => {
  it('surfaces an injected 429 as StripeRateLimitError, then answers normally', async () => {
    const { id } = emulator.createCheckoutSession(params);
    emulator.injectFault({ method: 'GET', path: /^\/v1\/checkout\/sessions\/[^/]+$/, status: 429, count: 1 });

    const limited = await stripe.checkout.sessions.retrieve(id).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(limited).toMatchObject({ statusCode: 429, rawType: 'rate_limit_error' });

    expect((await stripe.checkout.sessions.retrieve(id)).id).toBe(id);
    expect(emulator.requests.map((request) => [request.method, request.status])).toEqual([
      ['GET', 429],
      ['GET', 200],
    ]);
  });

  it('sends Retry-After with a fault that has one', async () => {
    const { id } = emulator.createCheckoutSession(params);
    emulator.injectFault({ path: /^\/v1\/checkout\/sessions\//, status: 429, count: 1, retryAfter: 2 });

    const limited = await fetch(`${emulator.url}/v1/checkout/sessions/${id}`, {
      headers: { authorization: 'Bearer sk_test_emulator' },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
  });

  it('drops the connection for a reset fault, then answers normally', async () => {
    const { id } = emulator.createCheckoutSession(params);
    emulator.injectFault({ path: /^\/v1\/checkout\/sessions\//, status: 500, count: 1, kind: 'reset' });
    const retrieve = () =>
      fetch(`${emulator.url}/v1/checkout/sessions/${id}`, {
        headers: { authorization: 'Bearer sk_test_emulator' },
      });

    await expect(retrieve()).rejects.toThrow('fetch failed');
    expect((await retrieve()).status).toBe(200);
    expect(emulator.requests.map((request) => request.status)).toEqual([null, 200]);
  });

  it('matches faults by method and exact path and answers 5xx with api_error', async () => {
    emulator.injectFault({ method: 'POST', path: '/v1/checkout/sessions', status: 503, count: 2 });

    await expect(stripe.checkout.sessions.list()).resolves.toMatchObject({ object: 'list' });
    for (let i = 0; i < 2; i++) {
      const failure = await stripe.checkout.sessions.create(params).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect(failure).toMatchObject({ statusCode: 503, rawType: 'api_error' });
    }
    await expect(stripe.checkout.sessions.create(params)).resolves.toMatchObject({ status: 'open' });
  });

  it('lets stripe-node retries recover, creating the session once', async () => {
    const retrying = stripeClient(emulator, { maxNetworkRetries: 2 });
    emulator.injectFault({ path: '/v1/checkout/sessions', status: 500, count: 2 });

    const session = await retrying.checkout.sessions.create(params);

    expect(emulator.requests.map((request) => request.status)).toEqual([500, 500, 200]);
    const listed = await stripe.checkout.sessions.list();
    expect(listed.data.map((s) => s.id)).toEqual([session.id]);
  });

  it('replays POSTs with the same Idempotency-Key and rejects a reused key with other params', async () => {
    const first = await stripe.checkout.sessions.create(params, { idempotencyKey: 'cart-1' });
    const again = await stripe.checkout.sessions.create(params, { idempotencyKey: 'cart-1' });

    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.checkout.sessions.list()).data).toHaveLength(1);
    const misuse = await stripe.checkout.sessions
      .create({ ...params, metadata: { other: 'yes' } }, { idempotencyKey: 'cart-1' })
      .catch((error: unknown) => error);
    expect(misuse).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('delays API responses by the configured latency', async () => {
    emulator.setLatency(250);
    const started = performance.now();
    await stripe.checkout.sessions.list();
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);

    const impatient = stripeClient(emulator, { timeout: 50 });
    await expect(impatient.checkout.sessions.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );

    emulator.setLatency(0);
    const quick = performance.now();
    await stripe.checkout.sessions.list();
    expect(performance.now() - quick).toBeLessThan(240);
  });

  it('requires a test API key', async () => {
    const anonymous = await fetch(`${emulator.url}/v1/checkout/sessions`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { type: 'invalid_request_error' } });

    const live = new Stripe('sk_live_nope', { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
    await expect(live.checkout.sessions.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );

    const basic = await fetch(`${emulator.url}/v1/checkout/sessions`, {
      headers: { authorization: `Basic ${Buffer.from('sk_test_curl:').toString('base64')}` },
    });
    expect(basic.status).toBe(200);
  });

  it('puts a request-id on every response and a Stripe error on unknown routes', async () => {
    const unknown = await fetch(`${emulator.url}/v1/customers`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(await unknown.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('GET: /v1/customers') },
    });

    const list = await stripe.checkout.sessions.list();
    expect(list.lastResponse.requestId).toMatch(/^req_/);
    expect(emulator.requests.at(-1)?.requestId).toBe(list.lastResponse.requestId);
    const control = await fetch(`${emulator.url}/_emulator/health`);
    expect(control.headers.get('request-id')).toMatch(/^req_/);
  });

  it('rejects malformed form bodies as invalid requests', async () => {
    const response = await fetch(`${emulator.url}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'metadata[a]=1&metadata[a][b]=2',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('metadata[a]'),
        param: 'metadata[a]',
      },
    });

    const tooDeep = await fetch(`${emulator.url}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/x-www-form-urlencoded' },
      body: `metadata${'[a]'.repeat(11)}=x`,
    });
    expect(tooDeep.status).toBe(400);
    expect(await tooDeep.json()).toEqual({
      error: { type: 'invalid_request_error', message: expect.stringContaining('depth') },
    });
  });
});
