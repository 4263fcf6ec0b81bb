import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestApp, startIngestApp } from './support/ingest-app.ts';

// Two calls per client and window; a third is 429. The session id is malformed, so no call reaches Stripe.
let ingest: IngestApp;
beforeAll(async () => {
  ingest = await startIngestApp({
    settings: { trustProxy: ['10.0.0.0/8', 'loopback'], successRateLimit: { max: 2, windowMs: 60_000 } },
  });
});
afterAll(async () => {
  await ingest?.stop();
});

const redirect = (remoteAddress: string, forwardedFor?: string) =>
  ingest.app.inject({
    method: 'GET',
    url: '/order/checkout-session-success?session_id=pi_not_a_session',
    remoteAddress,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });

describe('TRUST_PROXY as a list of proxies', () => {
  it('limits a client behind a trusted proxy by its own address, whatever X-Forwarded-For it writes', async () => {
    // The client writes a new address each time; the trusted proxy appends the one it saw.
    const statuses = [];
    for (const spoofed of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']) {
      statuses.push((await redirect('10.1.2.3', `${spoofed}, 203.0.113.9`)).statusCode);
    }
    expect(statuses).toEqual([400, 400, 429, 429]);
  });

  it('ignores X-Forwarded-For from a hop it does not trust', async () => {
    const statuses = [];
    for (const spoofed of ['192.0.2.5', '192.0.2.6', '192.0.2.7']) {
      statuses.push((await redirect('198.51.100.7', spoofed)).statusCode);
    }
    expect(statuses).toEqual([400, 400, 429]);
  });

  it('keeps clients behind the same proxy apart', async () => {
    for (const client of ['203.0.113.20', '203.0.113.21', '203.0.113.22']) {
      expect((await redirect('10.1.2.3', client)).statusCode, client).toBe(400);
    }
  });
});
