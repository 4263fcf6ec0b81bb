import { createDb } from '@fulfill/db';
import { freePort } from '@fulfill/dev-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { type IngestApp, startIngestApp } from './support/ingest-app.ts';

// The ingest's database points at a loopback port nothing listens on: every query fails as it does while
// Postgres is down or restarting.
let ingest: IngestApp;
let closedDb: ReturnType<typeof createDb>;
beforeAll(async () => {
  closedDb = createDb(`postgres://postgres@127.0.0.1:${await freePort()}/fulfill_down`);
  ingest = await startIngestApp({ db: closedDb });
});
afterAll(async () => {
  await ingest?.stop();
  await closedDb?.destroy();
});

describe('the ingest while Postgres is down', () => {
  it('answers the success redirect 503 database-unavailable with Retry-After, after enqueueing the job', async () => {
    const { session } = await completedCheckout(ingest.emulator);
    const response = await ingest.app.inject({
      method: 'GET',
      url: `/order/checkout-session-success?session_id=${session.id}`,
    });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'database-unavailable', message: expect.any(String) });
    expect(response.headers['retry-after']).toBe('5');
    // The job is in Redis, so the order is made once Postgres is back.
    expect(await ingest.queues.fulfillment.getJobState(session.payment_intent as string)).toBe('waiting');
  });

  it('answers GET /order/:identifier 503 database-unavailable with Retry-After', async () => {
    const response = await ingest.app.inject({ method: 'GET', url: '/order/AB12CD34EF' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'database-unavailable', message: expect.any(String) });
    expect(response.headers['retry-after']).toBe('5');
  });
});
