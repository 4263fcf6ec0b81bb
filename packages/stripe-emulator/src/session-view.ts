import { invalidRequest } from './errors.ts';
import { type ListParams, paginate } from './pagination.ts';
import { stringArray } from './params.ts';
import type { EmulatorState, SessionRecord } from './store.ts';
import type { ExpandedCheckoutSession, LineItem, ListObject } from './types.ts';

const SESSION_EXPANSIONS = new Set(['line_items', 'payment_intent', 'subscription']);

/** Reads `expand`, accepting only the session fields the emulator can expand (with `prefix`, e.g. `data.`). */
export function parseExpand(value: unknown, prefix = ''): Set<string> {
  const fields = new Set<string>();
  for (const path of stringArray(value, 'expand')) {
    const field = path.startsWith(prefix) ? path.slice(prefix.length) : path;
    if (!SESSION_EXPANSIONS.has(field) || !path.startsWith(prefix)) {
      throw invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
    }
    fields.add(field);
  }
  return fields;
}

export function lineItemsUrl(sessionId: string): string {
  return `/v1/checkout/sessions/${sessionId}/line_items`;
}

export function lineItemsPage(record: SessionRecord, params: ListParams): ListObject<LineItem> {
  const page = paginate(record.lineItems, params, {
    url: lineItemsUrl(record.session.id),
    objectName: 'item',
  });
  return structuredClone(page);
}

/** A copy of the session as the API returns it, with the requested expansions applied. */
export function sessionView(
  state: EmulatorState,
  record: SessionRecord,
  expand: Set<string> = new Set(),
): ExpandedCheckoutSession {
  const view: ExpandedCheckoutSession = structuredClone(record.session);
  if (expand.has('payment_intent') && record.session.payment_intent !== null) {
    const intent = state.paymentIntents.get(record.session.payment_intent);
    if (intent) view.payment_intent = structuredClone(intent);
  }
  if (expand.has('subscription') && record.session.subscription !== null) {
    const subscription = state.subscriptions.get(record.session.subscription);
    if (subscription) view.subscription = structuredClone(subscription);
  }
  if (expand.has('line_items')) {
    view.line_items = lineItemsPage(record, { limit: 10, startingAfter: null, endingBefore: null });
  }
  return view;
}
