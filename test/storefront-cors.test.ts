import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { type IngestApp, startIngestApp } from './support/ingest-app.ts';

const SHOP = 'https://shop.test';
const OTHER = 'https://elsewhere.test';

let ingest: IngestApp | undefined;
let closed: IngestApp | undefined;
beforeAll(async () => {
  [ingest, closed] = await Promise.all([
    startIngestApp({ settings: { corsOrigins: [SHOP], successRateLimit: { max: 2, windowMs: 60_000 } } }),
    startIngestApp(),
  ]);
});
afterAll(async () => {
  await Promise.all([ingest?.stop(), closed?.stop()]);
});

function get(app: IngestApp | undefined, url: string, origin = SHOP) {
  if (!app) throw new Error('the ingest did not start');
  return app.app.inject({ method: 'GET', url, headers: { origin } });
}

describe('CORS on the browser routes', () => {
  it("lets a listed origin read the success route's answers, and exposes Retry-After", async () => {
    if (!ingest) throw new Error('the ingest did not start');
    const { session } = await completedCheckout(ingest.emulator);
    const pending = await get(ingest, `/order/checkout-session-success?session_id=${session.id}`);
    expect([200, 202]).toContain(pending.statusCode);
    expect(pending.headers['access-control-allow-origin']).toBe(SHOP);
    expect(pending.headers['access-control-expose-headers']).toBe('Retry-After');
    expect(pending.headers.vary).toContain('Origin');

    const refused = await get(ingest, '/order/checkout-session-success?session_id=nope');
    expect(refused.json()).toMatchObject({ error: 'invalid-session-id' });
    expect(refused.headers['access-control-allow-origin']).toBe(SHOP);

    const limited = await get(ingest, '/order/checkout-session-success?session_id=nope');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate-limited' });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.headers['access-control-allow-origin']).toBe(SHOP);
    expect(limited.headers['access-control-expose-headers']).toBe('Retry-After');
  });

  it('lets a listed origin read an order, and a missing one', async () => {
    const missing = await get(ingest, '/order/ABCDEFGHJK');
    expect(missing.json()).toMatchObject({ error: 'order-not-found' });
    expect(missing.headers['access-control-allow-origin']).toBe(SHOP);
  });

  it('gives another origin nothing to read', async () => {
    const other = await get(ingest, '/order/ABCDEFGHJK', OTHER);
    expect(other.statusCode).toBe(404);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no origin when CORS_ORIGINS is empty', async () => {
    const response = await get(closed, '/order/ABCDEFGHJK');
    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS elsewhere', () => {
  it('is not answered on the webhook, health, metrics or admin routes, nor to a preflight', async () => {
    if (!ingest) throw new Error('the ingest did not start');
    const webhook = await ingest.app.inject({
      method: 'POST',
      url: '/order/stripe-webhook',
      headers: { origin: SHOP, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(webhook.json()).toMatchObject({ error: 'invalid-signature' });
    const others = await Promise.all(
      ['/healthz', '/metrics', '/admin/queues'].map((url) => get(ingest, url)),
    );
    const preflight = await ingest.app.inject({
      method: 'OPTIONS',
      url: '/order/ABCDEFGHJK',
      headers: { origin: SHOP, 'access-control-request-method': 'GET' },
    });
    expect(preflight.json()).toMatchObject({ error: 'not-found' });
    for (const response of [webhook, ...others, preflight]) {
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect(response.headers['access-control-expose-headers']).toBeUndefined();
    }
  });
});
