export { type ActiveTracing, activeTracing } from './active-tracing.ts';
export { fulfillmentAttributes, inSpan, SPAN_ATTRIBUTES } from './span-attributes.ts';
export { type StartTracingOptions, startTracing } from './start-tracing.ts';
export { type TracingEnvironment, tracingRequested } from './tracing-requested.ts';
