import { invalidRequest } from './errors.ts';

export type FaultStatus = 429 | 500 | 502 | 503;

/**
 * `status` answers before the API sees the request (as an edge or proxy would: no idempotent result is kept);
 * `handler` answers from inside the API, after it claimed the request's `Idempotency-Key`, so that the error is
 * stored and replayed for that key as Stripe replays a 500; `reset` closes the connection without an answer,
 * as a proxy or load balancer that drops it would.
 */
export type FaultKind = 'status' | 'handler' | 'reset';

/**
 * Makes the next `count` API requests matching `method` (any when omitted) and `path` fail with
 * `status`. A string `path` must equal the request path without its query (`/v1/checkout/sessions`);
 * a RegExp is tested against it. `shouldRetry` sets Stripe's `Stripe-Should-Retry` header and
 * `retryAfter` the `Retry-After` header, in seconds. With `kind: 'reset'` the connection is destroyed
 * instead of answered (`status` is then only recorded).
 */
export interface FaultSpec {
  method?: string;
  path: string | RegExp;
  status: FaultStatus;
  count: number;
  shouldRetry?: boolean;
  retryAfter?: number;
  kind?: FaultKind;
}

export interface ActiveFault {
  method: string | null;
  path: string | RegExp;
  status: FaultStatus;
  remaining: number;
  shouldRetry: boolean | null;
  retryAfter: number | null;
  kind: FaultKind;
}

/** One API request under `/v1` as the emulator received it; `status` is set once answered. */
export interface ApiRequestLogEntry {
  method: string;
  path: string;
  query: string;
  requestId: string;
  status: number | null;
  at: number;
}

const FAULT_STATUSES = new Set([429, 500, 502, 503]);

export function toActiveFault(spec: FaultSpec): ActiveFault {
  if (!FAULT_STATUSES.has(spec.status)) {
    throw invalidRequest(`Fault status must be one of 429, 500, 502, 503; got ${spec.status}.`, 'status');
  }
  if (!Number.isSafeInteger(spec.count) || spec.count < 1) {
    throw invalidRequest(`Fault count must be a positive integer; got ${spec.count}.`, 'count');
  }
  if (spec.retryAfter !== undefined && (!Number.isSafeInteger(spec.retryAfter) || spec.retryAfter < 0)) {
    throw invalidRequest(
      `Fault retryAfter must be a whole number of seconds; got ${spec.retryAfter}.`,
      'retryAfter',
    );
  }
  if (spec.kind !== undefined && spec.kind !== 'status' && spec.kind !== 'handler' && spec.kind !== 'reset') {
    throw invalidRequest(
      `Fault kind must be "status", "handler" or "reset"; got ${String(spec.kind)}.`,
      'kind',
    );
  }
  if (typeof spec.path === 'string' && !spec.path.startsWith('/')) {
    throw invalidRequest(`Fault path must start with "/"; got ${spec.path}.`, 'path');
  }
  return {
    method: spec.method?.toUpperCase() ?? null,
    path: spec.path,
    status: spec.status,
    remaining: spec.count,
    shouldRetry: spec.shouldRetry ?? null,
    retryAfter: spec.retryAfter ?? null,
    kind: spec.kind ?? 'status',
  };
}

/** Finds the first live fault for this request and uses up one of its repetitions. */
export function takeFault(faults: ActiveFault[], method: string, path: string): ActiveFault | undefined {
  const index = faults.findIndex((fault) => {
    if (fault.method !== null && fault.method !== method.toUpperCase()) return false;
    if (typeof fault.path === 'string') return fault.path === path;
    fault.path.lastIndex = 0;
    return fault.path.test(path);
  });
  const fault = faults[index];
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining === 0) faults.splice(index, 1);
  return fault;
}
