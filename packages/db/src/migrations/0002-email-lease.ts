import { type Kysely, sql } from 'kysely';

/**
 * Moves the email send out of any transaction: a worker claims an outbox row (`sending`, with a lease it
 * renews while it sends), sends, then marks it `sent`. A lease that expires, because its worker died
 * mid-send, makes the row sendable again. `failed` is a permanent rejection by the mail server.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('email_outbox').dropConstraint('email_outbox_state_check').execute();
  await db.schema
    .alterTable('email_outbox')
    .addCheckConstraint('email_outbox_state_check', sql`state in ('pending', 'sending', 'sent', 'failed')`)
    .execute();
  await db.schema
    .alterTable('email_outbox')
    .addColumn('lease_token', 'uuid')
    .addColumn('lease_expires_at', 'timestamptz')
    .execute();
  await db.schema.dropIndex('email_outbox_pending_idx').execute();
  await db.schema
    .createIndex('email_outbox_unsent_idx')
    .on('email_outbox')
    .column('order_id')
    .where(sql.ref('state'), 'in', sql`('pending', 'sending')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('email_outbox_unsent_idx').execute();
  await sql`update email_outbox set state = 'pending' where state in ('sending', 'failed')`.execute(db);
  await db.schema
    .alterTable('email_outbox')
    .dropColumn('lease_token')
    .dropColumn('lease_expires_at')
    .execute();
  await db.schema.alterTable('email_outbox').dropConstraint('email_outbox_state_check').execute();
  await db.schema
    .alterTable('email_outbox')
    .addCheckConstraint('email_outbox_state_check', sql`state in ('pending', 'sent')`)
    .execute();
  await db.schema
    .createIndex('email_outbox_pending_idx')
    .on('email_outbox')
    .column('order_id')
    .where(sql.ref('state'), '=', 'pending')
    .execute();
}
