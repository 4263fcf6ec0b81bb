import type { Database, EmailKind } from '@fulfill/db';
import { type Kysely, sql } from 'kysely';
import { emailForStatus } from './order-status.ts';

/**
 * Outbox emails still unsent a while after they were owed, for orders whose status still owes them: the
 * ones whose email job may have been lost (a Redis that lost its data) and should be enqueued again. A row
 * claimed by a sender counts only once its lease has run out (the sender died).
 */
export async function findUnsentEmails(
  db: Kysely<Database>,
  input: { olderThan: Date; limit?: number },
): Promise<Array<{ orderId: number; kind: EmailKind }>> {
  const rows = await db
    .selectFrom('email_outbox')
    .innerJoin('orders', 'orders.id', 'email_outbox.order_id')
    .select(['email_outbox.order_id', 'email_outbox.kind', 'orders.status'])
    .where((eb) =>
      eb.or([
        eb('email_outbox.state', '=', 'pending'),
        eb.and([
          eb('email_outbox.state', '=', 'sending'),
          eb('email_outbox.lease_expires_at', '<', sql<Date>`now()`),
        ]),
      ]),
    )
    .where('email_outbox.created_at', '<', input.olderThan)
    .orderBy('email_outbox.id')
    .limit(input.limit ?? 1000)
    .execute();
  return rows
    .filter((r) => emailForStatus(r.status) === r.kind)
    .map((r) => ({ orderId: r.order_id, kind: r.kind }));
}
