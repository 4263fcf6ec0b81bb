/** The standard OpenTelemetry variables that decide whether a process traces. */
export type TracingEnvironment = Partial<
  Record<
    | 'OTEL_SDK_DISABLED'
    | 'OTEL_TRACES_EXPORTER'
    | 'OTEL_EXPORTER_OTLP_ENDPOINT'
    | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    string | undefined
  >
>;

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * Whether the environment asks for traces: an OTLP endpoint or a traces exporter other than `none`, and
 * `OTEL_SDK_DISABLED` not `true`. The SDK's own default (an OTLP exporter to localhost when nothing is set)
 * would turn tracing on everywhere; here nothing set means off, and nothing of the SDK is loaded.
 */
export function tracingRequested(env: TracingEnvironment): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return false;
  return (
    exporters.length > 0 ||
    isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT) ||
    isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  );
}
