import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  GAVE_UP_MESSAGE,
  NOT_FOUND_MESSAGE,
  OrderWaitError,
  type PendingInfo,
  parseRetryAfter,
  waitForOrder,
} from './index.ts';

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
const pending = json(202, { order_identifier: 'AB12CD34EF', status: 'pending' });
const paid = json(200, { order_identifier: 'AB12CD34EF', status: 'paid' });
const dropConnection: Answer = (request) => request.socket.destroy();

/** A success route answering from a script, one answer per request, recording when each arrived. */
async function scriptedServer(answers: Answer[], last: Answer = paid) {
  const arrivals: number[] = [];
  const urls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((request, response) => {
    arrivals.push(Date.now());
    urls.push(request.url ?? '');
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.once('close', () => inFlight--);
    (answers.shift() ?? last)(request, response);
  });
  server.keepAliveTimeout = 1;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    arrivals,
    urls,
    maxInFlight: () => maxInFlight,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

let server: Awaited<ReturnType<typeof scriptedServer>> | undefined;
afterEach(() => {
  vi.useRealTimers();
  server?.close();
  server = undefined;
});

/** Advances fake time in small steps until `promise` settles, letting real sockets answer in between. */
async function settle<T>(promise: Promise<T>, limitMs = 600_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => {});
  for (let spent = 0; !settled && spent < limitMs; spent += 250) {
    await vi.advanceTimersByTimeAsync(250);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return watched;
}

describe('backoffDelay', () => {
  it('doubles from 1 s to at most 10 s, with jitter down to half', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, 0, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect([1, 2, 5].map((n) => backoffDelay(n, 0, () => 0))).toEqual([500, 1000, 5000]);
  });

  it('never asks sooner than Retry-After', () => {
    expect(backoffDelay(1, 7000, () => 1)).toBe(7000);
    expect(backoffDelay(5, 2000, () => 1)).toBe(10_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBe(0);
  });
});

describe('waitForOrder', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  it('resolves with the order when it exists at once, after one request', async () => {
    server = await scriptedServer([]);
    const order = await settle(waitForOrder({ baseUrl: server.baseUrl, sessionId: 'cs_test_a1' }));
    expect(order).toEqual({ orderIdentifier: 'AB12CD34EF', status: 'paid' });
    expect(server.urls).toEqual(['/order/checkout-session-success?session_id=cs_test_a1']);
  });

  it("names a Connect platform's account when given one", async () => {
    server = await scriptedServer([]);
    await settle(waitForOrder({ baseUrl: server.baseUrl, sessionId: 'cs_test_a1', account: 'acct_1Shop' }));
    expect(server.urls).toEqual(['/order/checkout-session-success?session_id=cs_test_a1&account=acct_1Shop']);
  });

  it('polls on 202 with a growing backoff, one request at a time, and tells onPending', async () => {
    const slowPending: Answer = (request, response) => {
      setTimeout(() => pending(request, response), 3000); // the ingest waits SUCCESS_WAIT_MS before a 202
    };
    server = await scriptedServer([slowPending, slowPending, slowPending, slowPending]);
    const seen: PendingInfo[] = [];
    const order = await settle(
      waitForOrder({
        baseUrl: server.baseUrl,
        sessionId: 'cs_test_b2',
        onPending: (info) => seen.push(info),
      }),
    );
    expect(order.status).toBe('paid');
    expect(server.arrivals).toHaveLength(5);
    expect(server.maxInFlight()).toBe(1);
    expect(seen.map((info) => [info.reason, info.attempt, info.orderIdentifier])).toEqual([
      ['pending', 1, 'AB12CD34EF'],
      ['pending', 2, 'AB12CD34EF'],
      ['pending', 3, 'AB12CD34EF'],
      ['pending', 4, 'AB12CD34EF'],
    ]);
    // Each gap is the 3 s the answer took plus at least half the backoff step: 0.5, 1, 2, 4 s.
    const gaps = server.arrivals.slice(1).map((at, i) => at - (server?.arrivals[i] ?? 0));
    [500, 1000, 2000, 4000].forEach((minimum, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(3000 + minimum);
    });
  });

  it('honours 429 and 503 with Retry-After, and retries a dropped connection', async () => {
    server = await scriptedServer([
      json(429, { error: 'rate-limited' }, { 'retry-after': '7' }),
      json(503, { error: 'queue-unavailable' }, { 'retry-after': '5' }),
      dropConnection,
    ]);
    const reasons: string[] = [];
    const order = await settle(
      waitForOrder({
        baseUrl: server.baseUrl,
        sessionId: 'cs_test_c3',
        onPending: (info) => reasons.push(info.reason),
      }),
    );
    expect(order.orderIdentifier).toBe('AB12CD34EF');
    expect(reasons).toEqual(['rate-limited', 'unavailable', 'offline']);
    const [first = 0, second = 0, third = 0] = server.arrivals;
    expect(second - first).toBeGreaterThanOrEqual(7000);
    expect(third - second).toBeGreaterThanOrEqual(5000);
  });

  it('gives up after the bound with the message for the customer', async () => {
    server = await scriptedServer([], json(502, {}));
    const started = Date.now();
    const wait = waitForOrder({ baseUrl: server.baseUrl, sessionId: 'cs_test_d4', giveUpAfterMs: 30_000 });
    const error = await settle(wait).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrderWaitError);
    expect(error).toMatchObject({ code: 'gave-up', message: GAVE_UP_MESSAGE });
    // No request after the bound, and the rejection within one of settle()'s 250 ms steps of it.
    expect((server.arrivals.at(-1) ?? 0) - started).toBeLessThan(30_000);
    expect(Date.now() - started).toBeLessThanOrEqual(30_250);
    expect(server.arrivals.length).toBeGreaterThan(3);
    expect(server.arrivals.length).toBeLessThan(10);
  });

  it('gives up after 2 minutes by default', async () => {
    server = await scriptedServer([], dropConnection);
    const started = Date.now();
    const error = await settle(waitForOrder({ baseUrl: server.baseUrl, sessionId: 'cs_test_e5' })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'gave-up' });
    expect(Date.now() - started).toBeGreaterThan(100_000);
    expect(Date.now() - started).toBeLessThanOrEqual(120_250);
  });

  it('stops at once on a session the ingest refuses', async () => {
    server = await scriptedServer([json(404, { error: 'session-not-found', message: 'no' })]);
    const error = await settle(waitForOrder({ baseUrl: server.baseUrl, sessionId: 'cs_test_f6' })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'session-not-found', message: NOT_FOUND_MESSAGE });
    expect(server.arrivals).toHaveLength(1);
  });

  it('stops at once when aborted while waiting, and asks no more', async () => {
    server = await scriptedServer([], pending);
    const controller = new AbortController();
    const wait = waitForOrder({
      baseUrl: server.baseUrl,
      sessionId: 'cs_test_g7',
      signal: controller.signal,
      onPending: () => controller.abort(),
    });
    const error = await settle(wait).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.arrivals).toHaveLength(1);
  });

  it('cancels the request in flight when aborted', async () => {
    let cancelled = false;
    const hang: Answer = (request) => {
      request.once('close', () => {
        cancelled = true;
      });
    };
    server = await scriptedServer([hang]);
    const controller = new AbortController();
    const wait = waitForOrder({
      baseUrl: server.baseUrl,
      sessionId: 'cs_test_h8',
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(server?.arrivals).toHaveLength(1), { timeout: 5000 });
    controller.abort();
    await expect(wait).rejects.toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(cancelled).toBe(true), { timeout: 5000 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.arrivals).toHaveLength(1);
  });

  it('makes no request when the signal is already aborted', async () => {
    server = await scriptedServer([]);
    const signal = AbortSignal.abort();
    await expect(waitForOrder({ baseUrl: server.baseUrl, sessionId: 'cs_test_i9', signal })).rejects.toBe(
      signal.reason,
    );
    expect(server.arrivals).toHaveLength(0);
  });
});
