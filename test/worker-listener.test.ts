import { freePort } from '@fulfill/dev-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

const WORKER = 'apps/worker/src/worker.ts';
const processes: RunningProcess[] = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) p.signal('SIGKILL');
  await stack?.stop();
});

function worker(env: Record<string, string>): RunningProcess {
  const p = startProcess(WORKER, env);
  processes.push(p);
  return p;
}

/** The lines a process wrote, each of which must be one pino JSON object (a raw stack trace fails the parse). */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const started = (p: RunningProcess) =>
  waitFor(() => logLines(p.output()).find((l) => l.event === 'started'), {
    what: 'worker started',
    timeoutMs: 20_000,
  });

describe('the worker listener', () => {
  it('logs the port it bound when METRICS_PORT=0, and answers /healthz and /readyz there', async () => {
    const w = worker(await serviceEnv(stack, { METRICS_PORT: '0' }));
    const line = await started(w);
    expect(line.metricsPort).toEqual(expect.any(Number));
    expect(line.metricsPort).not.toBe(0);
    const base = `http://127.0.0.1:${String(line.metricsPort)}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'ready' });
    w.signal('SIGTERM');
    expect(await w.exited).toBe(0);
  });

  it('fails a second worker on a taken METRICS_PORT with one line naming METRICS_PORT', async () => {
    const port = String(await freePort());
    const first = worker(await serviceEnv(stack, { METRICS_PORT: port }));
    await started(first);
    const second = worker(await serviceEnv(stack, { METRICS_PORT: port }));
    expect(await second.exited).toBe(1);
    const lines = logLines(second.output());
    const failure = lines.find((l) => l.event === 'metrics-listen-failed');
    expect(String(failure?.msg)).toMatch(
      /^METRICS_PORT \d+ on 127\.0\.0\.1 is already in use \(EADDRINUSE\)/,
    );
    expect(second.output()).not.toMatch(/\n\s+at /);
    first.signal('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('with Redis unreachable: live but not ready, and a SIGTERM that times out says so', {
    timeout: 60_000,
  }, async () => {
    const w = worker(
      await serviceEnv(stack, {
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        SHUTDOWN_TIMEOUT_MS: '1500',
      }),
    );
    const line = await started(w);
    const base = `http://127.0.0.1:${String(line.metricsPort)}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'not-ready',
      reason: expect.stringMatching(/^redis /),
    });
    w.signal('SIGTERM');
    // Closing the BullMQ workers waits on Redis, so the shutdown runs into SHUTDOWN_TIMEOUT_MS.
    expect(await w.exited).toBe(1);
    const timeout = logLines(w.output()).find((l) => l.event === 'shutdown-timeout');
    expect(timeout).toMatchObject({ delayMs: 1500, msg: expect.stringContaining('timed out') });
  });
});
