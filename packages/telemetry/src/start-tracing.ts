import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { type ActiveTracing, activeTracing, setActiveTracing } from './active-tracing.ts';

export interface StartTracingOptions {
  /** `service.name`, over OTEL_SERVICE_NAME: leave it unset for that variable to name the service. */
  serviceName?: string;
  /** Where spans go; by default the exporters the OTEL_* variables name (OTLP over HTTP/protobuf by default). */
  spanProcessors?: SpanProcessor[];
}

// Health checks and scrapes would make a trace each, every few seconds, and say nothing about a checkout.
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Loads and starts the OpenTelemetry SDK with the pg and ioredis instrumentations, and makes `activeTracing()`
 * return what Fastify and BullMQ need. Every SDK module is imported here, dynamically, so that a process that
 * does not trace loads none of them. pg and ioredis are patched only if they are imported after this has run:
 * start the process with `--import @fulfill/telemetry/register`. Only traces are exported: metrics stay with
 * Prometheus and logs with stdout.
 */
export async function startTracing(options: StartTracingOptions = {}): Promise<ActiveTracing> {
  const started = activeTracing();
  if (started) return started;
  const [
    { NodeSDK },
    { PgInstrumentation },
    { IORedisInstrumentation },
    { FastifyOtelInstrumentation },
    { BullMQOtel },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@fastify/otel'),
    import('bullmq-otel'),
  ]);
  const fastify = new FastifyOtelInstrumentation({
    // Registered by the ingest's app builder, in its own place among the plugins.
    registerOnInitialization: false,
    ignorePaths: ({ url }) => UNTRACED_PATHS.has(url.split('?')[0] ?? url),
    // One span per request: a span per hook (CORS, load shedding, …) and for the handler would double a
    // checkout's spans and say nothing its own spans do not.
    instrumentHooks: false,
    instrumentHandler: false,
  });
  const sdk = new NodeSDK({
    ...(options.serviceName ? { serviceName: options.serviceName } : {}),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new PgInstrumentation({
        // Statements as Kysely sends them, with `$1` placeholders: the values (addresses among them) never.
        enhancedDatabaseReporting: false,
        // The pool's background connects and a query outside any request or job are noise without a trace.
        requireParentSpan: true,
        // A pool checkout per query adds two spans that time nothing the query span does not.
        ignoreConnectSpans: true,
      }),
      new IORedisInstrumentation({
        // The command's name only: its arguments hold job payloads, keys and the rate limiter's addresses.
        dbStatementSerializer: (command) => command,
        // BullMQ's blocking polls run outside any span: one trace per poll would drown the checkouts.
        requireParentSpan: true,
      }),
      fastify,
    ],
  });
  sdk.start();
  const tracing: ActiveTracing = {
    bullmq: new BullMQOtel({ tracerName: 'bullmq' }),
    fastify: fastify.plugin(),
    shutdown: async () => {
      setActiveTracing(undefined);
      await sdk.shutdown();
    },
  };
  setActiveTracing(tracing);
  return tracing;
}
