import { randomUUID } from 'node:crypto';
import type { Database, EmailKind, Order, OutboxState } from '@fulfill/db';
import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import type { EmailOrder } from './emails/index.ts';
import { emailForStatus } from './order-status.ts';
import { EMAIL_ORDER_COLUMNS, emailItemsOf, emailOrderOf } from './order-view.ts';

/**
 * The email outbox: one row per (order, kind) owed, `pending` → `sending` (claimed under a lease) → `sent`, or
 * `failed` for good. Every statement here is short and stands alone, so no transaction is ever open while the
 * mail server talks.
 */

/** A sender's hold on one row: only the holder of `token` may renew or release it. */
export interface OutboxClaim {
  id: number;
  token: string;
  /** The refunded amount a refund notice states. */
  refundAmount: number | null;
}

/** Which outbox row: the order, the kind, and for a refund notice the refund. */
export interface EmailKey {
  orderId: number;
  kind: EmailKind;
  refundId?: string | undefined;
}

const leaseUntil = (ms: number) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;

/** Rows nobody holds: pending, or sending under a lease that ran out (the sender died). */
const unclaimed = (eb: ExpressionBuilder<Database, 'email_outbox'>) =>
  eb.or([
    eb('email_outbox.state', '=', 'pending'),
    eb.and([
      eb('email_outbox.state', '=', 'sending'),
      eb('email_outbox.lease_expires_at', '<', sql<Date>`now()`),
    ]),
  ]);

/** An update of the claimed row that touches nothing once the lease was lost to another sender. */
const updateHeld = (db: Kysely<Database>, claim: OutboxClaim) =>
  db.updateTable('email_outbox').where('id', '=', claim.id).where('lease_token', '=', claim.token);

/**
 * Inserts the outbox row the order's status owes, inside the fulfillment's transaction, and returns its kind
 * when it is still unsent: the email job to enqueue.
 */
export async function recordOwedEmail(trx: Transaction<Database>, order: Order): Promise<EmailKind[]> {
  const owed = emailForStatus(order.status);
  if (!owed) return [];
  await trx
    .insertInto('email_outbox')
    .values({ order_id: order.id, kind: owed, last_error: null, message_id: null, sent_at: null })
    .onConflict((oc) => oc.columns(['order_id', 'kind', 'refund_id']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('email_outbox')
    .select('state')
    .where('order_id', '=', order.id)
    .where('kind', '=', owed)
    .where('refund_id', 'is', null)
    .executeTakeFirstOrThrow();
  // A row being sent is owed too: its sender may have died, and the email job dedupes against a live one.
  return row.state === 'pending' || row.state === 'sending' ? [owed] : [];
}

/**
 * Claims the row if nobody holds it, for `leaseMs`, and counts the attempt, and reads what the email shows in
 * the same statement. Undefined when the row is held, done, or missing: `outboxRowOf` tells which.
 */
export async function claimEmail(
  db: Kysely<Database>,
  input: EmailKey,
  leaseMs: number,
): Promise<{ claim: OutboxClaim; order: EmailOrder; to: string | null } | undefined> {
  const token = randomUUID();
  const row = await db
    .with('claimed', (db) =>
      db
        .updateTable('email_outbox')
        .set((eb) => ({
          state: 'sending',
          lease_token: token,
          lease_expires_at: leaseUntil(leaseMs),
          attempts: eb('attempts', '+', 1),
          updated_at: new Date(),
        }))
        .where('order_id', '=', input.orderId)
        .where('kind', '=', input.kind)
        .where('refund_id', 'is not distinct from', input.refundId ?? null)
        .where(unclaimed)
        .returning(['id', 'refund_amount', 'order_id']),
    )
    // The row references its order (on delete cascade), so a claimed row always finds it.
    .selectFrom('claimed')
    .innerJoin('orders', 'orders.id', 'claimed.order_id')
    .select(['claimed.id as claim_id', 'claimed.refund_amount'])
    .select(EMAIL_ORDER_COLUMNS.map((column) => `orders.${column}` as const))
    .select(emailItemsOf)
    .executeTakeFirst();
  if (!row) return undefined;
  return { claim: { id: row.claim_id, token, refundAmount: row.refund_amount }, ...emailOrderOf(row) };
}

/** The row's state as a sender that could not claim it needs it, with its order's identifier. */
export async function outboxRowOf(
  db: Kysely<Database>,
  input: EmailKey,
): Promise<
  | { state: OutboxState; lease_expires_at: Date | null; last_error: string | null; order_identifier: string }
  | undefined
> {
  return db
    .selectFrom('email_outbox')
    .innerJoin('orders', 'orders.id', 'email_outbox.order_id')
    .select(['email_outbox.state', 'email_outbox.lease_expires_at', 'email_outbox.last_error'])
    .select('orders.order_identifier')
    .where('email_outbox.order_id', '=', input.orderId)
    .where('email_outbox.kind', '=', input.kind)
    .where('email_outbox.refund_id', 'is not distinct from', input.refundId ?? null)
    .executeTakeFirst();
}

/** Extends the claim by `leaseMs` from now; a no-op once the lease was lost to another sender. */
export async function renewLease(db: Kysely<Database>, claim: OutboxClaim, leaseMs: number): Promise<void> {
  await updateHeld(db, claim)
    .set({ lease_expires_at: leaseUntil(leaseMs) })
    .execute();
}

/**
 * Ends the claim and records why: `pending` to be tried again, or `failed` for good. A no-op once the lease
 * was lost to another sender meanwhile.
 */
export async function releaseEmail(
  db: Kysely<Database>,
  claim: OutboxClaim,
  state: 'pending' | 'failed',
  lastError: string,
): Promise<void> {
  await updateHeld(db, claim)
    .set({ state, lease_token: null, lease_expires_at: null, last_error: lastError, updated_at: new Date() })
    .execute();
}

/**
 * Marks the row `sent` once the mail server accepted the message, whoever holds the lease by now: the message
 * went out, so the row converges on `sent`. Retried with backoff for `retryMs`, then throws the last error.
 */
export async function markEmailSent(
  db: Kysely<Database>,
  outboxId: number,
  messageId: string,
  options: { retryMs: number; onRetry?: (error: unknown) => void },
): Promise<void> {
  const deadline = Date.now() + options.retryMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await db
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
      options.onRetry?.(error);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Outbox emails still unsent a while after they were owed, for orders whose status still owes them: the
 * ones whose email job may have been lost (a Redis that lost its data) and should be enqueued again. A row
 * claimed by a sender counts only once its lease has run out (the sender died).
 */
export async function findUnsentEmails(
  db: Kysely<Database>,
  input: { olderThan: Date; limit?: number },
): Promise<EmailKey[]> {
  const rows = await db
    .selectFrom('email_outbox')
    .innerJoin('orders', 'orders.id', 'email_outbox.order_id')
    .select(['email_outbox.order_id', 'email_outbox.kind', 'email_outbox.refund_id', 'orders.status'])
    .where(unclaimed)
    .where('email_outbox.created_at', '<', input.olderThan)
    .orderBy('email_outbox.id')
    .limit(input.limit ?? 1000)
    .execute();
  return rows
    .filter((r) => r.kind === 'refund' || emailForStatus(r.status) === r.kind)
    .map((r) => ({ orderId: r.order_id, kind: r.kind, ...(r.refund_id ? { refundId: r.refund_id } : {}) }));
}

/**
 * Inserts one refund notice per refund, inside the transaction that records the refunds, and returns the keys
 * of those still unsent: the email jobs to enqueue. A refund already noticed is left as it is.
 */
export async function recordRefundNotices(
  trx: Transaction<Database>,
  order: Order,
  refunds: Array<{ id: string; amount: number }>,
): Promise<EmailKey[]> {
  if (refunds.length === 0) return [];
  await trx
    .insertInto('email_outbox')
    .values(
      refunds.map((r) => ({
        order_id: order.id,
        kind: 'refund' as const,
        refund_id: r.id,
        refund_amount: r.amount,
        last_error: null,
        message_id: null,
        sent_at: null,
      })),
    )
    .onConflict((oc) => oc.columns(['order_id', 'kind', 'refund_id']).doNothing())
    .execute();
  const rows = await trx
    .selectFrom('email_outbox')
    .select(['refund_id', 'state'])
    .where('order_id', '=', order.id)
    .where('kind', '=', 'refund')
    .where(
      'refund_id',
      'in',
      refunds.map((r) => r.id),
    )
    .execute();
  return rows
    .filter((r) => r.state === 'pending' || r.state === 'sending')
    .map((r) => ({ orderId: order.id, kind: 'refund' as const, refundId: r.refund_id ?? undefined }));
}
