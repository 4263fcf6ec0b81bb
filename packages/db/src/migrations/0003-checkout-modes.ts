import { type Kysely, sql } from 'kysely';

/**
 * Orders for every Checkout Session mode that makes one: the mode, the connected account the session belongs
 * to (null on the platform), the subscription and its first invoice for a sign-up. `authorized` is a manual
 * capture not yet captured; `trialing` a sign-up whose first payment a trial defers. A trial's sign-up is owed
 * a `trial_started` email rather than a receipt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('orders').dropConstraint('orders_status_check').execute();
  await db.schema
    .alterTable('orders')
    .addCheckConstraint(
      'orders_status_check',
      sql`status in ('awaiting_payment', 'authorized', 'paid', 'trialing', 'payment_failed', 'cancelled')`,
    )
    .execute();
  await db.schema
    .alterTable('orders')
    .addColumn('mode', 'text', (c) =>
      c.notNull().defaultTo('payment').check(sql`mode in ('payment', 'subscription')`),
    )
    .addColumn('stripe_account', 'text')
    .addColumn('subscription_id', 'text')
    .addColumn('invoice_id', 'text')
    .execute();
  await db.schema.alterTable('email_outbox').dropConstraint('email_outbox_kind_check').execute();
  await db.schema
    .alterTable('email_outbox')
    .addCheckConstraint(
      'email_outbox_kind_check',
      sql`kind in ('confirmation', 'payment_failed', 'trial_started')`,
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from email_outbox where kind = 'trial_started'`.execute(db);
  await db.schema.alterTable('email_outbox').dropConstraint('email_outbox_kind_check').execute();
  await db.schema
    .alterTable('email_outbox')
    .addCheckConstraint('email_outbox_kind_check', sql`kind in ('confirmation', 'payment_failed')`)
    .execute();
  await sql`update orders set status = 'awaiting_payment' where status in ('authorized', 'trialing')`.execute(
    db,
  );
  await db.schema
    .alterTable('orders')
    .dropColumn('mode')
    .dropColumn('stripe_account')
    .dropColumn('subscription_id')
    .dropColumn('invoice_id')
    .execute();
  await db.schema.alterTable('orders').dropConstraint('orders_status_check').execute();
  await db.schema
    .alterTable('orders')
    .addCheckConstraint(
      'orders_status_check',
      sql`status in ('awaiting_payment', 'paid', 'payment_failed', 'cancelled')`,
    )
    .execute();
}
