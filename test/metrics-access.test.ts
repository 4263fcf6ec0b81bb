import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics, createMetricsServer } from '@fulfill/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestApp, startIngestApp } from './support/ingest-app.ts';

const TOKEN = 'metrics-token-for-tests-0123456789';
let withToken: IngestApp;
let separate: IngestApp;
let listener: Server;
let listenerUrl: string;
beforeAll(async () => {
  withToken = await startIngestApp({ settings: { metrics: { token: TOKEN } } });
  const metrics = createMetrics({ role: 'ingest' });
  separate = await startIngestApp({
    metrics,
    settings: { metrics: { token: TOKEN, separateListener: true } },
  });
  listener = createMetricsServer({ registry: metrics.registry, token: TOKEN });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});
afterAll(async () => {
  listener?.close();
  await withToken?.stop();
  await separate?.stop();
});

describe('/metrics access', () => {
  it('asks for the bearer token on the ingest port when METRICS_TOKEN is set', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${TOKEN}`, TOKEN]) {
      const response = await withToken.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
      expect(response.body).not.toContain('fulfill_');
    }
    const allowed = await withToken.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toMatch(/^# TYPE fulfill_webhooks_total counter$/m);
  });

  it('answers 404 not-found for /metrics on the ingest port when the metrics have their own listener', async () => {
    const response = await separate.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not-found', message: expect.any(String) });
  });

  it('serves the metrics on their own listener, behind the same token', async () => {
    const refused = await fetch(`${listenerUrl}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized' });
    const allowed = await fetch(`${listenerUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/^# TYPE fulfill_webhooks_total counter$/m);
    const other = await fetch(`${listenerUrl}/order/checkout-session-success`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: 'not-found' });
  });
});
