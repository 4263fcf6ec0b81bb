import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('fulfillment_key', 'text', (c) => c.notNull().unique())
    .addColumn('order_identifier', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('awaiting_payment', 'paid', 'payment_failed', 'cancelled')`),
    )
    .addColumn('checkout_session_id', 'text', (c) => c.notNull().unique())
    .addColumn('payment_intent_id', 'text')
    .addColumn('customer_email', 'text')
    .addColumn('customer_name', 'text')
    .addColumn('shipping_name', 'text')
    .addColumn('shipping_address', 'jsonb')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_subtotal', 'bigint', (c) => c.notNull())
    .addColumn('amount_discount', 'bigint', (c) => c.notNull())
    .addColumn('amount_tax', 'bigint', (c) => c.notNull())
    .addColumn('amount_shipping', 'bigint', (c) => c.notNull())
    .addColumn('amount_total', 'bigint', (c) => c.notNull())
    .addColumn('cart_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('order_items')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('stripe_line_item_id', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('unit_amount', 'bigint')
    .addColumn('amount_subtotal', 'bigint', (c) => c.notNull())
    .addColumn('amount_discount', 'bigint', (c) => c.notNull())
    .addColumn('amount_tax', 'bigint', (c) => c.notNull())
    .addColumn('amount_total', 'bigint', (c) => c.notNull())
    .addColumn('price_id', 'text')
    .addColumn('product_id', 'text')
    .addUniqueConstraint('order_items_order_position_key', ['order_id', 'position'])
    .execute();

  await db.schema
    .createTable('stripe_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('checkout_session_id', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('processed_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('email_outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('confirmation', 'payment_failed')`))
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`state in ('pending', 'sent')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addUniqueConstraint('email_outbox_order_kind_key', ['order_id', 'kind'])
    .execute();

  await db.schema
    .createTable('checkout_expirations')
    .addColumn('checkout_session_id', 'text', (c) => c.primaryKey())
    .addColumn('fulfillment_key', 'text', (c) => c.notNull())
    .addColumn('cart_id', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema.createIndex('orders_created_at_idx').on('orders').column('created_at').execute();
  await db.schema
    .createIndex('email_outbox_pending_idx')
    .on('email_outbox')
    .column('order_id')
    .where(sql.ref('state'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['checkout_expirations', 'email_outbox', 'stripe_events', 'order_items', 'orders']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
