import type { Database, EmailKind } from '@fulfill/db';
import type { Kysely } from 'kysely';
import type { EmailOrder, RenderedEmail } from './emails/index.ts';
import { renderConfirmation, renderPaymentFailed } from './emails/index.ts';

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
}

export type DeliverResult =
  | { kind: 'sent'; orderIdentifier: string; messageId: string }
  | { kind: 'already-sent'; orderIdentifier: string }
  | { kind: 'no-recipient'; orderIdentifier: string }
  | { kind: 'not-found' }
  | { kind: 'busy' };

/** A stable Message-ID per (order, kind), so a resend after a crash is recognisably the same message. */
export function messageIdFor(orderIdentifier: string, kind: EmailKind, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'fulfill.invalid';
  return `<order-${orderIdentifier}-${kind}@${domain}>`;
}

const RENDERERS: Record<EmailKind, (order: EmailOrder, shop: { name: string }) => RenderedEmail> = {
  confirmation: renderConfirmation,
  payment_failed: renderPaymentFailed,
};

/**
 * Sends one outbox email and marks it sent, holding the outbox row's lock meanwhile so that no two workers send
 * it at once. A crash after the SMTP server accepted the message and before the commit sends it once more, with
 * the same Message-ID. `busy` means another worker holds the row: retry later.
 */
export async function deliverOrderEmail(
  deps: DeliverDeps,
  input: { orderId: number; kind: EmailKind },
): Promise<DeliverResult> {
  return deps.db.transaction().execute(async (trx): Promise<DeliverResult> => {
    const row = await trx
      .selectFrom('email_outbox')
      .innerJoin('orders', 'orders.id', 'email_outbox.order_id')
      .select([
        'email_outbox.id as outbox_id',
        'email_outbox.state',
        'orders.order_identifier',
        'orders.customer_email',
        'orders.customer_name',
        'orders.currency',
        'orders.amount_subtotal',
        'orders.amount_discount',
        'orders.amount_tax',
        'orders.amount_shipping',
        'orders.amount_total',
        'orders.shipping_name',
        'orders.shipping_address',
      ])
      .where('email_outbox.order_id', '=', input.orderId)
      .where('email_outbox.kind', '=', input.kind)
      .forUpdate('email_outbox')
      .skipLocked()
      .executeTakeFirst();

    if (!row) {
      const exists = await trx
        .selectFrom('email_outbox')
        .select('id')
        .where('order_id', '=', input.orderId)
        .where('kind', '=', input.kind)
        .executeTakeFirst();
      return exists ? { kind: 'busy' } : { kind: 'not-found' };
    }
    if (row.state === 'sent') return { kind: 'already-sent', orderIdentifier: row.order_identifier };
    if (!row.customer_email) return { kind: 'no-recipient', orderIdentifier: row.order_identifier };

    const items = await trx
      .selectFrom('order_items')
      .select(['description', 'quantity', 'amount_total'])
      .where('order_id', '=', input.orderId)
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
    const rendered = RENDERERS[input.kind](order, { name: deps.shopName });
    const messageId = messageIdFor(row.order_identifier, input.kind, deps.from);

    await deps.send({ from: deps.from, to: row.customer_email, messageId, ...rendered });

    await trx
      .updateTable('email_outbox')
      .set((eb) => ({
        state: 'sent',
        attempts: eb('attempts', '+', 1),
        message_id: messageId,
        sent_at: new Date(),
        updated_at: new Date(),
        last_error: null,
      }))
      .where('id', '=', row.outbox_id)
      .execute();
    return { kind: 'sent', orderIdentifier: row.order_identifier, messageId };
  });
}

/** Records a failed send attempt on the outbox row, outside the send's own (rolled back) transaction. */
export async function recordEmailFailure(
  db: Kysely<Database>,
  input: { orderId: number; kind: EmailKind },
  error: unknown,
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await db
    .updateTable('email_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: message.slice(0, 500),
      updated_at: new Date(),
    }))
    .where('order_id', '=', input.orderId)
    .where('kind', '=', input.kind)
    .where('state', '=', 'pending')
    .execute();
}
