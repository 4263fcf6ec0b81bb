import { newId } from './ids.ts';
import type { DeliveryAttempt, EmulatorState, EventRecord } from './store.ts';
import type { AnyStripeEvent, DeliveryResult, EmulatorEventType } from './types.ts';

export interface EventRequestInfo {
  id: string | null;
  idempotencyKey: string | null;
}

const RELATED_URL: Record<string, string> = {
  'checkout.session': '/v1/checkout/sessions/',
  payment_intent: '/v1/payment_intents/',
  charge: '/v1/charges/',
  refund: '/v1/refunds/',
  dispute: '/v1/disputes/',
};

/**
 * Records an event about `object` on `account` (null: the platform), and the event notification (thin event)
 * that stands for it at event destinations taking thin payloads: `v1.<type>`, referring to the object.
 */
export function recordEvent(
  state: EmulatorState,
  type: EmulatorEventType,
  object: AnyStripeEvent['data']['object'],
  account: string | null,
  request: EventRequestInfo = { id: null, idempotencyKey: null },
): EventRecord {
  const created = state.now();
  const record: EventRecord = {
    event: {
      id: newId('evt'),
      object: 'event',
      ...(account === null ? {} : { account }),
      api_version: state.apiVersion,
      created,
      data: { object: structuredClone(object) },
      livemode: false,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    },
    attempts: [],
    thin: {
      id: newId('evt_test', 32),
      object: 'v2.core.event',
      ...(account === null ? {} : { context: account }),
      created: new Date(created * 1000).toISOString(),
      livemode: false,
      related_object: {
        id: object.id,
        type: object.object,
        url: `${RELATED_URL[object.object]}${object.id}`,
      },
      type: `v1.${type}`,
    },
  };
  state.events.set(record.event.id, record);
  state.thinEvents.set(record.thin.id, record);
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
  const endpoints = [...state.endpoints.values()]
    .filter((endpoint) => endpointTakes(endpoint, record))
    .map((endpoint) => endpoint.url);
  const targets = new Set([...endpoints, ...record.attempts.map((attempt) => attempt.url)]);
  return [...targets].filter((url) => latestAttempt(record, url)?.ok !== true);
}

/** A Connect endpoint takes connected accounts' events; any other endpoint the platform's own. */
export function endpointTakes(endpoint: { connect?: boolean }, record: EventRecord): boolean {
  return (endpoint.connect ?? false) === (record.event.account !== undefined);
}

export function deliverySucceeded(state: EmulatorState, record: EventRecord): boolean {
  return pendingTargets(state, record).length === 0;
}

export function recordAttempt(record: EventRecord, result: DeliveryResult, at: number): void {
  record.attempts.push({ ...result, ok: result.status >= 200 && result.status < 300, at });
}

/** The event as the API shows it now (a copy; `pending_webhooks` reflects deliveries so far). */
export function eventView(state: EmulatorState, record: EventRecord): AnyStripeEvent {
  return { ...structuredClone(record.event), pending_webhooks: pendingTargets(state, record).length };
}

/** Matches `type` filters, including Stripe's `*` wildcard (`checkout.session.*`). */
export function typeMatches(type: string, pattern: string): boolean {
  if (!pattern.includes('*')) return type === pattern;
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(type);
}
