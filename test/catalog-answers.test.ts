import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { HTTP_ERRORS } from '@fulfill/ingest';
import { afterAll, describe, expect, it } from 'vitest';
import { type IngestApp, startIngestApp } from './support/ingest-app.ts';
import { waitFor } from './support/wait-for.ts';

const apps: IngestApp[] = [];
const servers: Server[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
  for (const server of servers) server.close();
});

/** Splits what a socket received into HTTP/1.1 responses: status, lower-cased headers, body. */
function responsesIn(raw: string) {
  const responses: Array<{ status: number; headers: Record<string, string>; body: string }> = [];
  let rest = raw;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return responses;
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const length = Number(headers['content-length'] ?? 0);
    const body = rest.slice(end + 4, end + 4 + length);
    if (Buffer.byteLength(body) < length) return responses;
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body });
    rest = rest.slice(end + 4 + length);
  }
}

describe('every answer comes from the catalog', () => {
  it('answers a request that arrives while the ingest closes with 503 shutting-down', async () => {
    // A Stripe stand-in that holds the session retrieve until the test lets it go, to keep a request in flight.
    const held: ServerResponse[] = [];
    const stripe = createServer((_request, response) => held.push(response));
    servers.push(stripe);
    await new Promise<void>((resolve) => stripe.listen(0, '127.0.0.1', resolve));
    const ingest = await startIngestApp({
      stripeApiBase: `http://127.0.0.1:${(stripe.address() as AddressInfo).port}`,
    });
    apps.push(ingest);
    await ingest.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ingest.app.server.address() as AddressInfo;

    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
    });
    const request = (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    request('/order/checkout-session-success?session_id=cs_test_in_flight');
    await waitFor(() => held.length === 1, { what: 'the retrieve to reach Stripe' });

    const closed = ingest.app.close();
    // The same connection, busy with the first request, carries a second one after the close began.
    request('/order/ABCDEFGHIJ');
    const answer = held[0] as ServerResponse;
    answer.writeHead(500, { 'content-type': 'application/json' });
    answer.end(JSON.stringify({ error: { type: 'api_error', message: 'Something went wrong' } }));

    await waitFor(() => responsesIn(received).length === 2, { what: 'both answers' });
    await closed;
    const [first, second] = responsesIn(received);
    expect(first?.status).toBe(503);
    expect(JSON.parse(first?.body ?? '')).toMatchObject({ error: 'stripe-unavailable' });
    expect(second?.status).toBe(503);
    expect(JSON.parse(second?.body ?? '')).toEqual({
      error: 'shutting-down',
      message: HTTP_ERRORS['shutting-down'].message,
    });
    expect(second?.headers['retry-after']).toBe('5');
    expect(second?.headers.connection).toBe('close');
    socket.destroy();
  });

  it('answers past the success redirect rate limit with the catalog rate-limited and Retry-After', async () => {
    const ingest = await startIngestApp({ settings: { successRateLimit: { max: 1, windowMs: 60_000 } } });
    apps.push(ingest);
    const redirect = () =>
      ingest.app.inject({ method: 'GET', url: '/order/checkout-session-success?session_id=cs_test_x1' });
    expect((await redirect()).statusCode).toBe(404);
    const limited = await redirect();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: 'rate-limited', message: HTTP_ERRORS['rate-limited'].message });
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['x-ratelimit-limit']).toBe('1');
  });
});
