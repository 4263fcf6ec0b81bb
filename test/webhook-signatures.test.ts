import { buildApp } from '@fulfill/ingest';
import { createLogger, createMetrics } from '@fulfill/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { jobCount } from './support/observe.ts';
import { type Stack, startStack, testIngestSettings, WEBHOOK_SECRET } from './support/stack.ts';
import { postSignedWebhook } from './support/webhook.ts';

const SECOND_SECRET = 'whsec_test_second_9876543210';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ workers: false, settings: { webhookSecrets: [WEBHOOK_SECRET, SECOND_SECRET] } });
});
afterAll(async () => {
  await stack?.stop();
});

async function completedEventPayload() {
  const { event } = await completedCheckout(stack.emulator);
  return { event, payload: JSON.stringify(event) };
}

function post(payload: string, signature?: string) {
  return stack.app.inject({
    method: 'POST',
    url: '/order/stripe-webhook',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    payload,
  });
}

describe('webhook signature verification', () => {
  it('accepts a valid signature and enqueues one job', async () => {
    const before = await jobCount(stack, 'fulfillment');
    const { payload } = await completedEventPayload();
    const response = await post(payload, stack.emulator.signPayload(payload, WEBHOOK_SECRET));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      received: true,
      order_identifier: expect.stringMatching(/^[0-9A-Za-z]{10}$/),
    });
    expect(await jobCount(stack, 'fulfillment')).toBe(before + 1);
  });

  it('accepts a signature under the second of two configured secrets', async () => {
    const { payload } = await completedEventPayload();
    const response = await post(payload, stack.emulator.signPayload(payload, SECOND_SECRET));
    expect(response.statusCode).toBe(200);
  });

  it('accepts a header carrying several v1 signatures, one of them valid', async () => {
    const { event } = await completedCheckout(stack.emulator);
    const payload = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    const header = [
      stack.emulator.signPayload(payload, 'whsec_unknown_to_us_1', timestamp),
      stack.emulator.signPayload(payload, WEBHOOK_SECRET, timestamp),
    ]
      .map((h, i) => (i === 0 ? h : h.replace(/^t=\d+,/, '')))
      .join(',');
    expect(header.match(/v1=/g)).toHaveLength(2);
    const response = await post(payload, header);
    expect(response.statusCode).toBe(200);
  });

  it('delivers through the emulator with several v1 signatures during a roll', async () => {
    const { event } = await completedCheckout(stack.emulator);
    const [delivery] = await stack.emulator.deliverEvent(event.id, {
      url: `${stack.ingestUrl}/order/stripe-webhook`,
      signatureSecrets: ['whsec_rolled_out_old', SECOND_SECRET],
    });
    expect(delivery?.status).toBe(200);
  });

  const rejected: Array<[string, (payload: string) => [string, string | undefined]]> = [
    ['a wrong secret', (p) => [p, stack.emulator.signPayload(p, 'whsec_wrong_secret_000')]],
    ['a tampered body', (p) => [p.replace('"usd"', '"eur"'), stack.emulator.signPayload(p, WEBHOOK_SECRET)]],
    [
      'a timestamp older than the 300 s tolerance',
      (p) => [p, stack.emulator.signPayload(p, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301)],
    ],
    ['a missing header', (p) => [p, undefined]],
    ['a garbage header', (p) => [p, 'not-a-signature']],
  ];
  for (const [what, make] of rejected) {
    it(`rejects ${what} with 400 invalid-signature and enqueues nothing`, async () => {
      const { payload } = await completedEventPayload();
      const [body, header] = make(payload);
      expect(body.length).toBeGreaterThan(0);
      const before = await jobCount(stack, 'fulfillment');
      const response = await post(body, header);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'invalid-signature' });
      expect(await jobCount(stack, 'fulfillment')).toBe(before);
    });
  }

  it('rejects a validly signed event that is not a Checkout Session with 400 invalid-event', async () => {
    const payload = JSON.stringify({
      id: 'evt_bad',
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      data: { object: { object: 'customer', id: 'cus_1' } },
    });
    const response = await post(payload, stack.emulator.signPayload(payload, WEBHOOK_SECRET));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid-event' });
  });

  it('answers a non-JSON body with 400, never 5xx', async () => {
    const response = await stack.app.inject({
      method: 'POST',
      url: '/order/stripe-webhook',
      headers: { 'content-type': 'text/plain', 'stripe-signature': 't=1,v1=abc' },
      payload: 'hello',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid-signature' });
  });

  it('counts signature failures in the metrics', async () => {
    const failures = async () => {
      const text = await stack.metrics.registry.metrics();
      return Number(/^fulfill_webhook_signature_failures_total (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await failures();
    for (const [, make] of rejected) {
      const { payload } = await completedEventPayload();
      expect((await post(...make(payload))).statusCode).toBe(400);
    }
    expect(await failures()).toBe(before + rejected.length);
  });
});

describe('without a webhook secret', () => {
  it('answers 500 webhook-not-configured, logging why once at start', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const app = await buildApp({
      settings: testIngestSettings({ STRIPE_WEBHOOK_SECRET: '' }),
      logger,
      db: stack.db,
      stripe: {
        parseEventNotification: () => {
          throw new Error('unreachable');
        },
        checkout: {
          sessions: {
            retrieve: () => Promise.reject(new Error('unreachable')),
            list: () => Promise.reject(new Error('unreachable')),
          },
        },
      },
      queues: stack.queues,
      pingRedis: async () => 'PONG',
      metrics: createMetrics(),
    });
    const { payload } = await completedEventPayload();
    const response = await postSignedWebhook(stack, payload, { app });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ error: 'webhook-not-configured' });
    expect(lines.filter((l) => l.includes('webhook-not-configured'))).toHaveLength(1);
    await app.close();
  });
});
