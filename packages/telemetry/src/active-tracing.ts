import type { FastifyPluginCallback } from 'fastify';

/** What a process that traces hands its Fastify app and its queues; absent when tracing is off. */
export interface ActiveTracing {
  /** BullMQ's `telemetry` option: carries a job's trace context from its producer to its worker. */
  bullmq: import('bullmq').Telemetry;
  /** `@fastify/otel`'s plugin: one span per request, the parent of what the request does. */
  fastify: FastifyPluginCallback;
  /** Flushes the spans not yet exported and stops the SDK. */
  shutdown: () => Promise<void>;
}

let active: ActiveTracing | undefined;

/** The tracing this process started, or undefined when it does not trace. */
export function activeTracing(): ActiveTracing | undefined {
  return active;
}

export function setActiveTracing(tracing: ActiveTracing | undefined): void {
  active = tracing;
}
