import { type Kysely, sql } from 'kysely';

/**
 * One row per Stripe account the reconciler reads (`platform` for the account of the secret key itself): how far
 * it has checked (the `created` of the newest Checkout Session and event, in unix seconds), when it last swept
 * the whole window, and the lease that lets one run at a time across every worker, through PgBouncer too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reconcile_checkpoints')
    .addColumn('account', 'text', (col) => col.primaryKey())
    .addColumn('sessions_checked_through', 'bigint')
    .addColumn('events_checked_through', 'bigint')
    .addColumn('full_sweep_at', 'timestamptz')
    .addColumn('lease_token', 'uuid')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reconcile_checkpoints').execute();
}
