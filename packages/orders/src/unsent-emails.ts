import type { Database, EmailKind } from '@fulfill/db';
import type { Kysely } from 'kysely';
import { emailForStatus } from './order-status.ts';

/**
 * Outbox emails still unsent a while after they were owed, for orders whose status still owes them: the
 * ones whose email job may have been lost (a Redis that lost its data) and should be enqueued again.
 */
export async function findUnsentEmails(
  db: Kysely<Database>,
  input: { olderThan: Date; limit?: number },
): Promise<Array<{ orderId: number; kind: EmailKind }>> {
  const rows = await db
    .selectFrom('email_outbox')
    .innerJoin('orders', 'orders.id', 'email_outbox.order_id')
    .select(['email_outbox.order_id', 'email_outbox.kind', 'orders.status'])
    .where('email_outbox.state', '=', 'pending')
    .where('email_outbox.created_at', '<', input.olderThan)
    .orderBy('email_outbox.id')
    .limit(input.limit ?? 1000)
    .execute();
  return rows
    .filter((r) => emailForStatus(r.status) === r.kind)
    .map((r) => ({ orderId: r.order_id, kind: r.kind }));
}
