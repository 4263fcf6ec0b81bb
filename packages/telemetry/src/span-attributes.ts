import { redactEmails } from '@fulfill/observability';
import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * The attribute names Fulfill's own spans carry. Identifiers only: never an email address, a name, a postal
 * address or a secret. Nothing masks attributes on their way out, so a value put here must be one of these.
 */
export const SPAN_ATTRIBUTES = {
  eventId: 'fulfill.stripe.event_id',
  eventType: 'fulfill.stripe.event_type',
  sessionId: 'fulfill.checkout_session',
  /** The fulfillment key: the payment intent's id, else the session's. */
  paymentIntent: 'fulfill.payment_intent',
  orderIdentifier: 'fulfill.order_identifier',
  source: 'fulfill.source',
  emailKind: 'fulfill.email.kind',
  outcome: 'fulfill.outcome',
} as const;

/** The attributes of a span about one fulfillment job: its checkout, its key, what made it, and its event. */
export function fulfillmentAttributes(job: {
  sessionId: string;
  fulfillmentKey: string;
  source: string;
  event?: { id: string; type: string } | undefined;
}): Attributes {
  return {
    [SPAN_ATTRIBUTES.sessionId]: job.sessionId,
    [SPAN_ATTRIBUTES.paymentIntent]: job.fulfillmentKey,
    [SPAN_ATTRIBUTES.source]: job.source,
    ...(job.event
      ? { [SPAN_ATTRIBUTES.eventId]: job.event.id, [SPAN_ATTRIBUTES.eventType]: job.event.type }
      : {}),
  };
}

const tracer = trace.getTracer('fulfill');

/**
 * Runs `work` inside a span named `name`, ended when it settles; a throw is recorded on the span, its message
 * masked of email addresses, and rethrown. Without a tracer provider (tracing off) the span is the API's no-op
 * one, and this costs a call.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      // The message masked and no stack: a mail server's refusal echoes the recipient's address.
      const message = redactEmails(error instanceof Error ? error.message : String(error));
      span.recordException({ name: error instanceof Error ? error.name : 'Error', message });
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      throw error;
    } finally {
      span.end();
    }
  });
}
