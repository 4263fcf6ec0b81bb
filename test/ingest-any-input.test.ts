import { connect } from 'node:net';
import { HTTP_ERRORS } from '@fulfill/ingest';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestApp, startIngestApp } from './support/ingest-app.ts';

let ingest: IngestApp;
beforeAll(async () => {
  ingest = await startIngestApp({ settings: { successWaitMs: 0 } });
});
afterAll(async () => {
  await ingest?.stop();
});

const CODES = Object.keys(HTTP_ERRORS);
const long = (n: number) => 'x'.repeat(n);

const URLS = [
  '/',
  '/order',
  '/order/',
  '/order/%E0%A4%A',
  '/order/%',
  '/order/%zz',
  '/order/%00',
  `/order/${long(101)}`,
  `/order/${long(10_000)}`,
  '/order/AB12CD34EF/extra',
  '/order/..%2F..%2Fetc%2Fpasswd',
  '/order/%F0%9F%98%80',
  '/order/checkout-session-success',
  '/order/checkout-session-success?session_id=%E0%A4%A',
  '/order/checkout-session-success?session_id=cs_%00',
  '/order/checkout-session-success?session_id=cs_a&session_id=cs_b',
  '/order/checkout-session-success?session_id[]=cs_a',
  `/order/checkout-session-success?session_id=cs_${long(5000)}`,
  '/order/stripe-webhook',
  '/order/stripe-webhook/%E0%A4%A',
  '/healthz/%E0%A4%A',
  '/metrics?%',
  '/admin/queues',
  '/admin/queues/%E0%A4%A',
  '//order//',
  '/%2e%2e/',
  `/${long(9000)}`,
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

const BODIES: Array<Pick<InjectOptions, 'headers' | 'payload'>> = [
  { headers: { 'content-type': 'application/json' }, payload: '{' },
  { headers: { 'content-type': 'application/json' }, payload: '' },
  { headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1}}' },
  { headers: { 'content-type': 'application/json' }, payload: long(2_000_000) },
  { headers: { 'content-type': 'text/plain' }, payload: 'hello' },
  { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=%E0%A4%A' },
  { headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--' },
  { headers: { 'content-type': 'application/json; charset=utf-16' }, payload: '{}' },
  { headers: { 'content-type': '' }, payload: '{}' },
  { headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' }, payload: '{}' },
  { headers: { 'stripe-signature': long(20_000) }, payload: '{}' },
  { headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' }, payload: 'not gzip' },
];

function expectCatalogAnswer(
  what: string,
  response: { statusCode: number; body: string; headers: Record<string, unknown> },
) {
  expect(response.statusCode, what).toBeLessThan(500);
  if (response.statusCode < 400) return;
  const body = JSON.parse(response.body) as { error: string; message: string };
  expect(Object.keys(body).sort(), what).toEqual(['error', 'message']);
  expect(CODES, what).toContain(body.error);
  expect(response.statusCode, what).toBe(HTTP_ERRORS[body.error as keyof typeof HTTP_ERRORS].status);
}

describe('the ingest under any input', () => {
  it('answers every odd URL and method from the catalog, never with a 5xx', async () => {
    for (const url of URLS) {
      for (const method of METHODS) {
        const response = await ingest.app.inject({ method, url });
        if (method === 'HEAD') {
          expect(response.statusCode, `${method} ${url}`).toBeLessThan(500);
          continue;
        }
        expectCatalogAnswer(`${method} ${url.slice(0, 80)}`, response);
      }
    }
  });

  it('answers odd bodies and headers on every route from the catalog', async () => {
    for (const url of [
      '/order/stripe-webhook',
      '/order/checkout-session-success?session_id=cs_x',
      '/order/x',
      '/',
    ]) {
      for (const method of ['POST', 'PUT'] as const) {
        for (const body of BODIES) {
          const response = await ingest.app.inject({ method, url, ...body });
          expectCatalogAnswer(`${method} ${url} ${JSON.stringify(body.headers)}`, response);
        }
      }
    }
  });

  it('answers a long /order/:id and bad percent-encoding with a catalog code, not Fastify’s', async () => {
    const tooLong = await ingest.app.inject({ method: 'GET', url: `/order/${long(500)}` });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toEqual({
      error: 'invalid-request',
      message: HTTP_ERRORS['invalid-request'].message,
    });
    const badEncoding = await ingest.app.inject({ method: 'GET', url: '/order/%E0%A4%A' });
    expect(badEncoding.statusCode).toBe(400);
    expect(badEncoding.json()).toEqual({
      error: 'invalid-request',
      message: HTTP_ERRORS['invalid-request'].message,
    });
  });

  it('answers unparsable HTTP on the socket with a catalog body', async () => {
    await ingest.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ingest.app.server.address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GARBAGE / HTTP/1.1\r\n\r\n'));
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'invalid-request',
      message: HTTP_ERRORS['invalid-request'].message,
    });
  });
});
