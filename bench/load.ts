/**
 * The bench's load generators, over undici: a closed loop (each connection sends its next request as soon as
 * the last is answered) and an open loop (requests leave on a fixed schedule whatever the answers, and each
 * latency is measured from its scheduled time, so a stall shows instead of slowing the sender down).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';

/** One prepared request: the body and headers are made before any clock starts. */
export interface Prepared {
  body: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Requests answered 2xx. */
  ok: number;
  /** Requests answered otherwise, or not at all, by status (0: a network error). */
  failed: Map<number, number>;
  /** Wall time of the whole run, ms. */
  ms: number;
  /** Latencies in ms, sorted. */
  latencies: Float64Array;
  /** Indexes of the requests answered 2xx. */
  acked: Uint8Array;
  /** When each request's answer arrived, ms on the `performance.now()` clock (0: not answered). */
  answeredAt: Float64Array;
}

function finish(
  started: number,
  latencies: Float64Array,
  acked: Uint8Array,
  answeredAt: Float64Array,
  failed: Map<number, number>,
): LoadResult {
  const ms = performance.now() - started;
  let ok = 0;
  for (const a of acked) ok += a;
  return { ok, failed, ms, latencies: latencies.slice().sort(), acked, answeredAt };
}

async function send(pool: Pool, path: string, request: Prepared): Promise<number> {
  try {
    const response = await pool.request({
      method: 'POST',
      path,
      headers: request.headers,
      body: request.body,
    });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return 0;
  }
}

/** Sends every request once over `connections` connections, each connection one request at a time. */
export async function closedLoop(
  url: string,
  path: string,
  requests: Prepared[],
  connections: number,
): Promise<LoadResult> {
  const pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies = new Float64Array(requests.length);
  const acked = new Uint8Array(requests.length);
  const answeredAt = new Float64Array(requests.length);
  const failed = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = next++; i < requests.length; i = next++) {
        const sent = performance.now();
        const status = await send(pool, path, requests[i] as Prepared);
        const now = performance.now();
        latencies[i] = now - sent;
        answeredAt[i] = now;
        if (status >= 200 && status < 300) acked[i] = 1;
        else failed.set(status, (failed.get(status) ?? 0) + 1);
      }
    }),
  );
  const result = finish(started, latencies, acked, answeredAt, failed);
  await pool.close();
  return result;
}

/**
 * Sends request i at `start + i / ratePerSecond`, over up to `connections` connections, and measures its
 * latency from that scheduled time. Returns each request's scheduled time (ms, `performance.now()` clock) too.
 */
export async function openLoop(
  url: string,
  path: string,
  requests: Prepared[],
  ratePerSecond: number,
  connections: number,
): Promise<LoadResult & { scheduledAt: Float64Array; startedAt: number; loopDelayP99Ms: number }> {
  const pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  // The generator's own lateness: a request it sends late is measured from its schedule, so this is the part
  // of the latency that is the bench's, not the ingest's.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const latencies = new Float64Array(requests.length);
  const acked = new Uint8Array(requests.length);
  const answeredAt = new Float64Array(requests.length);
  const scheduledAt = new Float64Array(requests.length);
  const failed = new Map<number, number>();
  const interval = 1000 / ratePerSecond;
  const started = performance.now() + 20;
  const inFlight: Promise<void>[] = [];
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Everything whose time has come leaves now: a late tick catches up instead of shifting the schedule.
      while (i < requests.length && started + i * interval <= now) {
        const index = i++;
        const at = started + index * interval;
        scheduledAt[index] = at;
        inFlight.push(
          send(pool, path, requests[index] as Prepared).then((status) => {
            const answered = performance.now();
            latencies[index] = answered - at;
            answeredAt[index] = answered;
            if (status >= 200 && status < 300) acked[index] = 1;
            else failed.set(status, (failed.get(status) ?? 0) + 1);
          }),
        );
      }
      if (i >= requests.length) return resolve();
      setTimeout(tick, Math.max(0, started + i * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
  await Promise.all(inFlight);
  loopDelay.disable();
  const result = finish(started, latencies, acked, answeredAt, failed);
  await pool.close();
  return { ...result, scheduledAt, startedAt: started, loopDelayP99Ms: loopDelay.percentile(99) / 1e6 };
}

/** The p-th percentile (0–100) of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}
