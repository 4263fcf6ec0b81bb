import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder } from './support/observe.ts';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { ORDER_ID_SECRET, type Stack, startStack, WEBHOOK_SECRET } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

const RECORD_MODULES = fileURLToPath(new URL('./support/record-modules.ts', import.meta.url));
// What tracing loads, and a process that does not trace must not.
const TRACING_MODULES =
  /\/node_modules\/(?:@opentelemetry\/(?:sdk-|instrumentation|exporter-|context-)|(?:import|require)-in-the-middle\/|bullmq-otel\/|@fastify\/otel\/)/;

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
  service: string;
}

/** A stand-in OTLP/HTTP collector: takes JSON exports, answers 200, keeps the spans. */
async function startCollector() {
  const spans: OtlpSpan[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const exported = JSON.parse(body || '{}') as {
        resourceSpans?: {
          resource: { attributes: OtlpSpan['attributes'] };
          scopeSpans: { spans: Omit<OtlpSpan, 'service'>[] }[];
        }[];
      };
      for (const resource of exported.resourceSpans ?? []) {
        const service =
          resource.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of resource.scopeSpans)
          for (const span of scope.spans) spans.push({ ...span, service });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { spans, url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

const attributeOf = (span: OtlpSpan, key: string) =>
  span.attributes.find((a) => a.key === key)?.value.stringValue;

let stack: Stack;
let collector: Awaited<ReturnType<typeof startCollector>>;
const running: RunningProcess[] = [];
beforeAll(async () => {
  stack = await startStack({ workers: false });
  collector = await startCollector();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.signal('SIGKILL');
  collector?.close();
  await stack?.stop();
});

/**
 * Starts the ingest and a worker as the container does (`node scripts/role.ts <role>`), each with `extra` and
 * its own variables, and waits for both.
 */
async function startRoles(
  extra: Record<string, string>,
  own: { ingest?: Record<string, string>; worker?: Record<string, string> } = {},
) {
  const ingestEnv = await serviceEnv(stack, { ...extra, ...own.ingest });
  const ingest = startProcess('scripts/role.ts', ingestEnv, ['ingest']);
  const worker = startProcess('scripts/role.ts', await serviceEnv(stack, { ...extra, ...own.worker }), [
    'worker',
  ]);
  running.push(ingest, worker);
  const ingestUrl = `http://127.0.0.1:${ingestEnv.PORT}`;
  await waitFor(async () => (await fetch(`${ingestUrl}/healthz`).catch(() => null))?.ok === true, {
    what: 'the ingest process',
    timeoutMs: 30_000,
  });
  await waitFor(() => worker.output().includes('worker started'), {
    what: 'the worker process',
    timeoutMs: 30_000,
  });
  return { ingest, worker, ingestUrl };
}

/** Delivers a completed checkout's event to the ingest process only; returns its order identifier. */
async function deliverCheckout(ingestUrl: string) {
  const { session, event } = await completedCheckout(stack.emulator);
  const payload = JSON.stringify(event);
  const response = await fetch(`${ingestUrl}/order/stripe-webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stack.emulator.signPayload(payload, WEBHOOK_SECRET),
    },
    body: payload,
  });
  expect(response.status).toBe(200);
  const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
  await waitFor(() => mailsOfOrder(stack, identifier).length > 0, { what: 'the confirmation email' });
  return identifier;
}

async function stop(processes: RunningProcess[]) {
  for (const p of processes) p.signal('SIGTERM');
  await Promise.all(processes.map((p) => p.finished));
}

const logLines = (p: RunningProcess) =>
  p
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('tracing in the ingest and worker processes', () => {
  it('is off by default: no SDK module is loaded and no log line has a trace id', async () => {
    const files = {
      ingest: join(tmpdir(), `modules-ingest-${process.pid}.json`),
      worker: join(tmpdir(), `modules-worker-${process.pid}.json`),
    };
    const { ingest, worker, ingestUrl } = await startRoles(
      { NODE_OPTIONS: `--import=${RECORD_MODULES}` },
      { ingest: { RECORD_MODULES_FILE: files.ingest }, worker: { RECORD_MODULES_FILE: files.worker } },
    );
    await deliverCheckout(ingestUrl);
    await stop([ingest, worker]);
    for (const file of Object.values(files)) {
      const modules = JSON.parse(readFileSync(file, 'utf8')) as string[];
      // The record is real: the process's own modules are in it.
      expect(modules.some((url) => url.includes('/pg/'))).toBe(true);
      expect(modules.filter((url) => TRACING_MODULES.test(url))).toEqual([]);
    }
    const lines = [...logLines(ingest), ...logLines(worker)];
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).not.toHaveProperty('trace_id');
  });

  it('when on, exports one trace per checkout from the ingest through both jobs to the SMTP send', async () => {
    const { ingest, worker, ingestUrl } = await startRoles({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const identifier = await deliverCheckout(ingestUrl);
    // A graceful stop flushes what is not exported yet.
    await stop([ingest, worker]);

    const send = collector.spans.find(
      (s) => s.name === 'fulfill.smtp_send' && attributeOf(s, 'fulfill.order_identifier') === identifier,
    );
    expect(send, 'the SMTP send span').toBeDefined();
    const trace = collector.spans.filter((s) => s.traceId === send?.traceId);
    const names = trace.map((s) => s.name);
    for (const name of [
      'request',
      'fulfill.enqueue',
      'process fulfillment',
      'fulfill.order_write',
      'process email',
    ])
      expect(names).toContain(name);
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['fulfill-ingest', 'fulfill-worker']));
    // The preload hooked pg and ioredis before the application imported them, in both processes.
    const systems = (service: string) =>
      new Set(trace.filter((s) => s.service === service).map((s) => attributeOf(s, 'db.system.name')));
    expect(systems('fulfill-ingest')).toContain('redis');
    expect(systems('fulfill-worker')).toContain('redis');
    expect(systems('fulfill-worker')).toContain('postgresql');
    // The lines of the job that created the order and of the one that sent its email carry its trace. A later
    // fulfillment job for the same checkout, such as one the worker's reconcile run at start enqueues, runs in
    // that run's trace, and finds the order unchanged.
    const lines = logLines(worker).filter(
      (line) =>
        line.orderIdentifier === identifier &&
        ((line.msg === 'fulfillment' && line.outcome === 'created') ||
          (line.msg === 'email' && line.outcome === 'sent')),
    );
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.trace_id).toBe(send?.traceId);
  });
});
