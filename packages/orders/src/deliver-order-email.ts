import type { Database, EmailKind } from '@fulfill/db';
import type { Kysely } from 'kysely';
import {
  claimEmail,
  type EmailKey,
  markEmailSent,
  outboxRowOf,
  releaseEmail,
  renewLease,
} from './email-outbox.ts';
import type { EmailOrder, RenderedEmail } from './emails/index.ts';
import { renderConfirmation, renderPaymentFailed, renderRefund, renderTrialStarted } from './emails/index.ts';
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
  /** Sends one message; `about` names what it is for, for the sender's logs and traces (never the recipient). */
  send: (mail: OutgoingMail, about: { orderIdentifier: string; kind: EmailKind }) => Promise<unknown>;
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

/**
 * A stable Message-ID per (order, kind) and, for a refund notice, per refund, so a resend after a crash is
 * recognisably the same message.
 */
export function messageIdFor(
  orderIdentifier: string,
  kind: EmailKind,
  from: string,
  refundId?: string,
): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'fulfill.invalid';
  return `<order-${orderIdentifier}-${kind}${refundId ? `-${refundId}` : ''}@${domain}>`;
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

const RENDERERS: Record<
  EmailKind,
  (order: EmailOrder, shop: { name: string }, refund: { amount: number }) => RenderedEmail
> = {
  confirmation: renderConfirmation,
  payment_failed: renderPaymentFailed,
  trial_started: renderTrialStarted,
  refund: (order, shop, refund) => renderRefund(order, shop, refund),
};

const reasonOf = (error: unknown) => redactEmails(error instanceof Error ? error.message : String(error));

/**
 * Sends one outbox email at most once per claim, with no transaction open while the mail server talks: a short
 * statement claims the row (`sending`, a lease, the attempt counted) and reads the order it is about, the send
 * runs while the lease is renewed, and another statement marks it `sent`, retried for `markRetryMs` (the row's
 * statements are in `email-outbox.ts`). A temporary failure puts the row back to `pending` and throws, for the queue to retry; a
 * permanent rejection (see `isPermanentMailRejection`) makes it `failed` and returns `rejected`.
 *
 * The one window left: the server has accepted the message but the `sent` mark never lands, because the worker
 * died in between or Postgres stayed unreachable for all of `markRetryMs`. Then the lease runs out and the
 * message is sent once more, with the same Message-ID, so that receiving systems can recognise the repeat.
 */
export async function deliverOrderEmail(deps: DeliverDeps, input: EmailKey): Promise<DeliverResult> {
  const claimed = await claimEmail(deps.db, input, deps.leaseMs);
  if (!claimed) {
    const row = await outboxRowOf(deps.db, input);
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

  const { claim, order, to } = claimed;
  if (!to) {
    await releaseEmail(deps.db, claim, 'failed', 'the order has no customer email address');
    return { kind: 'no-recipient', orderIdentifier: order.orderIdentifier };
  }

  const messageId = messageIdFor(order.orderIdentifier, input.kind, deps.from, input.refundId);
  const rendered = RENDERERS[input.kind](order, { name: deps.shopName }, { amount: claim.refundAmount ?? 0 });
  const renewal = setInterval(
    () => {
      renewLease(deps.db, claim, deps.leaseMs).catch((error: unknown) =>
        deps.onDatabaseError?.(error, 'renew-lease'),
      );
    },
    Math.max(100, Math.floor(deps.leaseMs / 3)),
  );
  try {
    await deps.send(
      { from: deps.from, to, messageId, ...rendered },
      { orderIdentifier: order.orderIdentifier, kind: input.kind },
    );
  } catch (error) {
    clearInterval(renewal);
    const reason = reasonOf(error);
    if (isPermanentMailRejection(error)) {
      await releaseEmail(deps.db, claim, 'failed', reason.slice(0, 500));
      return { kind: 'rejected', orderIdentifier: order.orderIdentifier, reason };
    }
    await releaseEmail(deps.db, claim, 'pending', reason.slice(0, 500)).catch(() => {});
    throw error;
  }
  clearInterval(renewal);
  await markEmailSent(deps.db, claim.id, messageId, {
    retryMs: deps.markRetryMs ?? 60_000,
    onRetry: (error) => deps.onDatabaseError?.(error, 'mark-sent'),
  });
  return { kind: 'sent', orderIdentifier: order.orderIdentifier, messageId };
}
