import type { Database, Order, OrderStatus } from '@fulfill/db';
import type { Kysely } from 'kysely';
import {
  noticeableRefunds,
  type PaymentState,
  refundedAmountOf,
  statusOfPayment,
  takesPaymentChanges,
} from './after-payment-status.ts';
import { type EmailKey, recordRefundNotices } from './email-outbox.ts';
import { type FulfillDeps, fulfillCheckout } from './fulfill-checkout.ts';
import { type PendingShopWebhooks, recordOrderChange } from './order-history.ts';
import { type AccountRequestOptions, accountOptions, type CheckoutSession } from './stripe-api.ts';
import { recordStripeEvent } from './stripe-event-log.ts';

/** One of Stripe's lists filtered by payment intent, auto-paginated, in the fields read here. */
interface ListByPaymentIntent<T> {
  list(params: { payment_intent: string; limit: number }, options?: AccountRequestOptions): AsyncIterable<T>;
}

/** The subset of the Stripe client that reads a payment's refunds and disputes (auto-paginated lists). */
export interface PaymentStateStripeApi {
  charges: ListByPaymentIntent<{ id: string; amount: number; status: string }>;
  refunds: ListByPaymentIntent<{ id: string; amount: number; status: string | null }>;
  disputes: ListByPaymentIntent<{ id: string; status: string; created: number }>;
  checkout: {
    sessions: {
      list(
        params: { payment_intent: string; limit: number },
        options?: AccountRequestOptions,
      ): AsyncIterable<CheckoutSession>;
    };
  };
}

export interface PaymentChangeDeps extends FulfillDeps {
  stripe: FulfillDeps['stripe'] & PaymentStateStripeApi;
}

export interface PaymentChangeInput {
  paymentIntentId: string;
  /** The connected account (`acct_…`) the payment belongs to; every Stripe call is made for it. */
  account?: string | null;
  /** The Stripe event being handled, if any; it is recorded with the order's history. */
  event?: { id: string; type: string };
  receivedAt?: Date;
  payload?: unknown;
}

export type PaymentChangeResult =
  | {
      kind: 'changed';
      order: Order;
      previousStatus: OrderStatus;
      pendingEmails: EmailKey[];
      shopWebhooks: PendingShopWebhooks;
    }
  | { kind: 'unchanged'; order: Order; pendingEmails: EmailKey[] }
  /** A read that began after this one was applied first: it holds Stripe's newer state. */
  | { kind: 'superseded'; order: Order }
  /** The order is not one refunds and disputes apply to (not paid): nothing to do. */
  | { kind: 'not-applicable'; order: Order }
  /** No order, and no complete Checkout Session in Stripe to make one from. */
  | { kind: 'order-missing'; paymentIntentId: string };

async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of list) out.push(item);
  return out;
}

async function readPaymentState(
  stripe: PaymentStateStripeApi,
  paymentIntentId: string,
  fallbackAmount: number,
  options: AccountRequestOptions,
): Promise<PaymentState & { disputeIds: Array<{ id: string; status: string; created: number }> }> {
  const params = { payment_intent: paymentIntentId, limit: 100 };
  const [charges, refunds, disputes] = await Promise.all([
    all(stripe.charges.list(params, options)),
    all(stripe.refunds.list(params, options)),
    all(stripe.disputes.list(params, options)),
  ]);
  const charge = charges.find((c) => c.status === 'succeeded');
  return {
    amount: charge?.amount ?? fallbackAmount,
    refunds: refunds.map((r) => ({ id: r.id, amount: r.amount, status: r.status })),
    disputes: disputes.map((d) => ({ id: d.id, status: d.status })),
    disputeIds: disputes.map((d) => ({ id: d.id, status: d.status, created: d.created })),
  };
}

const orderOfIntent = (db: Kysely<Database>, paymentIntentId: string) =>
  db
    .selectFrom('orders')
    .selectAll()
    .where((eb) =>
      eb.or([eb('payment_intent_id', '=', paymentIntentId), eb('fulfillment_key', '=', paymentIntentId)]),
    )
    .executeTakeFirst();

/**
 * The order a refund or dispute event is about; made from its Checkout Session first when the event came first,
 * with what that creation owes (its confirmation, its shop webhooks).
 */
async function findOrMakeOrder(
  deps: PaymentChangeDeps,
  paymentIntentId: string,
  account: string | null,
): Promise<{ order: Order | undefined; owed: { emails: EmailKey[]; shopWebhooks: PendingShopWebhooks } }> {
  const owed = { emails: [] as EmailKey[], shopWebhooks: [] as PendingShopWebhooks };
  const found = await orderOfIntent(deps.db, paymentIntentId);
  if (found) return { order: found, owed };
  const sessions = await all(
    deps.stripe.checkout.sessions.list(
      { payment_intent: paymentIntentId, limit: 10 },
      accountOptions(account),
    ),
  );
  const session = sessions.find((s) => s.status === 'complete');
  if (!session) return { order: undefined, owed };
  const made = await fulfillCheckout(deps, { sessionId: session.id, account });
  if (made.kind === 'created' || made.kind === 'updated' || made.kind === 'unchanged') {
    owed.emails = made.pendingEmails.map((kind) => ({ orderId: made.order.id, kind }));
    if (made.kind !== 'unchanged') owed.shopWebhooks = made.shopWebhooks;
  }
  return { order: await orderOfIntent(deps.db, paymentIntentId), owed };
}

/**
 * Converges an order on Stripe's current refunds and disputes of its payment: the one operation behind
 * `charge.refunded`, `refund.updated`, `charge.dispute.created` and `charge.dispute.closed`, and their replays.
 * It reads the state from Stripe rather than from the event, so events in any order and any number end in the
 * same order; and it records the time its read began, so that of two runs at once the later read wins whichever
 * commits last. The status change, its history row, one refund notice per succeeded refund and the shop's
 * webhooks are written in one transaction; no transaction is open while Stripe is read.
 */
export async function applyPaymentChange(
  deps: PaymentChangeDeps,
  input: PaymentChangeInput,
): Promise<PaymentChangeResult> {
  const readStartedAt = new Date();
  const account = input.account ?? null;
  const { order: known, owed } = await findOrMakeOrder(deps, input.paymentIntentId, account);
  if (!known) {
    if (input.event) {
      await recordStripeEvent(deps.db, {
        eventId: input.event.id,
        type: input.event.type,
        receivedAt: input.receivedAt,
        payload: input.payload,
      });
    }
    return { kind: 'order-missing', paymentIntentId: input.paymentIntentId };
  }
  const state = await readPaymentState(
    deps.stripe,
    input.paymentIntentId,
    known.amount_total,
    accountOptions(known.stripe_account ?? account),
  );

  const result = await deps.db.transaction().execute(async (trx): Promise<PaymentChangeResult> => {
    const order = await trx
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', known.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (input.event) {
      await recordStripeEvent(trx, {
        eventId: input.event.id,
        type: input.event.type,
        checkoutSessionId: order.checkout_session_id,
        receivedAt: input.receivedAt,
        payload: input.payload,
      });
    }
    if (!takesPaymentChanges(order.status)) return { kind: 'not-applicable', order };
    if (order.payment_state_read_at && order.payment_state_read_at > readStartedAt) {
      return { kind: 'superseded', order };
    }
    const status = statusOfPayment(state);
    const amountRefunded = refundedAmountOf(state);
    const changed = status !== order.status || amountRefunded !== order.amount_refunded;
    const updated = await trx
      .updateTable('orders')
      .set({
        payment_state_read_at: readStartedAt,
        ...(changed ? { status, amount_refunded: amountRefunded, updated_at: new Date() } : {}),
      })
      .where('id', '=', order.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const pendingEmails = await recordRefundNotices(trx, updated, noticeableRefunds(state));
    if (!changed) return { kind: 'unchanged', order: updated, pendingEmails };
    const latestDispute = [...state.disputeIds].sort((a, b) => b.created - a.created)[0];
    const shopWebhooks = await recordOrderChange(
      trx,
      {
        order: updated,
        from: order.status,
        previousAmountRefunded: order.amount_refunded,
        eventId: input.event?.id ?? null,
        disputeId: latestDispute?.id ?? null,
      },
      { shopWebhooks: deps.shopWebhooks ?? false },
    );
    return { kind: 'changed', order: updated, previousStatus: order.status, pendingEmails, shopWebhooks };
  });
  if (result.kind === 'changed') {
    return {
      ...result,
      pendingEmails: [...owed.emails, ...result.pendingEmails],
      shopWebhooks: [...owed.shopWebhooks, ...result.shopWebhooks],
    };
  }
  if (result.kind === 'unchanged')
    return { ...result, pendingEmails: [...owed.emails, ...result.pendingEmails] };
  return result;
}
