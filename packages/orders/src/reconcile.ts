import type { Database, OrderStatus } from '@fulfill/db';
import type { Kysely } from 'kysely';
import { checkoutSessionOfEvent } from './checkout-event.ts';
import {
  FULFILLMENT_EVENT_TYPES,
  type FulfillmentEventType,
  isFulfillmentEventType,
} from './fulfillment-events.ts';
import { fulfillmentKeyOf } from './order-identifier.ts';
import { canTransition, outcomeOfSession, type SessionState } from './order-status.ts';
import { accountOptions, type ReconcileStripeApi, type StripeEventSummary } from './stripe-api.ts';

/**
 * Why a checkout needs fulfilling again: Stripe says it is complete and there is no order; there is an order
 * but Stripe is further along (a delayed payment settled); or Stripe expired it and no expiry is recorded.
 */
export type RecoveryReason = 'order-missing' | 'order-behind' | 'expiry-missing';

/** One checkout whose effect is missing from the database. Fulfilling its session again repairs it. */
export interface Recovery {
  sessionId: string;
  fulfillmentKey: string;
  reason: RecoveryReason;
  /** The order's status now; null where there is no order. */
  orderStatus: OrderStatus | null;
  /** What Stripe says the order's status should be, or `expired`. */
  expected: OrderStatus | 'expired';
  /** The undelivered event that showed the gap, if one did; the newest one for its session. */
  event?: { id: string; type: FulfillmentEventType; created: number };
  /** The connected account the checkout belongs to; null for the platform's own. */
  account: string | null;
}

export interface ReconcileResult {
  /** At most one per Checkout Session. */
  recoveries: Recovery[];
  sessionsChecked: number;
  eventsChecked: number;
  /** Unix seconds: the `created` of the newest session and event read, null when none was. */
  newestSessionCreated: number | null;
  newestEventCreated: number | null;
}

export interface ReconcileDeps {
  db: Kysely<Database>;
  stripe: ReconcileStripeApi;
}

export interface ReconcileInput {
  /** Checkout Sessions and events created before this are not looked at. */
  since: Date;
  /**
   * An incremental run: sessions and events created before these (and `since`) are not looked at, and every
   * event is read, not only those whose delivery failed, since a delivered one may have lost its job.
   */
  incremental?: { sessionsSince: Date; eventsSince: Date };
  /** How many sessions or events each database query covers (default 100, one Stripe page). */
  batchSize?: number;
  /** The connected account to look at (every Stripe call is made for it); the platform's own by default. */
  account?: string | null;
}

const PAGE = 100;

async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function orderStatuses(db: Kysely<Database>, keys: string[]): Promise<Map<string, OrderStatus>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('orders')
    .select(['fulfillment_key', 'status'])
    .where('fulfillment_key', 'in', [...new Set(keys)])
    .execute();
  return new Map(rows.map((row) => [row.fulfillment_key, row.status]));
}

async function recordedExpiries(db: Kysely<Database>, sessionIds: string[]): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('checkout_expirations')
    .select('checkout_session_id')
    .where('checkout_session_id', 'in', [...new Set(sessionIds)])
    .execute();
  return new Set(rows.map((row) => row.checkout_session_id));
}

/** Compares what Stripe says of one session with the order the database holds for its fulfillment key. */
function gapOf(
  session: SessionState & { id: string; payment_intent?: string | { id: string } | null },
  eventType: string | undefined,
  orders: Map<string, OrderStatus>,
  expiries: Set<string>,
  account: string | null,
): Omit<Recovery, 'event'> | null {
  const fulfillmentKey = fulfillmentKeyOf(session);
  const outcome = outcomeOfSession(session, eventType);
  const base = { sessionId: session.id, fulfillmentKey, account };
  // A setup session has nothing to repair; one missing its data fails again, and its failed job says so.
  if (outcome.kind === 'not-complete' || outcome.kind === 'no-order' || outcome.kind === 'missing-data') {
    return null;
  }
  if (outcome.kind === 'expired') {
    if (expiries.has(session.id)) return null;
    return {
      ...base,
      reason: 'expiry-missing',
      orderStatus: orders.get(fulfillmentKey) ?? null,
      expected: 'expired',
    };
  }
  const status = orders.get(fulfillmentKey);
  if (status === undefined) {
    return { ...base, reason: 'order-missing', orderStatus: null, expected: outcome.status };
  }
  if (canTransition(status, outcome.status)) {
    return { ...base, reason: 'order-behind', orderStatus: status, expected: outcome.status };
  }
  return null;
}

async function checkEvents(
  deps: ReconcileDeps,
  events: StripeEventSummary[],
  found: Map<string, Recovery>,
  account: string | null,
): Promise<void> {
  const parsed = events.flatMap((event) => {
    const session = checkoutSessionOfEvent(event);
    return session && isFulfillmentEventType(event.type) ? [{ event, type: event.type, session }] : [];
  });
  const [orders, expiries] = await Promise.all([
    orderStatuses(
      deps.db,
      parsed.map(({ session }) => fulfillmentKeyOf(session)),
    ),
    recordedExpiries(
      deps.db,
      parsed.filter(({ type }) => type === 'checkout.session.expired').map(({ session }) => session.id),
    ),
  ]);
  // Events come newest first: the first gap found for a session is its newest event's.
  for (const { event, type, session } of parsed) {
    if (found.has(session.id)) continue;
    const gap = gapOf(session, type, orders, expiries, account);
    if (gap) found.set(session.id, { ...gap, event: { id: event.id, type, created: event.created } });
  }
}

/**
 * Finds the checkouts whose effect is missing from the database: complete Checkout Sessions created since
 * `since` without an order (or with one Stripe has moved past), and Checkout Session events whose webhook
 * delivery failed and whose effect is not in the database. It only reads; the caller enqueues fulfillment
 * for each recovery, and since fulfillment is idempotent, a recovery that races a late webhook costs a
 * duplicate job, never a duplicate order.
 *
 * Stripe is read page by page and the database once per batch of sessions or events, never per session.
 * Throws what the Stripe client or the database throws.
 */
export async function reconcileCheckouts(
  deps: ReconcileDeps,
  input: ReconcileInput,
): Promise<ReconcileResult> {
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
  const gte = seconds(input.since);
  const batchSize = input.batchSize ?? PAGE;
  const found = new Map<string, Recovery>();
  const account = input.account ?? null;
  const options = accountOptions(account);
  let newestSessionCreated: number | null = null;
  let newestEventCreated: number | null = null;

  // Events first: an event's type can say what the session alone cannot (a delayed payment that failed).
  let eventsChecked = 0;
  const events = deps.stripe.events.list(
    {
      created: { gte: Math.max(gte, input.incremental ? seconds(input.incremental.eventsSince) : gte) },
      ...(input.incremental ? {} : { delivery_success: false }),
      types: [...FULFILLMENT_EVENT_TYPES],
      limit: PAGE,
    },
    options,
  );
  for await (const batch of inBatches(events, batchSize)) {
    eventsChecked += batch.length;
    for (const event of batch) newestEventCreated = Math.max(newestEventCreated ?? 0, event.created);
    await checkEvents(deps, batch, found, account);
  }

  let sessionsChecked = 0;
  // Expanded payment intents tell a manual capture's authorization, capture and release apart.
  const sessions = deps.stripe.checkout.sessions.list(
    {
      created: { gte: Math.max(gte, input.incremental ? seconds(input.incremental.sessionsSince) : gte) },
      status: 'complete',
      limit: PAGE,
      expand: ['data.payment_intent'],
    },
    options,
  );
  for await (const batch of inBatches(sessions, batchSize)) {
    sessionsChecked += batch.length;
    for (const session of batch) newestSessionCreated = Math.max(newestSessionCreated ?? 0, session.created);
    const orders = await orderStatuses(
      deps.db,
      batch.map((session) => fulfillmentKeyOf(session)),
    );
    for (const session of batch) {
      if (found.has(session.id)) continue;
      const gap = gapOf(session, undefined, orders, new Set(), account);
      if (gap) found.set(session.id, gap);
    }
  }

  return {
    recoveries: [...found.values()],
    sessionsChecked,
    eventsChecked,
    newestSessionCreated,
    newestEventCreated,
  };
}
