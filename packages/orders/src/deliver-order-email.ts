import { randomUUID } from 'node:crypto';
import type { Database, EmailKind } from '@fulfill/db';
import { type Kysely, sql } from 'kysely';
import type { EmailOrder, RenderedEmail } from './emails/index.ts';
import { renderConfirmation, renderPaymentFailed } from './emails/index.ts';
import { redactEmails } from './redact.ts';

/** One message as the mail transport takes it (nodemailer's sendMail accepts this shape). */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
}

export interface DeliverDeps {
  db: Kysely<Database>;
  send: (mail: OutgoingMail) => Promise<unknown>;
  from: string;
  shopName: string;
  /**
   * How long a claim lasts without renewal, in ms. The sender renews it every third of that while the mail
   * server talks, so it only runs out when the sender died; then the row is sendable again.
   */
  leaseMs: number;
  /** How long to keep retrying the `sent` mark after the server accepted the message (default 60 s). */
  markRetryMs?: number;
  /** Told when a lease renewal or the `sent` mark failed and is retried. */
  onDatabaseError?: (error: unknown, what: 'renew-lease' | 'mark-sent') => void;
}

export type DeliverResult =
  | { kind: 'sent'; orderIdentifier: string; messageId: string }
  | { kind: 'already-sent'; orderIdentifier: string }
  | { kind: 'no-recipient'; orderIdentifier: string }
  /** The mail server refused this recipient or message for good (a 5xx); the row is `failed`. */
  | { kind: 'rejected'; orderIdentifier: string; reason: string }
  | { kind: 'not-found' }
  /** Another worker holds the row's lease until `until`: try again then. */
  | { kind: 'busy'; until: Date };

/** A stable Message-ID per (order, kind), so a resend after a crash is recognisably the same message. */
export function messageIdFor(orderIdentifier: string, kind: EmailKind, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'fulfill.invalid';
  return `<order-${orderIdentifier}-${kind}@${domain}>`;
}

/**
 * Whether a send failed because the server refused the recipient or the message for good: a 5xx reply to
 * MAIL, RCPT or the end of DATA (nodemailer's `EENVELOPE` and `EMESSAGE`). A 5xx to the greeting or to AUTH
 * is a configuration fault of ours, retried like any temporary failure.
 */
export function isPermanentMailRejection(error: unknown): boolean {
  const { responseCode, code } = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  return (
    typeof responseCode === 'number' &&
    responseCode >= 500 &&
    responseCode < 600 &&
    (code === 'EENVELOPE' || code === 'EMESSAGE')
  );
}

const RENDERERS: Record<EmailKind, (order: EmailOrder, shop: { name: string }) => RenderedEmail> = {
  confirmation: renderConfirmation,
  payment_failed: renderPaymentFailed,
};

const leaseUntil = (ms: number) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;
const reasonOf = (error: unknown) => redactEmails(error instanceof Error ? error.message : String(error));

/** Claims the row for `token` if nobody holds it: pending, or sending under a lease that ran out. */
async function claim(deps: DeliverDeps, input: { orderId: number; kind: EmailKind }, token: string) {
  return deps.db
    .updateTable('email_outbox')
    .set((eb) => ({
      state: 'sending',
      lease_token: token,
      lease_expires_at: leaseUntil(deps.leaseMs),
      attempts: eb('attempts', '+', 1),
      updated_at: new Date(),
    }))
    .where('order_id', '=', input.orderId)
    .where('kind', '=', input.kind)
    .where((eb) =>
      eb.or([
        eb('state', '=', 'pending'),
        eb.and([eb('state', '=', 'sending'), eb('lease_expires_at', '<', sql<Date>`now()`)]),
      ]),
    )
    .returning('id')
    .executeTakeFirst();
}

async function orderForEmail(db: Kysely<Database>, orderId: number) {
  const row = await db
    .selectFrom('orders')
    .select([
      'order_identifier',
      'customer_email',
      'customer_name',
      'currency',
      'amount_subtotal',
      'amount_discount',
      'amount_tax',
      'amount_shipping',
      'amount_total',
      'shipping_name',
      'shipping_address',
    ])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  const items = await db
    .selectFrom('order_items')
    .select(['description', 'quantity', 'amount_total'])
    .where('order_id', '=', orderId)
    .orderBy('position')
    .execute();
  const order: EmailOrder = {
    orderIdentifier: row.order_identifier,
    customerName: row.customer_name,
    currency: row.currency,
    amounts: {
      subtotal: row.amount_subtotal,
      discount: row.amount_discount,
      tax: row.amount_tax,
      shipping: row.amount_shipping,
      total: row.amount_total,
    },
    items: items.map((i) => ({
      description: i.description,
      quantity: i.quantity,
      amountTotal: i.amount_total,
    })),
    shipping: row.shipping_address ? { name: row.shipping_name, address: row.shipping_address } : null,
  };
  return { order, to: row.customer_email };
}

/** Ends our claim: the row goes to `state`, unless the lease was lost to another worker meanwhile. */
async function release(
  db: Kysely<Database>,
  outboxId: number,
  token: string,
  state: 'pending' | 'failed',
  lastError: string,
) {
  await db
    .updateTable('email_outbox')
    .set({ state, lease_token: null, lease_expires_at: null, last_error: lastError, updated_at: new Date() })
    .where('id', '=', outboxId)
    .where('lease_token', '=', token)
    .execute();
}

async function markSent(deps: DeliverDeps, outboxId: number, messageId: string): Promise<void> {
  const deadline = Date.now() + (deps.markRetryMs ?? 60_000);
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      // Whoever holds the lease now, the message went out: the row converges on `sent`.
      await deps.db
        .updateTable('email_outbox')
        .set({
          state: 'sent',
          message_id: messageId,
          sent_at: new Date(),
          updated_at: new Date(),
          last_error: null,
          lease_token: null,
          lease_expires_at: null,
        })
        .where('id', '=', outboxId)
        .execute();
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      deps.onDatabaseError?.(error, 'mark-sent');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Sends one outbox email at most once per claim, with no transaction open while the mail server talks: a short
 * statement claims the row (`sending`, a lease, the attempt counted), the send runs while the lease is renewed,
 * and another statement marks it `sent`, retried for `markRetryMs`. A temporary failure puts the row back to
 * `pending` and throws, for the queue to retry; a permanent rejection (see `isPermanentMailRejection`) makes it
 * `failed` and returns `rejected`.
 *
 * The one window left: the server has accepted the message but the `sent` mark never lands, because the worker
 * died in between or Postgres stayed unreachable for all of `markRetryMs`. Then the lease runs out and the
 * message is sent once more, with the same Message-ID, so that receiving systems can recognise the repeat.
 */
export async function deliverOrderEmail(
  deps: DeliverDeps,
  input: { orderId: number; kind: EmailKind },
): Promise<DeliverResult> {
  const token = randomUUID();
  const claimed = await claim(deps, input, token);
  if (!claimed) {
    const row = await deps.db
      .selectFrom('email_outbox')
      .innerJoin('orders', 'orders.id', 'email_outbox.order_id')
      .select(['email_outbox.state', 'email_outbox.lease_expires_at', 'email_outbox.last_error'])
      .select('orders.order_identifier')
      .where('email_outbox.order_id', '=', input.orderId)
      .where('email_outbox.kind', '=', input.kind)
      .executeTakeFirst();
    if (!row) return { kind: 'not-found' };
    switch (row.state) {
      case 'sent':
        return { kind: 'already-sent', orderIdentifier: row.order_identifier };
      case 'failed':
        return {
          kind: 'rejected',
          orderIdentifier: row.order_identifier,
          reason: row.last_error ?? 'rejected',
        };
      default:
        // Held by another worker, or released between our two statements: look again when the lease ends.
        return { kind: 'busy', until: row.lease_expires_at ?? new Date() };
    }
  }

  const outboxId = claimed.id;
  let order: EmailOrder;
  let to: string | null;
  try {
    ({ order, to } = await orderForEmail(deps.db, input.orderId));
  } catch (error) {
    await release(deps.db, outboxId, token, 'pending', reasonOf(error)).catch(() => {});
    throw error;
  }
  if (!to) {
    await release(deps.db, outboxId, token, 'failed', 'the order has no customer email address');
    return { kind: 'no-recipient', orderIdentifier: order.orderIdentifier };
  }

  const messageId = messageIdFor(order.orderIdentifier, input.kind, deps.from);
  const rendered = RENDERERS[input.kind](order, { name: deps.shopName });
  const renewal = setInterval(
    () => {
      deps.db
        .updateTable('email_outbox')
        .set({ lease_expires_at: leaseUntil(deps.leaseMs) })
        .where('id', '=', outboxId)
        .where('lease_token', '=', token)
        .execute()
        .catch((error: unknown) => deps.onDatabaseError?.(error, 'renew-lease'));
    },
    Math.max(100, Math.floor(deps.leaseMs / 3)),
  );
  try {
    await deps.send({ from: deps.from, to, messageId, ...rendered });
  } catch (error) {
    clearInterval(renewal);
    const reason = reasonOf(error);
    if (isPermanentMailRejection(error)) {
      await release(deps.db, outboxId, token, 'failed', reason.slice(0, 500));
      return { kind: 'rejected', orderIdentifier: order.orderIdentifier, reason };
    }
    await release(deps.db, outboxId, token, 'pending', reason.slice(0, 500)).catch(() => {});
    throw error;
  }
  clearInterval(renewal);
  await markSent(deps, outboxId, messageId);
  return { kind: 'sent', orderIdentifier: order.orderIdentifier, messageId };
}
