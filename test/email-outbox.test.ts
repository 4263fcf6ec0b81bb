import type { AddressInfo } from 'node:net';
import {
  createStripeClient,
  type DeliverDeps,
  deliverOrderEmail,
  fulfillCheckout,
  type OutgoingMail,
} from '@fulfill/orders';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { MAIL_FROM, ORDER_ID_SECRET, STRIPE_KEY, type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ workers: false });
});
afterAll(async () => {
  await stack?.stop();
});

/** Writes a paid order and its unsent confirmation outbox row, as the fulfillment job does. */
async function paidOrder(): Promise<{ orderId: number; identifier: string }> {
  const { session } = await completedCheckout(stack.emulator);
  const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: stack.emulator.url });
  const result = await fulfillCheckout(
    { db: stack.db, stripe, orderIdSecret: ORDER_ID_SECRET },
    { sessionId: session.id, receivedAt: new Date() },
  );
  if (result.kind !== 'created') throw new Error(`expected a new order, got ${result.kind}`);
  return { orderId: result.order.id, identifier: result.order.order_identifier };
}

const outboxRow = (orderId: number) =>
  stack.db.selectFrom('email_outbox').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();

const sinkSend = () => {
  const transport = nodemailer.createTransport({ url: stack.smtp.url });
  return (mail: OutgoingMail) => transport.sendMail(mail);
};

const deps = (send: DeliverDeps['send'], extra: Partial<DeliverDeps> = {}): DeliverDeps => ({
  db: stack.db,
  send,
  from: MAIL_FROM,
  shopName: 'Test Shop',
  leaseMs: 30_000,
  ...extra,
});

/** Terminates every connection to the test database, idle or busy, from outside, as a failover would. */
async function dropAllConnections(): Promise<number> {
  const admin = new pg.Client({ connectionString: stack.database.url });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()`,
    );
    return rows.length;
  } finally {
    await admin.end();
  }
}

/** An SMTP server that answers every RCPT TO with the given reply. */
async function refusingServer(
  code: number,
  text: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const error = new Error(`${text} <${address.address}>`) as Error & { responseCode: number };
      error.responseCode = code;
      callback(error);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the email outbox', () => {
  it('marks an email sent once the server accepted it, even when every database connection drops right after the 250', async () => {
    const { orderId, identifier } = await paidOrder();
    const send = sinkSend();
    let dropped = 0;
    const dropAfterAccept = async (mail: OutgoingMail) => {
      const info = await send(mail);
      // The server has answered 250: the message is out. Now the database loses every connection.
      dropped = await dropAllConnections();
      return info;
    };
    // As the queue would: an attempt that throws is retried, until one returns.
    let result: Awaited<ReturnType<typeof deliverOrderEmail>> | undefined;
    for (let attempt = 0; attempt < 3 && !result; attempt++) {
      result = await deliverOrderEmail(deps(attempt === 0 ? dropAfterAccept : send), {
        orderId,
        kind: 'confirmation',
      }).catch(() => undefined);
    }
    expect(dropped).toBeGreaterThan(0);
    expect(result).toMatchObject({ kind: 'sent', orderIdentifier: identifier });
    expect(stack.smtp.messages.filter((m) => m.messageId?.includes(identifier))).toHaveLength(1);
    expect(await outboxRow(orderId)).toMatchObject({ state: 'sent', attempts: 1, lease_token: null });
  });

  it('leaves a row under a live lease alone, and sends it once the lease of a dead sender has run out', async () => {
    const { orderId, identifier } = await paidOrder();
    // Another worker claimed it and is still sending.
    await stack.db
      .updateTable('email_outbox')
      .set({
        state: 'sending',
        lease_token: crypto.randomUUID(),
        lease_expires_at: sql`now() + interval '1 minute'`,
      })
      .where('order_id', '=', orderId)
      .execute();
    const busy = await deliverOrderEmail(deps(sinkSend()), { orderId, kind: 'confirmation' });
    expect(busy.kind).toBe('busy');
    expect(busy.kind === 'busy' && busy.until.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(stack.smtp.messages.filter((m) => m.messageId?.includes(identifier))).toHaveLength(0);

    // That worker died: its lease runs out and the row is sendable again, under the same Message-ID.
    await stack.db
      .updateTable('email_outbox')
      .set({ lease_expires_at: sql`now() - interval '1 second'` })
      .where('order_id', '=', orderId)
      .execute();
    const sent = await deliverOrderEmail(deps(sinkSend()), { orderId, kind: 'confirmation' });
    expect(sent).toMatchObject({ kind: 'sent', messageId: `<order-${identifier}-confirmation@shop.test>` });
    expect(stack.smtp.messages.filter((m) => m.messageId?.includes(identifier))).toHaveLength(1);
    expect(await deliverOrderEmail(deps(sinkSend()), { orderId, kind: 'confirmation' })).toMatchObject({
      kind: 'already-sent',
    });
  });

  it('renews the lease while a slow server talks, so no other worker takes the row mid-send', async () => {
    const { orderId } = await paidOrder();
    const send = sinkSend();
    let midSend: { state: string; lease_expires_at: Date | null } | undefined;
    let claimedAgain: string | undefined;
    const slow = async (mail: OutgoingMail) => {
      // Longer than the lease: without renewal the row would be claimable by now.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      midSend = await outboxRow(orderId);
      claimedAgain = (
        await deliverOrderEmail(deps(send, { leaseMs: 600 }), { orderId, kind: 'confirmation' })
      ).kind;
      return send(mail);
    };
    const result = await deliverOrderEmail(deps(slow, { leaseMs: 600 }), { orderId, kind: 'confirmation' });
    expect(result.kind).toBe('sent');
    expect(midSend?.state).toBe('sending');
    expect(midSend?.lease_expires_at?.getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(claimedAgain).toBe('busy');
    expect(await outboxRow(orderId)).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('fails an email a server rejects for good (550) at once, and never sends it again', async () => {
    const { orderId } = await paidOrder();
    const server = await refusingServer(550, '5.1.1 Recipient address rejected:');
    try {
      const transport = nodemailer.createTransport({ url: server.url });
      const send = (mail: OutgoingMail) => transport.sendMail(mail);
      const first = await deliverOrderEmail(deps(send), { orderId, kind: 'confirmation' });
      expect(first.kind).toBe('rejected');
      const row = await outboxRow(orderId);
      expect(row).toMatchObject({ state: 'failed', attempts: 1, lease_token: null });
      expect(row.last_error).toContain('550');
      expect(row.last_error).not.toContain('ada@example.com');
      const again = await deliverOrderEmail(deps(sinkSend()), { orderId, kind: 'confirmation' });
      expect(again.kind).toBe('rejected');
      expect((await outboxRow(orderId)).attempts).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('hands a row back for a retry after a temporary refusal (451)', async () => {
    const { orderId } = await paidOrder();
    const server = await refusingServer(451, '4.3.0 Try again later');
    try {
      const transport = nodemailer.createTransport({ url: server.url });
      await expect(
        deliverOrderEmail(
          deps((mail) => transport.sendMail(mail)),
          { orderId, kind: 'confirmation' },
        ),
      ).rejects.toThrow(/451/);
      expect(await outboxRow(orderId)).toMatchObject({ state: 'pending', attempts: 1, lease_token: null });
      expect((await deliverOrderEmail(deps(sinkSend()), { orderId, kind: 'confirmation' })).kind).toBe(
        'sent',
      );
    } finally {
      await server.close();
    }
  });
});
