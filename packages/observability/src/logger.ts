import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';
import { redactEmails, redactEmailsDeep } from './redact-emails.ts';

/** Field paths pino censors in every log line: email addresses, postal addresses and secrets. */
export const REDACT_PATHS = [
  'email',
  '*.email',
  'customer_email',
  '*.customer_email',
  'to',
  '*.to',
  'address',
  '*.address',
  'shipping_address',
  '*.shipping_address',
  'customer_details',
  '*.customer_details',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'headers.authorization',
  'headers["stripe-signature"]',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

/**
 * `trace_id`, `span_id` and `trace_flags` of the span a line is logged in, so a line leads to its trace. Without
 * tracing there is never an active span, and a line gets nothing.
 */
function traceFields(): Record<string, unknown> {
  // A new object each time: pino merges the line's fields into it.
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: `0${context.traceFlags.toString(16)}`.slice(-2),
  };
}

/**
 * The JSON logger every process uses: one event per line, stable field names, redaction on. Besides the
 * censored paths, every string in a line (message, fields, child bindings, errors and their stacks) has its
 * email addresses masked, so an address a mail server or Stripe echoes in an error never reaches the log.
 */
export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { service: options.name },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
      // Errors are serialized and masked by the log formatter; the default serializer would re-wrap the result.
      serializers: {
        err: (value: unknown) => (value instanceof Error ? redactEmailsDeep(value) : value),
        msg: (value: unknown) => (typeof value === 'string' ? redactEmails(value) : value),
      },
      formatters: {
        log: (object) => redactEmailsDeep(object) as Record<string, unknown>,
        bindings: (bindings) => redactEmailsDeep(bindings) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          // Objects are masked by the log formatter, after pino has taken an Error apart from its message.
          const masked = args.map((arg) => (typeof arg === 'string' ? redactEmails(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  // pino formats a child's bindings without the bindings formatter, so they are masked on their way in; every
  // descendant inherits this method.
  const child = logger.child;
  logger.child = function maskedChild(this: Logger, bindings, options) {
    return child.call(this, redactEmailsDeep(bindings) as typeof bindings, options);
  } as typeof child;
  return logger;
}

export type { Logger };
