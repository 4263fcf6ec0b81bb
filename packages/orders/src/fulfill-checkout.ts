import type { Database, EmailKind, Order, OrderStatus } from '@fulfill/db';
import type { Kysely, Transaction } from 'kysely';
import { orderFieldsOf, orderItemsOf } from './checkout-order.ts';
import { recordOwedEmail } from './email-outbox.ts';
import { insertNewOrder } from './insert-new-order.ts';
import { type PendingShopWebhooks, recordOrderChange } from './order-history.ts';
import { fulfillmentKeyOf, orderIdentifierFor } from './order-identifier.ts';
import { canTransition, outcomeOfSession } from './order-status.ts';
import {
  type AccountRequestOptions,
  accountOptions,
  type CheckoutLineItem,
  type CheckoutSession,
  type CheckoutSessionsApi,
  classifyStripeError,
} from './stripe-api.ts';
import { recordStripeEvent } from './stripe-event-log.ts';

export interface FulfillDeps {
  db: Kysely<Database>;
  stripe: CheckoutSessionsApi;
  orderIdSecret: string;
  /** Whether changes write shop webhooks to their outbox (SHOP_WEBHOOK_URL is set). */
  shopWebhooks?: boolean;
}

export interface FulfillInput {
  sessionId: string;
  /** The Stripe event being handled, if any; it is recorded, and its type can tell a failed payment. */
  event?: { id: string; type: string };
  /** When the ingest accepted the delivery; recorded as the event's receipt time. */
  receivedAt?: Date;
  /** The connected account (`acct_…`) the session belongs to; every Stripe call is made for it. */
  account?: string | null;
  /** The verified event as Stripe sent it, kept in `stripe_events` for STRIPE_EVENT_RETENTION. */
  payload?: unknown;
}

/** The order's emails still unsent after this run: the caller enqueues one email job for each. */
export type PendingEmails = EmailKind[];

export type FulfillResult =
  | { kind: 'created'; order: Order; pendingEmails: PendingEmails; shopWebhooks: PendingShopWebhooks }
  | {
      kind: 'updated';
      order: Order;
      previousStatus: OrderStatus;
      pendingEmails: PendingEmails;
      shopWebhooks: PendingShopWebhooks;
    }
  | { kind: 'unchanged'; order: Order; pendingEmails: PendingEmails }
  | { kind: 'not-complete'; sessionId: string }
  | { kind: 'expired'; sessionId: string; cancelledOrder: Order | null; shopWebhooks: PendingShopWebhooks }
  | { kind: 'session-not-found'; sessionId: string }
  /** A setup-mode session: its event is recorded, and no order is made. */
  | { kind: 'no-order'; sessionId: string; reason: 'setup-mode' }
  /** A complete session without what its order must state; nothing is written, and retrying cannot help. */
  | { kind: 'missing-data'; sessionId: string; missing: Array<'currency' | 'amount_total'> };

const LINE_ITEMS_PAGE = 100;

async function allLineItems(
  stripe: CheckoutSessionsApi,
  session: CheckoutSession,
  options: AccountRequestOptions,
): Promise<CheckoutLineItem[]> {
  const items = [...(session.line_items?.data ?? [])];
  let hasMore = session.line_items ? session.line_items.has_more : true;
  while (hasMore) {
    const last = items.at(-1);
    const page = await stripe.checkout.sessions.listLineItems(
      session.id,
      { limit: LINE_ITEMS_PAGE, ...(last ? { starting_after: last.id } : {}) },
      options,
    );
    items.push(...page.data);
    hasMore = page.has_more && page.data.length > 0;
  }
  return items;
}

async function recordEvent(trx: Transaction<Database>, input: FulfillInput): Promise<void> {
  if (!input.event) return;
  await recordStripeEvent(trx, {
    eventId: input.event.id,
    type: input.event.type,
    checkoutSessionId: input.sessionId,
    receivedAt: input.receivedAt,
    payload: input.payload,
  });
}

async function recordExpiry(
  deps: FulfillDeps,
  session: CheckoutSession,
  input: FulfillInput,
): Promise<FulfillResult> {
  const key = fulfillmentKeyOf(session);
  return deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('checkout_expirations')
      .values({
        checkout_session_id: session.id,
        fulfillment_key: key,
        cart_id: session.metadata?.cart_id ?? null,
      })
      .onConflict((oc) => oc.column('checkout_session_id').doNothing())
      .execute();
    const cancelled = await trx
      .updateTable('orders')
      .set({ status: 'cancelled', updated_at: new Date() })
      .where('fulfillment_key', '=', key)
      .where('status', '=', 'awaiting_payment')
      .returningAll()
      .executeTakeFirst();
    await recordEvent(trx, input);
    const shopWebhooks = cancelled
      ? await recordOrderChange(
          trx,
          { order: cancelled, from: 'awaiting_payment', eventId: input.event?.id ?? null },
          { shopWebhooks: deps.shopWebhooks ?? false },
        )
      : [];
    return { kind: 'expired', sessionId: session.id, cancelledOrder: cancelled ?? null, shopWebhooks };
  });
}

/**
 * Turns a Checkout Session into its order: the one operation behind the webhook, the success redirect, replays
 * and the reconciler. It reads the session from Stripe, so whoever calls it and in whatever order, the order
 * converges on Stripe's current state. Safe to run any number of times, concurrently: the order, its items and
 * its email outbox rows are written in one transaction under the unique fulfillment key.
 *
 * Throws what the Stripe client throws (rate limits, outages) except for a missing session, which is a result.
 */
export async function fulfillCheckout(deps: FulfillDeps, input: FulfillInput): Promise<FulfillResult> {
  const account = input.account ?? null;
  const options = accountOptions(account);
  let session: CheckoutSession;
  try {
    session = await deps.stripe.checkout.sessions.retrieve(
      input.sessionId,
      { expand: ['line_items', 'payment_intent', 'subscription'] },
      options,
    );
  } catch (error) {
    if (classifyStripeError(error) === 'not-found')
      return { kind: 'session-not-found', sessionId: input.sessionId };
    throw error;
  }

  // Absent and null are the same to the order: missing.
  const { currency = null, amount_total = null } = session;
  const outcome = outcomeOfSession({ ...session, currency, amount_total }, input.event?.type);
  if (outcome.kind === 'not-complete') return { kind: 'not-complete', sessionId: session.id };
  if (outcome.kind === 'expired') return recordExpiry(deps, session, input);
  if (outcome.kind === 'missing-data') {
    return { kind: 'missing-data', sessionId: session.id, missing: outcome.missing };
  }
  if (outcome.kind === 'no-order') {
    await deps.db.transaction().execute((trx) => recordEvent(trx, input));
    return { kind: 'no-order', sessionId: session.id, reason: outcome.reason };
  }
  if (currency === null || amount_total === null) throw new Error('unreachable: checked by outcomeOfSession');

  const items = await allLineItems(deps.stripe, session, options);
  const key = fulfillmentKeyOf(session);
  const identifier = orderIdentifierFor(key, deps.orderIdSecret);
  const fields = orderFieldsOf({ ...session, currency, amount_total }, account);

  // The common case, a new order, is one statement; an order that exists already takes the transaction below.
  const created = await insertNewOrder(deps.db, {
    fields,
    items,
    fulfillmentKey: key,
    orderIdentifier: identifier,
    status: outcome.status,
    event: input.event,
    receivedAt: input.receivedAt,
    payload: input.payload,
    shopWebhooks: deps.shopWebhooks ?? false,
  });
  if (created) return { kind: 'created', ...created };

  return deps.db.transaction().execute(async (trx): Promise<FulfillResult> => {
    const inserted = await trx
      .insertInto('orders')
      .values({
        ...fields,
        shipping_address: fields.shipping_address ? JSON.stringify(fields.shipping_address) : null,
        fulfillment_key: key,
        order_identifier: identifier,
        status: outcome.status,
      })
      .onConflict((oc) => oc.column('fulfillment_key').doNothing())
      .returningAll()
      .executeTakeFirst();

    if (inserted) {
      if (items.length > 0)
        await trx.insertInto('order_items').values(orderItemsOf(inserted.id, items)).execute();
      await recordEvent(trx, input);
      const shopWebhooks = await recordOrderChange(
        trx,
        { order: inserted, from: null, eventId: input.event?.id ?? null },
        { shopWebhooks: deps.shopWebhooks ?? false },
      );
      return {
        kind: 'created',
        order: inserted,
        pendingEmails: await recordOwedEmail(trx, inserted),
        shopWebhooks,
      };
    }

    const existing = await trx
      .selectFrom('orders')
      .selectAll()
      .where('fulfillment_key', '=', key)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, input);
    if (!canTransition(existing.status, outcome.status)) {
      return { kind: 'unchanged', order: existing, pendingEmails: await recordOwedEmail(trx, existing) };
    }
    const updated = await trx
      .updateTable('orders')
      .set({ status: outcome.status, updated_at: new Date() })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      kind: 'updated',
      order: updated,
      previousStatus: existing.status,
      pendingEmails: await recordOwedEmail(trx, updated),
      shopWebhooks: await recordOrderChange(
        trx,
        { order: updated, from: existing.status, eventId: input.event?.id ?? null },
        { shopWebhooks: deps.shopWebhooks ?? false },
      ),
    };
  });
}
