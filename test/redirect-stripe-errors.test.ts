import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestApp, startIngestApp } from './support/ingest-app.ts';

// A stand-in for Stripe's HTTP API that answers every request with the status and body the test sets, so the
// real Stripe client meets each kind of refusal.
let answer: { status: number; body: unknown } = { status: 500, body: {} };
let fakeStripe: Server;
let fakeUrl: string;
let viaFake: IngestApp;
let viaEmulator: IngestApp;
beforeAll(async () => {
  fakeStripe = createServer((_request, response) => {
    response.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': 'req_fake' });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => fakeStripe.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(fakeStripe.address() as AddressInfo).port}`;
  viaFake = await startIngestApp({ stripeApiBase: fakeUrl });
  viaEmulator = await startIngestApp();
});
afterAll(async () => {
  await viaFake?.stop();
  await viaEmulator?.stop();
  fakeStripe?.close();
});

const redirect = (app: IngestApp, sessionId: string) =>
  app.app.inject({ method: 'GET', url: `/order/checkout-session-success?session_id=${sessionId}` });

const stripeError = (type: string, message: string, code?: string) => ({ error: { type, message, code } });

describe('the success redirect when Stripe refuses', () => {
  // Real Stripe answers an id it will not parse with 400 invalid_request_error (the stand-in below); the emulator,
  // whose router caps a path parameter at 100 characters, answers a longer id 414. Both are the caller's input.
  it('answers 400 invalid-session-id for a long id the emulator refuses', async () => {
    for (const length of [101, 150, 253]) {
      const id = `cs_${'a'.repeat(length - 3)}`;
      const response = await redirect(viaEmulator, id);
      expect(response.statusCode, `${length} characters`).toBe(400);
      expect(response.json()).toEqual({ error: 'invalid-session-id', message: expect.any(String) });
    }
  });

  it.each([
    [
      400,
      stripeError('invalid_request_error', "Invalid checkout.session id: 'cs_x'"),
      400,
      'invalid-session-id',
    ],
    [414, { error: 'Bad Request' }, 400, 'invalid-session-id'],
    [
      404,
      stripeError('invalid_request_error', 'No such checkout.session', 'resource_missing'),
      404,
      'session-not-found',
    ],
    [429, stripeError('rate_limit_error', 'Too many requests', 'rate_limit'), 503, 'stripe-unavailable'],
    [500, stripeError('api_error', 'Something went wrong'), 503, 'stripe-unavailable'],
    [502, { error: 'Bad Gateway' }, 503, 'stripe-unavailable'],
    [401, stripeError('invalid_request_error', 'Invalid API Key provided'), 503, 'stripe-unavailable'],
  ])('maps Stripe %s to %s %s', async (status, body, expectedStatus, code) => {
    answer = { status, body };
    const response = await redirect(viaFake, 'cs_test_refused');
    expect(response.statusCode).toBe(expectedStatus);
    expect(response.json()).toEqual({ error: code, message: expect.any(String) });
    if (expectedStatus === 503) expect(response.headers['retry-after']).toBe('5');
    else expect(response.headers['retry-after']).toBeUndefined();
  });

  it('answers 503 stripe-unavailable with Retry-After when Stripe cannot be reached', async () => {
    const closed = await startIngestApp({ stripeApiBase: 'http://127.0.0.1:1' });
    try {
      const response = await redirect(closed, 'cs_test_unreachable');
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: 'stripe-unavailable' });
      expect(response.headers['retry-after']).toBe('5');
    } finally {
      await closed.stop();
    }
  });
});
