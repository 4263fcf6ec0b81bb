import { type Kysely, sql } from 'kysely';

/** Every status an order may hold once this migration ran, the checkout modes' `authorized` and `trialing` too. */
const STATUSES = [
  'awaiting_payment',
  'paid',
  'payment_failed',
  'cancelled',
  'authorized',
  'trialing',
  'partially_refunded',
  'refunded',
  'disputed',
  'dispute_lost',
];
const BEFORE = ['awaiting_payment', 'paid', 'payment_failed', 'cancelled', 'authorized', 'trialing'];

const statusCheck = (statuses: string[]) => sql`status in (${sql.join(statuses.map((s) => sql.lit(s)))})`;

/**
 * The order after payment: refunds and disputes (`amount_refunded`, four statuses, the time of the Stripe read
 * an order's payment state last came from), the order's history, the outbox of webhooks to the shop and the
 * state of the shop's endpoint, one refund notice per refund in the email outbox, and the payload of each Stripe
 * event kept for a retention period.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table orders drop constraint if exists orders_status_check`.execute(db);
  await db.schema
    .alterTable('orders')
    .addCheckConstraint('orders_status_check', statusCheck(STATUSES))
    .execute();
  await db.schema
    .alterTable('orders')
    .addColumn('amount_refunded', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('payment_state_read_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('orders_payment_intent_idx').on('orders').column('payment_intent_id').execute();

  await db.schema
    .createTable('order_history')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('amount_refunded', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('stripe_event_id', 'text')
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('order_history_order_idx')
    .on('order_history')
    .columns(['order_id', 'id'])
    .execute();

  await db.schema
    .createTable('shop_webhook_outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`state in ('pending', 'delivered', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('retry_since', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('shop_webhook_outbox_order_idx')
    .on('shop_webhook_outbox')
    .columns(['order_id', 'id'])
    .execute();
  await db.schema
    .createIndex('shop_webhook_outbox_undelivered_idx')
    .on('shop_webhook_outbox')
    .column('created_at')
    .where(sql.ref('state'), '<>', 'delivered')
    .execute();

  await db.schema
    .createTable('shop_webhook_endpoints')
    .addColumn('url', 'text', (c) => c.primaryKey())
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('disabled_reason', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .alterTable('email_outbox')
    .addColumn('refund_id', 'text')
    .addColumn('refund_amount', 'bigint')
    .execute();
  await db.schema.alterTable('email_outbox').dropConstraint('email_outbox_kind_check').execute();
  await db.schema
    .alterTable('email_outbox')
    .addCheckConstraint(
      'email_outbox_kind_check',
      sql`kind in ('confirmation', 'payment_failed', 'trial_started', 'refund')`,
    )
    .execute();
  await db.schema.alterTable('email_outbox').dropConstraint('email_outbox_order_kind_key').execute();
  await sql`alter table email_outbox add constraint email_outbox_order_kind_key
    unique nulls not distinct (order_id, kind, refund_id)`.execute(db);

  await db.schema.alterTable('stripe_events').addColumn('payload', 'jsonb').execute();
  await db.schema
    .createIndex('stripe_events_received_at_idx')
    .on('stripe_events')
    .column('received_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('stripe_events_received_at_idx').execute();
  await db.schema.alterTable('stripe_events').dropColumn('payload').execute();
  await sql`delete from email_outbox where kind = 'refund'`.execute(db);
  await db.schema.alterTable('email_outbox').dropConstraint('email_outbox_order_kind_key').execute();
  await db.schema.alterTable('email_outbox').dropColumn('refund_id').dropColumn('refund_amount').execute();
  await db.schema
    .alterTable('email_outbox')
    .addUniqueConstraint('email_outbox_order_kind_key', ['order_id', 'kind'])
    .execute();
  await db.schema.alterTable('email_outbox').dropConstraint('email_outbox_kind_check').execute();
  await db.schema
    .alterTable('email_outbox')
    .addCheckConstraint(
      'email_outbox_kind_check',
      sql`kind in ('confirmation', 'payment_failed', 'trial_started')`,
    )
    .execute();
  await db.schema.dropTable('shop_webhook_endpoints').execute();
  await db.schema.dropTable('shop_webhook_outbox').execute();
  await db.schema.dropTable('order_history').execute();
  await db.schema.dropIndex('orders_payment_intent_idx').execute();
  await db.schema
    .alterTable('orders')
    .dropColumn('amount_refunded')
    .dropColumn('payment_state_read_at')
    .execute();
  await sql`update orders set status = 'paid' where status in ('partially_refunded', 'refunded', 'disputed', 'dispute_lost')`.execute(
    db,
  );
  await db.schema.alterTable('orders').dropConstraint('orders_status_check').execute();
  await db.schema
    .alterTable('orders')
    .addCheckConstraint('orders_status_check', statusCheck(BEFORE))
    .execute();
}
