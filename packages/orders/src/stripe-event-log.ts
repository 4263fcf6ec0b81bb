import type { Database } from '@fulfill/db';
import { type Kysely, sql, type Transaction } from 'kysely';

/**
 * Records a handled Stripe event: when it was received and processed, and its payload when the caller has it.
 * A second record of the same event updates the processing time and keeps the payload it already had.
 */
export async function recordStripeEvent(
  trx: Transaction<Database> | Kysely<Database>,
  input: {
    eventId: string;
    type: string;
    checkoutSessionId?: string | null;
    receivedAt?: Date | undefined;
    payload?: unknown;
  },
): Promise<void> {
  const payload =
    input.payload === undefined || input.payload === null ? null : JSON.stringify(input.payload);
  await trx
    .insertInto('stripe_events')
    .values({
      event_id: input.eventId,
      type: input.type,
      checkout_session_id: input.checkoutSessionId ?? null,
      ...(input.receivedAt ? { received_at: input.receivedAt } : {}),
      processed_at: new Date(),
      payload,
    })
    .onConflict((oc) =>
      oc.column('event_id').doUpdateSet({
        processed_at: new Date(),
        payload: sql`coalesce(excluded.payload, stripe_events.payload)`,
      }),
    )
    .execute();
}

/**
 * Deletes the events received before `before`: their payloads have served their retention (Stripe itself keeps
 * events for 30 days). Returns how many went. Deletes in batches, so a long backlog never holds a long lock.
 */
export async function pruneStripeEvents(
  db: Kysely<Database>,
  input: { before: Date; batchSize?: number },
): Promise<number> {
  const batch = input.batchSize ?? 5000;
  let total = 0;
  for (;;) {
    const result = await sql<{ event_id: string }>`
      delete from stripe_events where event_id in (
        select event_id from stripe_events where received_at < ${input.before} limit ${batch}
      ) returning event_id`.execute(db);
    total += result.rows.length;
    if (result.rows.length < batch) return total;
  }
}

/** The events received in [from, to), oldest first, optionally of one type, with their kept payloads. */
export async function storedEvents(
  db: Kysely<Database>,
  input: { from: Date; to: Date; type?: string | undefined; limit?: number },
): Promise<Array<{ event_id: string; type: string; received_at: Date; payload: unknown }>> {
  let query = db
    .selectFrom('stripe_events')
    .select(['event_id', 'type', 'received_at', 'payload'])
    .where('received_at', '>=', input.from)
    .where('received_at', '<', input.to);
  if (input.type) query = query.where('type', '=', input.type);
  return query
    .orderBy('received_at')
    .orderBy('event_id')
    .limit(input.limit ?? 10_000)
    .execute();
}
