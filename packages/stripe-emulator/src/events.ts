import { newId } from './ids.ts';
import type { DeliveryAttempt, EmulatorState, EventRecord } from './store.ts';
import type { CheckoutEventType, CheckoutSession, DeliveryResult, StripeEvent } from './types.ts';

export interface EventRequestInfo {
  id: string | null;
  idempotencyKey: string | null;
}

export function recordEvent(
  state: EmulatorState,
  type: CheckoutEventType,
  session: CheckoutSession,
  request: EventRequestInfo = { id: null, idempotencyKey: null },
): EventRecord {
  const record: EventRecord = {
    event: {
      id: newId('evt'),
      object: 'event',
      api_version: state.apiVersion,
      created: state.now(),
      data: { object: structuredClone(session) },
      livemode: false,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    },
    attempts: [],
  };
  state.events.set(record.event.id, record);
  return record;
}

function latestAttempt(record: EventRecord, url: string): DeliveryAttempt | undefined {
  return record.attempts.findLast((attempt) => attempt.url === url);
}

/**
 * Configured endpoints and other URLs the event was sent to whose latest delivery attempt did not
 * get a 2xx answer, including configured endpoints never attempted.
 */
export function pendingTargets(state: EmulatorState, record: EventRecord): string[] {
  const targets = new Set([...state.endpoints.keys(), ...record.attempts.map((attempt) => attempt.url)]);
  return [...targets].filter((url) => latestAttempt(record, url)?.ok !== true);
}

export function deliverySucceeded(state: EmulatorState, record: EventRecord): boolean {
  return pendingTargets(state, record).length === 0;
}

export function recordAttempt(record: EventRecord, result: DeliveryResult, at: number): void {
  record.attempts.push({ ...result, ok: result.status >= 200 && result.status < 300, at });
}

/** The event as the API shows it now (a copy; `pending_webhooks` reflects deliveries so far). */
export function eventView(state: EmulatorState, record: EventRecord): StripeEvent {
  return { ...structuredClone(record.event), pending_webhooks: pendingTargets(state, record).length };
}

/** Matches `type` filters, including Stripe's `*` wildcard (`checkout.session.*`). */
export function typeMatches(type: string, pattern: string): boolean {
  if (!pattern.includes('*')) return type === pattern;
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(type);
}
