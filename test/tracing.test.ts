import { SPAN_ATTRIBUTES, startTracing } from '@fulfill/telemetry';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './support/stack.ts';

// One process plays the ingest and the worker, its spans kept in memory. Tracing starts before pg and ioredis
// are imported, as the preload starts it in a deployed process: the modules below are imported after it.
const exporter = new InMemorySpanExporter();
const tracing = await startTracing({
  serviceName: 'fulfill-test',
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const { ORDER_ID_SECRET, STRIPE_KEY, startStack, WEBHOOK_SECRET } = await import('./support/stack.ts');
const { completedCheckout } = await import('./support/checkout.ts');
const { mailsOfOrder } = await import('./support/observe.ts');
const { waitFor } = await import('./support/wait-for.ts');
const { orderIdentifierFor } = await import('@fulfill/orders');

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ tracing, settings: { successWaitMs: 3000 } });
});
afterAll(async () => {
  await stack?.stop();
  await tracing.shutdown();
});

const attribute = (span: ReadableSpan, name: string) => span.attributes[name];
const spansOf = (traceId: string) =>
  exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

/** The trace of a checkout: the one whose SMTP send carries its order identifier, once that send has ended. */
async function traceOfOrder(identifier: string): Promise<ReadableSpan[]> {
  const send = await waitFor(
    () =>
      exporter
        .getFinishedSpans()
        .find(
          (s) =>
            s.name === 'fulfill.smtp_send' && attribute(s, SPAN_ATTRIBUTES.orderIdentifier) === identifier,
        ),
    { what: `the SMTP send span of ${identifier}` },
  );
  const traceId = send.spanContext().traceId;
  // The email job's own span ends just after the send it contains.
  await waitFor(() => spansOf(traceId).some((s) => s.name === 'process email'), {
    what: 'the email job span',
  });
  return spansOf(traceId);
}

function expectOneCheckoutTrace(spans: ReadableSpan[], key: string, identifier: string) {
  const names = spans.map((s) => s.name);
  const request = spans.find((s) => s.name === 'request' && attribute(s, 'fastify.root') === '@fastify/otel');
  expect(request, `the ingest's request span among ${names.join(', ')}`).toBeDefined();
  const enqueue = spans.find((s) => s.name === 'fulfill.enqueue');
  expect(attribute(enqueue as ReadableSpan, SPAN_ATTRIBUTES.paymentIntent)).toBe(key);
  expect(names).toContain('process fulfillment');
  // The attempt that wrote the order (an earlier one may have failed and been retried, in the same trace).
  const write = spans.find(
    (s) => s.name === 'fulfill.order_write' && attribute(s, SPAN_ATTRIBUTES.outcome) === 'created',
  );
  expect(write && attribute(write, SPAN_ATTRIBUTES.orderIdentifier)).toBe(identifier);
  expect(names).toContain('process email');
  const send = spans.find((s) => s.name === 'fulfill.smtp_send');
  expect(send && attribute(send, SPAN_ATTRIBUTES.outcome)).toBe('sent');
  // Only the request span has no parent in this process: everything else descends from it.
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const roots = spans.filter((s) => !s.parentSpanContext || !ids.has(s.parentSpanContext.spanId));
  expect(roots.map((s) => s.name)).toEqual([request?.name]);
}

/** Every string an exported span holds: attributes, events' attributes, status, resource. */
function stringsOf(span: ReadableSpan): string[] {
  const values = [
    ...Object.values(span.attributes),
    ...span.events.flatMap((e) => Object.values(e.attributes ?? {})),
    span.status.message,
    span.name,
  ];
  return values.flat().filter((v): v is string => typeof v === 'string');
}

const ADDRESS = /[^\s@<>"'()[\],;:]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/u;

describe('tracing', () => {
  it('links the webhook, the fulfillment job, the email job and the SMTP send in one trace', async () => {
    const { session, event } = await completedCheckout(stack.emulator, { email: 'grace@example.com' });
    const key = session.payment_intent as string;
    const identifier = orderIdentifierFor(key, ORDER_ID_SECRET);
    const [delivery] = await stack.emulator.deliverEvent(event.id);
    expect(delivery?.status).toBe(200);

    const spans = await traceOfOrder(identifier);
    expectOneCheckoutTrace(spans, key, identifier);
    const enqueue = spans.find((s) => s.name === 'fulfill.enqueue');
    expect(enqueue?.attributes[SPAN_ATTRIBUTES.eventId]).toBe(event.id);
    expect(enqueue?.attributes[SPAN_ATTRIBUTES.orderIdentifier]).toBe(identifier);
    expect(spans.find((s) => s.name === 'fulfill.order_write')?.attributes[SPAN_ATTRIBUTES.eventId]).toBe(
      event.id,
    );
    // Postgres and Redis are hooked: the order's transaction and the job's adds are in the trace.
    const systems = new Set(spans.map((s) => attribute(s, 'db.system.name') ?? attribute(s, 'db.system')));
    expect(systems).toContain('postgresql');
    expect(systems).toContain('redis');
  });

  it('links the success redirect to its order and email the same way', async () => {
    const { session } = await completedCheckout(stack.emulator, { email: 'hopper@example.com' });
    const key = session.payment_intent as string;
    const identifier = orderIdentifierFor(key, ORDER_ID_SECRET);
    const response = await fetch(
      `${stack.ingestUrl}/order/checkout-session-success?session_id=${session.id}`,
    );
    expect(response.status).toBe(200);
    await waitFor(() => mailsOfOrder(stack, identifier).length > 0, { what: 'the confirmation email' });

    const spans = await traceOfOrder(identifier);
    expectOneCheckoutTrace(spans, key, identifier);
    expect(spans.find((s) => s.name === 'fulfill.enqueue')?.attributes[SPAN_ATTRIBUTES.source]).toBe(
      'redirect',
    );
  });

  it('records no email address, webhook secret or Stripe key in any span', async () => {
    const { session, event } = await completedCheckout(stack.emulator, { email: 'lovelace@example.org' });
    await stack.emulator.deliverEvent(event.id);
    await traceOfOrder(orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET));
    expect(stack.smtp.messages.some((m) => m.to.includes('lovelace@example.org'))).toBe(true);
    // Every span of the file's checkouts, not only this one's trace.
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(20);
    for (const span of spans) {
      for (const value of stringsOf(span)) {
        expect(value, `${span.name}: ${value}`).not.toMatch(ADDRESS);
        expect(value, span.name).not.toContain(WEBHOOK_SECRET);
        expect(value, span.name).not.toContain(STRIPE_KEY);
        expect(value, span.name).not.toContain('Analytical Way');
        expect(value, span.name).not.toContain('Ada Lovelace');
      }
    }
  });
});
