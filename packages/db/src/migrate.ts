import { type Kysely, sql } from 'kysely';
import { type MigrationResultSet, Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

/** Any number that no other advisory lock on the database uses: it names "a migration run". */
const MIGRATION_LOCK = 7_202_613_001;

class RolledBack extends Error {
  readonly result: MigrationResultSet;
  constructor(result: MigrationResultSet) {
    super('migration failed');
    this.result = result;
  }
}

/**
 * Applies every pending migration, all in one transaction that first takes a transaction-level advisory lock, so
 * that runs started together apply each migration once. Nothing here outlives the transaction (Kysely's own
 * session-level lock is taken and released inside it), so it works through PgBouncer in transaction pooling
 * mode as well as on a direct connection. A failed migration rolls every one of the run back. Returns Kysely's
 * `{ error, results }`; it does not throw.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(trx);
      const migrator = new Migrator({
        db: trx,
        provider: { getMigrations: async () => migrations },
      });
      const result = await migrator.migrateToLatest();
      if (result.error) throw new RolledBack(result);
      return result;
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.result;
    return { error };
  }
}
